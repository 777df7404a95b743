import type { FastifyInstance } from 'fastify';
import { SERVICE_NAMES, type ServiceName } from '@maximus/contracts';
import { loadConfig } from '@maximus/kit/config';
import { createPlatform, type Platform } from '@maximus/kit/platform';
import { prepareService, type PreparedService } from '@maximus/kit/service';
import { build, createGatewaySecurity, type GatewaySecurity } from '@maximus/gateway';
import { SERVICE_DEFINITIONS } from '@maximus/cli';
import { freshPgliteDir, silentLog } from './helpers.js';

export interface TestGateway {
  app: FastifyInstance;
  platform: Platform;
  security: GatewaySecurity;
  services: PreparedService[];
  /** The admin key the first start created. */
  adminKey: string;
  close(): Promise<void>;
}

/**
 * The embedded platform as `maximus up` assembles it, listening on nothing: on a fresh PGlite directory (or
 * `dataDir`), every service's work started, then every relay (as `runEmbedded` does).
 */
export async function embeddedGateway(env: Record<string, string> = {}, dataDir = freshPgliteDir()): Promise<TestGateway> {
  const config = loadConfig({ MAXIMUS_DATA_DIR: dataDir, ...env });
  const platform = await createPlatform({ config, log: silentLog, dataDir });
  const security = await createGatewaySecurity({ config, db: platform.db, bus: platform.bus, log: silentLog, dataDir, createFirstAdminKey: true });
  const services: PreparedService[] = [];
  for (const name of SERVICE_NAMES) services.push(await prepareService(SERVICE_DEFINITIONS[name], platform));
  const app = await build({ mode: 'embedded', services, db: platform.db, config, security, log: silentLog });
  for (const service of services) await service.startWork();
  for (const service of services) service.startRelay();
  security.startRelay();
  return {
    app,
    platform,
    security,
    services,
    adminKey: security.createdAdminKey ?? '',
    async close() {
      await app.close();
      for (const service of services) await service.stop();
      await security.close();
      await platform.close();
    },
  };
}

/** A connected gateway routing to `upstreams`, with its own PGlite directory and an admin key. */
export async function connectedGateway(
  upstreams: Record<ServiceName, string>,
  env: Record<string, string> = {},
  overrides: { upstreamTimeoutMs?: number; healthTimeoutMs?: number } = {},
): Promise<Omit<TestGateway, 'services'>> {
  const dataDir = freshPgliteDir();
  const config = loadConfig({ MAXIMUS_DATA_DIR: dataDir, ...env });
  const platform = await createPlatform({ config, log: silentLog, dataDir });
  const security = await createGatewaySecurity({ config, db: platform.db, bus: platform.bus, log: silentLog, dataDir, createFirstAdminKey: true });
  const app = await build({ mode: 'connected', upstreams, db: platform.db, config, security, log: silentLog, ...overrides });
  security.startRelay();
  return {
    app,
    platform,
    security,
    adminKey: security.createdAdminKey ?? '',
    async close() {
      await app.close();
      await security.close();
      await platform.close();
    },
  };
}

/** The test key of the gateway proof shared by a connected gateway and its services. */
export const INTERNAL_SECRET = 'test-internal-secret-0123456789abcdef';
