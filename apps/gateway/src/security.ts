import { randomBytes } from 'node:crypto';
import type { ApiKeyCreated, Role } from '@maximus/contracts';
import { createMemoryBus, type Bus } from '@maximus/kit/bus';
import { loadConfig, type ResolvedConfig } from '@maximus/kit/config';
import { createPgliteDatabase, createPostgresDatabase } from '@maximus/kit/db';
import type { Database } from '@maximus/kit/db';
import { createLogger, type Logger } from '@maximus/kit/logger';
import { loadMigrations, runMigrations } from '@maximus/kit/migrations';
import { Outbox } from '@maximus/kit/outbox';
import { openSecrets, secretOptions } from '@maximus/kit/secrets';
import { createApiKeyStore, type ApiKeyStore } from './auth/api-keys.js';
import { createTokenService, type TokenService } from './auth/tokens.js';
import { createRateLimiter, type RateLimiter } from './rate-limit/index.js';

/** Everything the gateway needs to authenticate, authorise and limit, built once per process. */
export interface GatewaySecurity {
  readonly keys: ApiKeyStore;
  readonly tokens: TokenService;
  readonly limiter: RateLimiter;
  /** The gateway's outbox (`gateway.outbox`): audit events of key creation and revocation, governance results. */
  readonly outbox: Outbox;
  /** The platform's bus: the gateway executes governance actions it consumes there. */
  readonly bus: Bus;
  /** HMAC key of the proof the gateway adds to requests it forwards (connected mode). */
  readonly internalSecret: Buffer;
  /** Set on the first start of an embedded platform: the admin key it created (print it once). */
  readonly createdAdminKey: string | undefined;
  /** Starts relaying the gateway's outbox (after the platform's consumers exist: see `PreparedService.startWork`). */
  startRelay(): void;
  close(): Promise<void>;
}

export interface GatewaySecurityOptions {
  config: ResolvedConfig;
  db: Database;
  bus: Bus;
  log: Logger;
  /** The PGlite data directory when embedded (its `maximus.key` encrypts the secrets without MAXIMUS_SECRET). */
  dataDir?: string;
  /** Create an admin key when there is none (the embedded platform's first start). */
  createFirstAdminKey?: boolean;
}

/** Applies the gateway's migrations and opens its key store, token service, rate limiter and outbox. */
export async function createGatewaySecurity(options: GatewaySecurityOptions): Promise<GatewaySecurity> {
  const { config, db, bus, log } = options;
  await runMigrations(db, 'gateway', loadMigrations(new URL('../migrations', import.meta.url)));
  // MAXIMUS_SECRET, else (embedded) the key file in the data directory; connected without it is refused.
  const secrets = await openSecrets({ db, ...secretOptions({ ...config, dataDir: options.dataDir ?? config.dataDir }) });
  const tokens = await createTokenService({ secrets, jwt: config.auth.jwt, log });
  const keys = createApiKeyStore(db, log);
  const limiter = createRateLimiter({ ...(config.redisUrl ? { redisUrl: config.redisUrl } : {}), keyPrefix: 'maximus:rl', log });
  const internalSecret = config.auth.internalSecret ? Buffer.from(config.auth.internalSecret) : await secrets.getOrCreate('internal-hmac', () => randomBytes(32));
  const outbox = new Outbox({ db, schema: 'gateway', bus, log, pollMs: config.outbox.pollMs });
  let createdAdminKey: string | undefined;
  if (config.auth.bootstrapAdminKey) {
    const bootstrapKey = config.auth.bootstrapAdminKey;
    await outbox.transaction(async (tx, emit) => {
      const adopted = await keys.adopt(bootstrapKey, { name: 'bootstrap-admin', role: 'admin' }, tx);
      if (adopted.created) await emit('audit.key.created', { key_id: adopted.id, name: adopted.name, role: adopted.role, actor: 'system' });
    });
  } else if (options.createFirstAdminKey && config.auth.enabled && (await keys.count()) === 0) {
    // Through the outbox like every key creation: the ledger records the first admin key too.
    createdAdminKey = await outbox.transaction(async (tx, emit) => {
      const created = await keys.create({ name: 'first-admin', role: 'admin', createdBy: 'system' }, tx);
      await emit('audit.key.created', { key_id: created.id, name: created.name, role: created.role, actor: 'system' });
      return created.key;
    });
  }
  return {
    keys,
    tokens,
    limiter,
    outbox,
    bus,
    internalSecret,
    createdAdminKey,
    startRelay: () => outbox.start(),
    async close() {
      await outbox.stop();
      await limiter.close();
    },
  };
}

/**
 * `maximus keys create --bootstrap`: creates a key straight in the database (DATABASE_URL, or the embedded
 * PGlite directory), no gateway running: the first admin key of a connected deployment. The audit event goes
 * to the gateway's outbox and is published when a gateway runs.
 */
export async function bootstrapApiKey(
  options: { env: Readonly<Record<string, string | undefined>>; dataDir?: string },
  params: { name: string; role: Role },
): Promise<ApiKeyCreated> {
  const config = loadConfig({ ...options.env, ...(options.dataDir ? { MAXIMUS_DATA_DIR: options.dataDir } : {}) });
  const log = createLogger({ level: 'warn' });
  const db = config.databaseUrl ? createPostgresDatabase({ url: config.databaseUrl, poolMax: 1 }) : await createPgliteDatabase({ dataDir: config.dataDir });
  try {
    await runMigrations(db, 'gateway', loadMigrations(new URL('../migrations', import.meta.url)));
    const keys = createApiKeyStore(db, log);
    const outbox = new Outbox({ db, schema: 'gateway', bus: createMemoryBus(), log });
    return await outbox.transaction(async (tx, emit) => {
      const created = await keys.create({ ...params, createdBy: 'bootstrap' }, tx);
      await emit('audit.key.created', { key_id: created.id, name: created.name, role: created.role, actor: 'bootstrap' });
      return created;
    });
  } finally {
    await db.close();
  }
}
