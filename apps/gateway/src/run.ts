import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { loadConfig, type ResolvedConfig } from '@maximus/kit/config';
import { createLogger, type Logger } from '@maximus/kit/logger';
import { createPlatform, type Platform } from '@maximus/kit/platform';
import { prepareService, type PreparedService, type ServiceDefinition } from '@maximus/kit/service';
import { build } from './app.js';
import { gatewayListener } from './tls/listen.js';
import { createGatewaySecurity } from './security.js';

/** MAXIMUS_AUTH=off: said loudly at every start. */
function warnIfAuthOff(config: ResolvedConfig, log: Logger): void {
  if (config.auth.enabled) return;
  log.warn('MAXIMUS_AUTH=off: AUTHENTICATION IS DISABLED. Every request is treated as an anonymous admin. Never run this way outside a local experiment.');
}

export interface RunGatewayOptions {
  /** @default process.env */
  env?: Readonly<Record<string, string | undefined>>;
  /** @default MAXIMUS_HOST */
  host?: string;
  /** @default MAXIMUS_PORT */
  port?: number;
  /** Allow plain HTTP on a non-loopback address (without TLS; with TLS, for the MAXIMUS_HTTP_PORT listener). */
  insecureHttp?: boolean;
  log?: Logger;
}

export interface RunningGateway {
  readonly app: FastifyInstance;
  /** `https://…` when TLS is configured. */
  readonly url: string;
  readonly config: ResolvedConfig;
  readonly log: Logger;
  /** Milliseconds from the call to listening with every service mounted. */
  readonly readyMs: number;
  readonly platform: Platform;
  /** The admin API key created on the first start of an embedded platform (shown once). */
  readonly createdAdminKey: string | undefined;
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
  const listener = gatewayListener(config, host, options.insecureHttp);
  const log = options.log ?? createLogger({ level: config.logLevel });
  const platform = await createPlatform({ config, log, dataDir: config.databaseUrl ? null : config.dataDir, clientName: 'maximus' });
  const services: PreparedService[] = [];
  try {
    warnIfAuthOff(config, log);
    const security = await createGatewaySecurity({ config, db: platform.db, bus: platform.bus, log, dataDir: config.dataDir, createFirstAdminKey: true });
    for (const definition of definitions) services.push(await prepareService(definition, platform));
    const app = await build({ mode: 'embedded', services, db: platform.db, config, security, log, serverOptions: listener.serverOptions });
    const url = await listener.listen(app, options.port ?? config.port, log);
    const readyMs = performance.now() - begin;
    // Every consumer first, then the relays: no event is published before its consumers subscribed.
    for (const service of services) await service.startWork();
    for (const service of services) service.startRelay();
    security.startRelay();
    return {
      app,
      url,
      config,
      log,
      readyMs,
      platform,
      createdAdminKey: security.createdAdminKey,
      async close() {
        await listener.close();
        await app.close();
        for (const service of services) await service.stop();
        await security.close();
        await platform.close();
      },
    };
  } catch (error) {
    await listener.close();
    await platform.close();
    throw error;
  }
}

/** `maximus serve gateway`: the gateway alone, routing to each service by its URL (MAXIMUS_<SERVICE>_URL). */
export async function runConnected(options: RunGatewayOptions = {}): Promise<RunningGateway> {
  const begin = performance.now();
  const config = loadConfig(options.env ?? process.env);
  const host = options.host ?? config.host;
  const listener = gatewayListener(config, host, options.insecureHttp);
  const log = options.log ?? createLogger({ level: config.logLevel });
  warnIfAuthOff(config, log);
  const dataDir = join(config.dataDir, 'gateway');
  const platform = await createPlatform({ config, log, dataDir: config.databaseUrl ? null : dataDir, clientName: 'maximus-gateway' });
  try {
    const security = await createGatewaySecurity({ config, db: platform.db, bus: platform.bus, log, dataDir });
    const app = await build({ mode: 'connected', upstreams: config.serviceUrls, db: platform.db, config, security, log, serverOptions: listener.serverOptions });
    security.startRelay();
    const url = await listener.listen(app, options.port ?? config.port, log);
    return {
      app,
      url,
      config,
      log,
      readyMs: performance.now() - begin,
      platform,
      createdAdminKey: undefined,
      async close() {
        await listener.close();
        await app.close();
        await security.close();
        await platform.close();
      },
    };
  } catch (error) {
    await listener.close();
    await platform.close();
    throw error;
  }
}
