import { Redis } from 'ioredis';
import type { ComponentHealth } from '@maximus/contracts';
import { passwordScrubber, redactUrl, type Logger } from '@maximus/kit/logger';

/**
 * One atomic step per check: count the hit, give the counter its lifetime on the first hit (or when it has
 * none), answer the count and the milliseconds left (PTTL).
 */
const SCRIPT = `
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if count == 1 or ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}`;

type WithScript = Redis & { maximusRateLimitHit(key: string, ttlMs: number): Promise<[number, number]> };

/** Shared counters in Redis; `hit` answers undefined (never throws) whenever Redis cannot answer in time. */
export interface RedisCounter {
  hit(key: string, ttlMs: number): Promise<{ count: number; pttlMs: number } | undefined>;
  health(): ComponentHealth;
  close(): Promise<void>;
}

export interface RedisCounterOptions {
  url: string;
  log: Logger;
  timeoutMs: number;
  /** While Redis is marked unreachable but connected, how often a PING checks whether it answers again. @default 500 */
  probeEveryMs?: number;
}

/**
 * Counters on Redis with a circuit: after one failure or timeout the counter is `down` (logged once) and
 * `hit` answers undefined at once, until the connection is ready again or a PING answers in time.
 */
export function createRedisCounter(options: RedisCounterOptions): RedisCounter {
  const { timeoutMs } = options;
  const safeUrl = redactUrl(options.url);
  const scrub = passwordScrubber(options.url);
  const log = options.log.child({ component: 'rate-limit', url: safeUrl });
  const redis = new Redis(options.url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    // Only frees commands lost on a stuck connection: our own timer decides (see withTimeout).
    commandTimeout: Math.max(1000, timeoutMs * 10),
    connectTimeout: 2000,
    autoResubscribe: false,
    retryStrategy: (times) => Math.min(100 * 2 ** Math.min(times - 1, 6), 2000),
  }) as WithScript;
  redis.defineCommand('maximusRateLimitHit', { numberOfKeys: 1, lua: SCRIPT });

  let state: 'starting' | 'up' | 'down' = 'starting';
  let lastError = '';
  let latencyMs = 0;
  let closing = false;
  let probing = false;
  const firstReady = new Promise<boolean>((resolve) => redis.once('ready', () => resolve(true)));

  const markDown = (reason: string) => {
    lastError = scrub(reason);
    if (state === 'down' || closing) return;
    state = 'down';
    log.warn({ reason: lastError }, 'redis unreachable: rate limits are counted per replica until it is back');
  };
  const markUp = () => {
    if (state === 'up' || closing) return;
    if (state === 'down') log.info('redis reachable again: rate limits are shared again');
    state = 'up';
  };
  redis.on('error', (error: Error) => markDown(error.message));
  redis.on('close', () => markDown('connection closed'));
  redis.on('ready', markUp);

  // Connected but not answering (a stuck server): the connection stays ready, so only a probe can tell.
  const probe = setInterval(() => {
    if (state !== 'down' || probing || closing || redis.status !== 'ready') return;
    probing = true;
    withTimeout(redis.ping(), timeoutMs).then(markUp, () => undefined).finally(() => (probing = false));
  }, options.probeEveryMs ?? 500);
  probe.unref();

  return {
    async hit(key, ttlMs) {
      if (closing || state === 'down') return undefined;
      if (redis.status !== 'ready' && !(state === 'starting' && (await withTimeout(firstReady, timeoutMs).catch(() => false)))) {
        markDown(`not connected (${redis.status})`);
        return undefined;
      }
      const started = performance.now();
      try {
        const [count, pttlMs] = await withTimeout(redis.maximusRateLimitHit(key, ttlMs), timeoutMs);
        latencyMs = performance.now() - started;
        markUp();
        return { count, pttlMs };
      } catch (error) {
        markDown(error instanceof Error ? error.message : String(error));
        return undefined;
      }
    },
    health() {
      const latency_ms = Math.round(latencyMs * 1000) / 1000;
      if (closing) return { status: 'down', kind: 'redis', latency_ms, error: 'the rate limiter is closed' };
      if (state === 'up' || (state === 'starting' && redis.status === 'ready')) return { status: 'healthy', kind: 'redis', latency_ms };
      const why = state === 'starting' ? `connecting (${redis.status})` : lastError;
      return { status: 'degraded', kind: 'redis', latency_ms, error: `redis at ${safeUrl} unreachable (${why}); rate limits are per replica` };
    },
    async close() {
      if (closing) return;
      closing = true;
      clearInterval(probe);
      try {
        if (redis.status === 'ready') await withTimeout(redis.quit(), 2000);
        else redis.disconnect();
      } catch {
        redis.disconnect();
      }
    },
  };
}

/**
 * Rejects when `promise` has not settled `ms` after the call. A timer that fires late may only mean that this
 * process's event loop was blocked (timers run before pending socket reads): the answer may already be waiting,
 * so it gets one more I/O poll (setImmediate runs after it) before the timeout counts.
 */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => setImmediate(() => reject(new Error(`no answer within ${ms} ms`))), ms);
    promise.then(resolve, reject).finally(() => clearTimeout(timer));
  });
}
