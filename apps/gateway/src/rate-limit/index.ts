import { createMemoryCounter } from './memory.js';
import { createRedisCounter } from './redis.js';
import type { RateLimitDecision, RateLimiter, RateLimiterOptions, RateLimitPolicy } from './types.js';

export type { RateLimitDecision, RateLimiter, RateLimiterOptions, RateLimitPolicy } from './types.js';
export { rateLimitHeaders, type RateLimitHeaders } from './headers.js';
export { RateLimited, rateLimitedError } from './errors.js';

/**
 * Fixed-window rate limiting per subject and policy. Windows are aligned to their length (a 60 s window
 * starts on the minute), and counted under `<prefix>:<policyName>:<subject>:<windowStart>`: in Redis when
 * `redisUrl` is given, so that every replica sharing that Redis admits at most `limit` per window in total;
 * in memory otherwise. When Redis fails or takes longer than `redisTimeoutMs`, that check is decided by this
 * process's own counters (`shared: false`), the limiter reports `degraded` (logged once per outage), and it
 * goes back to Redis as soon as Redis answers again. Windows follow each replica's clock: replicas are
 * expected to be NTP-synchronised (a skew of s seconds lets a burst at a window edge span two windows).
 * @example
 * const limiter = createRateLimiter({ redisUrl: config.redisUrl, log });
 * const decision = await limiter.check('user:42', 'read', { limit: 600, windowSeconds: 60 });
 * reply.headers(rateLimitHeaders(decision));
 * if (!decision.allowed) throw rateLimitedError(decision);
 */
export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const prefix = options.keyPrefix ?? 'maximus:ratelimit';
  const memory = createMemoryCounter();
  const redis = options.redisUrl
    ? createRedisCounter({ url: options.redisUrl, log: options.log, timeoutMs: options.redisTimeoutMs ?? 200 })
    : undefined;

  return {
    kind: redis ? 'redis' : 'memory',
    async check(subject, policyName, policy) {
      assertPolicy(policyName, policy);
      const now = Date.now();
      const windowMs = policy.windowSeconds * 1000;
      const windowStart = Math.floor(now / windowMs) * windowMs;
      const untilResetMs = windowStart + windowMs - now;
      const key = `${prefix}:${policyName}:${subject}:${windowStart / 1000}`;
      if (redis) {
        // The key outlives its window by up to one window: a replica whose clock lags a little still finds it.
        const counted = await redis.hit(key, windowMs);
        if (counted) return decide(policyName, policy, counted.count, Math.min(untilResetMs, counted.pttlMs), true);
      }
      return decide(policyName, policy, memory.hit(key, untilResetMs, now), untilResetMs, false);
    },
    health() {
      return redis ? redis.health() : { status: 'healthy', kind: 'memory', latency_ms: 0 };
    },
    async close() {
      memory.close();
      await redis?.close();
    },
  };
}

function decide(policyName: string, policy: RateLimitPolicy, count: number, untilResetMs: number, shared: boolean): RateLimitDecision {
  return {
    allowed: count <= policy.limit,
    policy: policyName,
    limit: policy.limit,
    remaining: Math.max(0, policy.limit - count),
    resetSeconds: Math.max(1, Math.ceil(untilResetMs / 1000)),
    windowSeconds: policy.windowSeconds,
    shared,
  };
}

function assertPolicy(name: string, policy: RateLimitPolicy): void {
  if (!Number.isInteger(policy.limit) || policy.limit < 0 || !Number.isInteger(policy.windowSeconds) || policy.windowSeconds < 1) {
    throw new RangeError(`rate-limit policy ${name} needs a whole limit ≥ 0 per whole windowSeconds ≥ 1, got ${policy.limit}/${policy.windowSeconds}`);
  }
}
