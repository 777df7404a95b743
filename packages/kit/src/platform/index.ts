import { join } from 'node:path';
import type { ComponentHealth } from '@maximus/contracts';
import type { Logger } from 'pino';
import { createMemoryBus, type Bus } from '../bus/index.js';
import { createNatsBus } from '../bus/nats.js';
import { createMemoryCache, type Cache } from '../cache/index.js';
import { createRedisCache } from '../cache/redis.js';
import type { Mode, ResolvedConfig } from '../config/index.js';
import { createPgliteDatabase, createPostgresDatabase, type Database } from '../db/index.js';

/** The shared resources of one process: database, cache and bus, embedded or connected each. */
export interface Platform {
  /** `connected` when DATABASE_URL is set (the source of truth is PostgreSQL), else `embedded`. */
  readonly mode: Mode;
  readonly config: ResolvedConfig;
  readonly db: Database;
  readonly cache: Cache;
  readonly bus: Bus;
  readonly log: Logger;
  /** Health of the three adapters, keyed `database`, `cache`, `bus`. */
  components(): Promise<Record<string, ComponentHealth>>;
  close(): Promise<void>;
}

export interface PlatformOptions {
  config: ResolvedConfig;
  log: Logger;
  /**
   * PGlite data directory when DATABASE_URL is unset: `config.dataDir` for the embedded platform,
   * `<dataDir>/<service>` for a service served alone. Undefined: in memory (tests).
   */
  dataDir?: string | null;
  /** Name reported to PostgreSQL and NATS. */
  clientName?: string;
}

/** Opens the database, cache and bus the configuration asks for. */
export async function createPlatform(options: PlatformOptions): Promise<Platform> {
  const { config, log } = options;
  const name = options.clientName ?? 'maximus';
  const db: Database = config.databaseUrl
    ? createPostgresDatabase({
        url: config.databaseUrl,
        poolMax: config.db.poolMax,
        acquireTimeoutMs: config.db.acquireTimeoutMs,
        statementTimeoutMs: config.db.statementTimeoutMs,
        applicationName: name,
      })
    : await createPgliteDatabase(options.dataDir ? { dataDir: options.dataDir } : {});
  const cache: Cache = config.redisUrl ? createRedisCache({ url: config.redisUrl, log }) : createMemoryCache({ maxEntries: config.cache.maxEntries });
  const bus: Bus = config.natsUrl
    ? await createNatsBus({
        url: config.natsUrl,
        stream: config.nats.stream,
        subjectPrefix: config.nats.subjectPrefix,
        maxDeliver: config.bus.maxDeliver,
        name,
        log,
      })
    : createMemoryBus({ maxDeliver: config.bus.maxDeliver, log });
  const timeout = config.healthTimeoutMs;
  let inFlight: Promise<Record<string, ComponentHealth>> | undefined;
  let last: { at: number; value: Record<string, ComponentHealth> } | undefined;
  return {
    mode: config.databaseUrl ? 'connected' : 'embedded',
    config,
    db,
    cache,
    bus,
    log,
    components() {
      // Health reads share probes: concurrent ones wait for the same probe, and a result serves for
      // MAXIMUS_HEALTH_CACHE_MS (a burst of health checks must not become a burst of database queries).
      if (last && performance.now() - last.at < config.healthCacheMs) return Promise.resolve(last.value);
      inFlight ??= Promise.all([db.health(timeout), cache.health(timeout), bus.health(timeout)])
        .then(([database, cacheHealth, busHealth]) => {
          const value = { database, cache: cacheHealth, bus: busHealth };
          last = { at: performance.now(), value };
          return value;
        })
        .finally(() => {
          inFlight = undefined;
        });
      return inFlight;
    },
    async close() {
      await Promise.allSettled([bus.close(), cache.close()]);
      await db.close();
    },
  };
}

/** The PGlite directory of a service run alone: `<dataDir>/<service>`. */
export function serviceDataDir(config: ResolvedConfig, service: string): string {
  return join(config.dataDir, service);
}
