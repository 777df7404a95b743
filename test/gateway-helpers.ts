import type { FastifyInstance } from 'fastify';
import { SERVICE_NAMES, type ServiceName } from '@maximus/contracts';
import { loadConfig } from '@maximus/kit/config';
import { createPlatform, type Platform } from '@maximus/kit/platform';
import { prepareService, type PreparedService } from '@maximus/kit/service';
import { build, createGatewaySecurity, type GatewaySecurity } from '@maximus/gateway';
import { SERVICE_DEFINITIONS, program, type CommandIO } from '@maximus/cli';
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

export interface CliRun {
  out: string;
  err: string;
  code: number;
}

/**
 * Runs the `maximus` CLI in this process against `url` as the holder of `apiKey`, plain text (no TTY, no colour).
 * `code` stays -1 unless a command ran to its end. `interruptWhen` (checked every 50 ms on the output, 20 s at most) plays Ctrl-C.
 */
export async function runCli(url: string, apiKey: string, argv: string[], interruptWhen?: (out: string) => boolean): Promise<CliRun> {
  const run: CliRun = { out: '', err: '', code: -1 };
  const io = {
    stdout: { write: (s: string) => ((run.out += s), true), isTTY: false, getColorDepth: () => 1 },
    stderr: { write: (s: string) => ((run.err += s), true), isTTY: false },
    env: { ...process.env, MAXIMUS_API_KEY: apiKey, NO_COLOR: '1' },
    interrupted: new Promise<NodeJS.Signals>((resolve) => {
      if (!interruptWhen) return;
      const end = Date.now() + 20_000;
      const timer = setInterval(() => {
        if (interruptWhen(run.out) || Date.now() > end) {
          clearInterval(timer);
          resolve('SIGINT');
        }
      }, 50);
    }),
  } as unknown as CommandIO;
  await program(io, (c) => (run.code = c)).parseAsync(['node', 'maximus', ...argv, '--url', url]);
  return run;
}
