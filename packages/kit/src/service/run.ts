import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { openSecrets, secretOptions } from '../secrets/index.js';
import { SERVICES } from '@maximus/contracts';
import type { Logger } from 'pino';
import { isLoopback, loadConfig, type ResolvedConfig } from '../config/index.js';
import { createLogger } from '../logger/index.js';
import { createPlatform, serviceDataDir, type Platform } from '../platform/index.js';
import type { ServiceDefinition } from './definition.js';
import { servicePlugin } from './plugin.js';
import { prepareService, type PreparedService } from './prepare.js';
import { createServer } from './server.js';
import { httpPeerTransport } from '../peers/index.js';

export interface BuildServiceOptions {
  platform: Platform;
  /** Collect Node process metrics (true when the service has its process to itself). */
  processMetrics?: boolean;
  /** The key of the gateway's proof, which every `/api/` request must carry (the service is reached over the network). */
  gatewayProof: Buffer;
}

/** The service alone as a Fastify instance (listening on nothing): for `serve`, and for tests with `inject()`. */
export async function buildService(definition: ServiceDefinition, options: BuildServiceOptions): Promise<{ app: FastifyInstance; service: PreparedService }> {
  const service = await prepareService(definition, options.platform, { processMetrics: options.processMetrics ?? false });
  service.peers.attach(httpPeerTransport(options.platform.config.serviceUrls, options.gatewayProof));
  const app = createServer({ log: service.ctx.log });
  await app.register(servicePlugin(definition, service.ctx, { gatewayProof: options.gatewayProof }));
  app.addHook('onClose', async () => {
    await service.stop();
    await service.peers.close();
  });
  return { app, service };
}

export interface RunServiceOptions {
  /** @default process.env */
  env?: Readonly<Record<string, string | undefined>>;
  /** @default the service's port from the service table */
  port?: number;
  /** @default MAXIMUS_HOST */
  host?: string;
  /** Allow a non-loopback address without TLS. */
  insecureHttp?: boolean;
  log?: Logger;
}

export interface RunningService {
  readonly app: FastifyInstance;
  readonly url: string;
  readonly platform: Platform;
  close(): Promise<void>;
}

/**
 * The key of the gateway's proof: MAXIMUS_INTERNAL_SECRET, else the one the gateway generated in the shared
 * database (both read the same `platform.secrets` row).
 */
export async function internalSecret(platform: Platform, dataDir: string): Promise<Buffer> {
  const { config } = platform;
  if (config.auth.internalSecret) return Buffer.from(config.auth.internalSecret);
  const secrets = await openSecrets({ db: platform.db, ...secretOptions({ ...config, dataDir }) });
  return secrets.getOrCreate('internal-hmac', () => randomBytes(32));
}

/** Refuses to serve plain HTTP beyond loopback unless explicitly allowed (ARCHITECTURE.md, Listening). */
export function assertListenAllowed(host: string, insecureHttp: boolean | undefined): void {
  if (!isLoopback(host) && !insecureHttp) {
    throw new Error(`refusing to listen on ${host} without TLS: only loopback is served over plain HTTP; pass --insecure-http to do it anyway`);
  }
}

/**
 * `maximus serve <service>`: the service alone on its port. Without DATABASE_URL it opens its own PGlite
 * directory `<MAXIMUS_DATA_DIR>/<service>` (locked against a second process).
 */
export async function runService(definition: ServiceDefinition, options: RunServiceOptions = {}): Promise<RunningService> {
  const config: ResolvedConfig = loadConfig(options.env ?? process.env);
  const host = options.host ?? config.host;
  assertListenAllowed(host, options.insecureHttp);
  const log = options.log ?? createLogger({ level: config.logLevel });
  const platform = await createPlatform({
    config,
    log,
    dataDir: config.databaseUrl ? null : serviceDataDir(config, definition.name),
    clientName: `maximus-${definition.name}`,
  });
  try {
    const gatewayProof = await internalSecret(platform, serviceDataDir(config, definition.name));
    const { app, service } = await buildService(definition, { platform, processMetrics: true, gatewayProof });
    const address = await app.listen({ host, port: options.port ?? SERVICES[definition.name].port });
    await service.start();
    return {
      app,
      url: address,
      platform,
      async close() {
        await app.close();
        await platform.close();
      },
    };
  } catch (error) {
    await platform.close();
    throw error;
  }
}

/** Closes `target` once on SIGINT/SIGTERM; a second signal exits at once. */
export function closeOnSignals(target: { close(): Promise<void> }, log: Logger): void {
  let closing = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) process.exit(130);
    closing = true;
    log.info({ signal }, 'shutting down');
    target.close().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
