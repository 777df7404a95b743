import type { ComponentHealth } from '@maximus/contracts';
import type { RateLimitPolicy } from '@maximus/kit/config';
import type { Logger } from '@maximus/kit/logger';

export type { RateLimitPolicy };

/** The outcome of one {@link RateLimiter.check}: what the response headers and a 429 are made of. */
export interface RateLimitDecision {
  /** False once the subject has used up the policy's quota in the current window. */
  allowed: boolean;
  /** The policy's name, as sent in `RateLimit-Policy` and `RateLimit`. */
  policy: string;
  /** Requests allowed per window. */
  limit: number;
  /** Requests left in the current window after this one (0 when denied). */
  remaining: number;
  /** Seconds until the current window ends and the quota is whole again (at least 1). */
  resetSeconds: number;
  windowSeconds: number;
  /** True when counted in Redis (shared by every replica); false when counted in this process's memory. */
  shared: boolean;
}

/** Per-subject, per-policy fixed-window counters: in Redis when configured, in memory otherwise or meanwhile. */
export interface RateLimiter {
  /** `redis` when a Redis URL was given (even while it falls back to memory), `memory` otherwise. */
  readonly kind: 'redis' | 'memory';
  /**
   * Counts one request of `subject` (e.g. `user:42`) against `policy` and says whether it is allowed.
   * `policyName` names the counter: one name, one window length (the limit may differ per subject).
   * Never rejects because of Redis: when Redis fails or is slow the decision is taken locally.
   * @throws RangeError (as a rejection) when the policy is not a whole `limit ≥ 0` per `windowSeconds ≥ 1`.
   */
  check(subject: string, policyName: string, policy: RateLimitPolicy): Promise<RateLimitDecision>;
  /** `healthy`; `degraded` while Redis is configured but unreachable (limits are then per replica). */
  health(): ComponentHealth;
  /** Stops the cleanup timer and closes the Redis connection. */
  close(): Promise<void>;
}

export interface RateLimiterOptions {
  /** `redis://…` or `rediss://…`: counters shared by every replica. Unset: counters in this process. */
  redisUrl?: string;
  /** Prefix of every counter key. @default 'maximus:ratelimit' */
  keyPrefix?: string;
  log: Logger;
  /** A check that gets no answer from Redis within this time is decided locally. @default 200 */
  redisTimeoutMs?: number;
}
