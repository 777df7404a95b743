import type { FastifyInstance } from 'fastify';
import { loadConfig, type ResolvedConfig } from '@maximus/kit/config';
import { createLogger, type Logger } from '@maximus/kit/logger';
import { createPlatform, type Platform } from '@maximus/kit/platform';
import { assertListenAllowed, prepareService, type PreparedService, type ServiceDefinition } from '@maximus/kit/service';
import { build } from './app.js';

export interface RunGatewayOptions {
  /** @default process.env */
  env?: Readonly<Record<string, string | undefined>>;
  /** @default MAXIMUS_HOST */
  host?: string;
  /** @default MAXIMUS_PORT */
  port?: number;
  insecureHttp?: boolean;
  log?: Logger;
}

export interface RunningGateway {
  readonly app: FastifyInstance;
  readonly url: string;
  readonly config: ResolvedConfig;
  readonly log: Logger;
  /** Milliseconds from the call to listening with every service mounted. */
  readonly readyMs: number;
  readonly platform?: Platform;
  close(): Promise<void>;
}

/**
 * `maximus up` / `npm start`: the gateway and every service in this one process, on one PGlite data
 * directory (or PostgreSQL when DATABASE_URL is set), only the gateway listening. Services' background
 * work starts after the gateway is listening.
 */
export async function runEmbedded(definitions: readonly ServiceDefinition[], options: RunGatewayOptions = {}): Promise<RunningGateway> {
  const begin = performance.now();
  const config = loadConfig(options.env ?? process.env);
  const host = options.host ?? config.host;
  assertListenAllowed(host, options.insecureHttp);
  const log = options.log ?? createLogger({ level: config.logLevel });
  const platform = await createPlatform({ config, log, dataDir: config.databaseUrl ? null : config.dataDir, clientName: 'maximus' });
  const services: PreparedService[] = [];
  try {
    for (const definition of definitions) services.push(await prepareService(definition, platform));
    const app = await build({ mode: 'embedded', services, db: platform.db, log, healthTimeoutMs: config.healthTimeoutMs });
    const url = await app.listen({ host, port: options.port ?? config.port });
    const readyMs = performance.now() - begin;
    for (const service of services) await service.start();
    return {
      app,
      url,
      config,
      log,
      readyMs,
      platform,
      async close() {
        await app.close();
        for (const service of services) await service.stop();
        await platform.close();
      },
    };
  } catch (error) {
    await platform.close();
    throw error;
  }
}

/** `maximus serve gateway`: the gateway alone, routing to each service by its URL (MAXIMUS_<SERVICE>_URL). */
export async function runConnected(options: RunGatewayOptions = {}): Promise<RunningGateway> {
  const begin = performance.now();
  const config = loadConfig(options.env ?? process.env);
  const host = options.host ?? config.host;
  assertListenAllowed(host, options.insecureHttp);
  const log = options.log ?? createLogger({ level: config.logLevel });
  const app = await build({
    mode: 'connected',
    upstreams: config.serviceUrls,
    upstreamTimeoutMs: config.upstreamTimeoutMs,
    healthTimeoutMs: config.healthTimeoutMs,
    log,
  });
  const url = await app.listen({ host, port: options.port ?? config.port });
  return { app, url, config, log, readyMs: performance.now() - begin, close: () => app.close() };
}
