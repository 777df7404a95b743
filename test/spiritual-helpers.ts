import type { FastifyInstance } from 'fastify';
import { SERVICE_NAMES, type FruitName, type FruitsReport, type ServiceName, type VirtueName, type VirtuesReport } from '@maximus/contracts';
import { loadConfig } from '@maximus/kit/config';
import { createPlatform, type Platform } from '@maximus/kit/platform';
import { prepareService, type PreparedService, type ServiceContext, type ServiceDefinition } from '@maximus/kit/service';
import { build, createGatewaySecurity, type GatewaySecurity } from '@maximus/gateway';
import { SERVICE_DEFINITIONS } from '@maximus/cli';
import { spiritualRuntime, type SpiritualRuntime } from '@maximus/penelope';
import { silentLog } from './helpers.js';

/** Scores computed on every read and no periodic pass: each test triggers its passes with `collectNow()`. */
export const SPIRITUAL_TEST_ENV = { MAXIMUS_PENELOPE_SCORES_TTL_SECONDS: '0', MAXIMUS_PENELOPE_SIGNALS_INTERVAL_SECONDS: '0' };

export interface SpiritualPlatform {
  app: FastifyInstance;
  platform: Platform;
  security: GatewaySecurity;
  services: PreparedService[];
  adminKey: string;
  ctx(name: ServiceName): ServiceContext;
  spiritual: SpiritualRuntime;
  /** A request through the gateway with the admin key (or `key`). */
  call(method: 'GET' | 'POST', url: string, body?: unknown, key?: string, headers?: Record<string, string>): Promise<{ status: number; headers: Record<string, unknown>; json: () => unknown }>;
  /** Waits until `sql` (one row, column `n`) counts at least `atLeast`. */
  until(sql: string, params: unknown[], atLeast?: number): Promise<void>;
  fruits(): Promise<FruitsReport>;
  virtues(): Promise<VirtuesReport>;
  fruit(name: FruitName): Promise<number | null>;
  virtue(name: VirtueName): Promise<number | null>;
  close(): Promise<void>;
}

/**
 * The embedded platform as `maximus up` assembles it (like `embeddedGateway`), with some services replaced
 * (`definitions`) or left out (`omit`), on `dataDir` (a second start on the same directory is a restart).
 */
export async function spiritualPlatform(
  dataDir: string,
  env: Record<string, string> = {},
  options: { omit?: readonly ServiceName[]; definitions?: Partial<Record<ServiceName, ServiceDefinition>> } = {},
): Promise<SpiritualPlatform> {
  const config = loadConfig({ MAXIMUS_DATA_DIR: dataDir, ...SPIRITUAL_TEST_ENV, ...env });
  const platform = await createPlatform({ config, log: silentLog, dataDir });
  const security = await createGatewaySecurity({ config, db: platform.db, bus: platform.bus, log: silentLog, dataDir, createFirstAdminKey: true });
  const services: PreparedService[] = [];
  for (const name of SERVICE_NAMES) {
    if (options.omit?.includes(name)) continue;
    services.push(await prepareService(options.definitions?.[name] ?? SERVICE_DEFINITIONS[name], platform));
  }
  const app = await build({ mode: 'embedded', services, db: platform.db, config, security, log: silentLog });
  for (const service of services) await service.startWork();
  for (const service of services) service.startRelay();
  security.startRelay();
  const adminKey = security.createdAdminKey ?? (await security.keys.create({ name: 'spiritual-test-admin', role: 'admin', createdBy: null })).key;
  const ctx = (name: ServiceName) => {
    const found = services.find((s) => s.ctx.name === name);
    if (!found) throw new Error(`${name} is not mounted`);
    return found.ctx;
  };
  const call: SpiritualPlatform['call'] = async (method, url, body, key = adminKey, headers = {}) => {
    const response = await app.inject({ method, url, headers: { 'x-api-key': key, ...headers }, ...(body === undefined ? {} : { payload: body as Record<string, unknown> }) });
    return { status: response.statusCode, headers: response.headers, json: () => response.json<unknown>() };
  };
  const read = async <T>(path: string): Promise<T> => {
    const response = await call('GET', `/penelope/api/v1/spiritual/${path}`);
    if (response.status !== 200) throw new Error(`GET spiritual/${path}: ${response.status} ${JSON.stringify(response.json())}`);
    return response.json() as T;
  };
  const result: SpiritualPlatform = {
    app,
    platform,
    security,
    services,
    adminKey,
    ctx,
    spiritual: spiritualRuntime(ctx('penelope')),
    call,
    async until(sql, params, atLeast = 1) {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const { rows } = await platform.db.query<{ n: number | string }>(sql, params);
        if (Number(rows[0]?.n ?? 0) >= atLeast) return;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${sql} ≥ ${atLeast} (${JSON.stringify(params)})`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    fruits: () => read<FruitsReport>('fruits'),
    virtues: () => read<VirtuesReport>('virtues'),
    fruit: async (name) => (await result.fruits()).fruits.find((f) => f.name === name)!.score,
    virtue: async (name) => (await result.virtues()).virtues.find((v) => v.name === name)!.score,
    async close() {
      await app.close();
      for (const service of services) await service.stop();
      await security.close();
      await platform.close();
    },
  };
  return result;
}
