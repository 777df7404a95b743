import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { KitErrors } from '../errors/index.js';
import { checkHealth } from '../health/index.js';
import { passwordScrubber, redactUrl } from '../logger/index.js';
import type { Cache } from './types.js';

export interface RedisCacheOptions {
  /** `redis://[user:password@]host:port[/db]` (or `rediss://` for TLS). */
  url: string;
  log?: Logger;
  /** Prepended to every key, e.g. `maximus:`. @default '' */
  keyPrefix?: string;
  /** A command that gets no answer within this time rejects. @default 1000 */
  commandTimeoutMs?: number;
  /** @default 2000 */
  connectTimeoutMs?: number;
}

/**
 * The cache on Redis. It never queues commands while disconnected: they reject at once with
 * KIT_ERR_CACHE_UNAVAILABLE (callers treat that as a miss), and the client reconnects in the
 * background with a capped backoff, forever.
 */
export function createRedisCache(options: RedisCacheOptions): Cache {
  const safeUrl = redactUrl(options.url);
  const scrub = passwordScrubber(options.url);
  const log = options.log?.child({ component: 'cache', url: safeUrl });
  const redis = new Redis(options.url, {
    keyPrefix: options.keyPrefix ?? '',
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: options.commandTimeoutMs ?? 1000,
    connectTimeout: options.connectTimeoutMs ?? 2000,
    enableReadyCheck: true,
    autoResubscribe: false,
    // Never give up (a null return would close the client for good): 100 ms, 200 ms… capped at 5 s.
    retryStrategy: (times) => Math.min(100 * 2 ** Math.min(times - 1, 6), 5000),
  });

  let outage = false;
  let closing = false;
  redis.on('error', (error: Error) => {
    if (outage || closing) return;
    outage = true;
    log?.warn({ reason: scrub(error.message) }, 'redis unreachable; cache operations fail until it is back');
  });
  redis.on('ready', () => {
    if (!outage) return;
    outage = false;
    log?.info('redis connection restored');
  });
  redis.on('end', () => {
    if (!closing) log?.warn('redis connection ended');
  });

  const unavailable = (error: unknown) =>
    new KitErrors.CacheUnavailable(scrub(error instanceof Error ? error.message : String(error)), { cause: error });

  async function run<T>(op: () => Promise<T>): Promise<T> {
    if (closing) throw unavailable(new Error('the cache is closed'));
    if (redis.status !== 'ready') throw unavailable(new Error(`not connected (${redis.status})`));
    try {
      return await op();
    } catch (error) {
      throw unavailable(error);
    }
  }

  return {
    kind: 'redis',
    async get<T>(key: string) {
      const raw = await run(() => redis.get(key));
      if (raw === null) return undefined;
      try {
        return JSON.parse(raw) as T;
      } catch {
        log?.warn({ key }, 'cache entry is not JSON; treated as a miss');
        return undefined;
      }
    },
    async set(key, value, ttlMs) {
      const raw = JSON.stringify(value) as string | undefined;
      if (raw === undefined) {
        await run(() => redis.del(key));
        return;
      }
      await run(() => redis.set(key, raw, 'PX', Math.max(1, Math.ceil(ttlMs))));
    },
    async delete(key) {
      await run(() => redis.del(key));
    },
    health(timeoutMs) {
      if (closing) return Promise.resolve({ status: 'down', kind: 'redis', latency_ms: 0, error: 'the cache is closed' });
      if (redis.status !== 'ready') {
        return Promise.resolve({ status: 'down', kind: 'redis', latency_ms: 0, error: `not connected to ${safeUrl} (${redis.status})` });
      }
      return checkHealth('redis', () => redis.ping(), timeoutMs);
    },
    async close() {
      if (closing) return;
      closing = true;
      try {
        if (redis.status === 'ready') {
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([
            redis.quit(),
            new Promise<never>((_, reject) => {
              timer = setTimeout(() => reject(new Error('quit timed out')), 2000);
            }),
          ]).finally(() => clearTimeout(timer));
        } else {
          redis.disconnect();
        }
      } catch {
        redis.disconnect();
      }
    },
  };
}
