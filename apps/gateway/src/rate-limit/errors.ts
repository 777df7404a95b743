import { createError, type CodedError } from '@maximus/kit/errors';
import type { RateLimitDecision } from './types.js';

/** 429: `new RateLimited(limit, windowSeconds, policy, retryAfterSeconds)`; prefer {@link rateLimitedError}. */
export const RateLimited = createError('GATEWAY_ERR_RATE_LIMITED', 'Rate limit of %s requests per %s s exceeded for %s; retry after %s s', 429);

/** The 429 for a denied decision, with `retryAfterSeconds` set (the problem handler sends it as `Retry-After`). */
export function rateLimitedError(decision: RateLimitDecision): CodedError {
  const retryAfter = Math.max(1, decision.resetSeconds);
  const error = new RateLimited(decision.limit, decision.windowSeconds, decision.policy, retryAfter) as CodedError;
  error.retryAfterSeconds = retryAfter;
  return error;
}
