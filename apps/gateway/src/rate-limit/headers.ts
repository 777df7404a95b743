import type { RateLimitDecision } from './types.js';

/** Response headers of draft-ietf-httpapi-ratelimit-headers (lowercase names, as Node sends them). */
export interface RateLimitHeaders {
  /** `"<policy>";q=<limit>;w=<windowSeconds>` */
  'ratelimit-policy': string;
  /** `"<policy>";r=<remaining>;t=<resetSeconds>` */
  ratelimit: string;
  /** Seconds to wait (≥ 1): only on a denied decision. */
  'retry-after'?: string;
}

/**
 * The structured-field headers for a decision, e.g. `RateLimit-Policy: "read";q=100;w=60` and
 * `RateLimit: "read";r=42;t=17`, plus `Retry-After` when the request was denied.
 */
export function rateLimitHeaders(decision: RateLimitDecision): RateLimitHeaders {
  const name = sfString(decision.policy);
  const headers: RateLimitHeaders = {
    'ratelimit-policy': `${name};q=${sfInteger(decision.limit)};w=${sfInteger(decision.windowSeconds)}`,
    ratelimit: `${name};r=${sfInteger(decision.remaining)};t=${sfInteger(decision.resetSeconds)}`,
  };
  if (!decision.allowed) headers['retry-after'] = String(Math.max(1, sfInteger(decision.resetSeconds)));
  return headers;
}

/** An RFC 9651 sf-string: printable ASCII, `"` and `\` escaped (anything else becomes `?`). */
function sfString(value: string): string {
  return `"${value.replace(/[^\x20-\x7e]/g, '?').replace(/["\\]/g, '\\$&')}"`;
}

/** An RFC 9651 sf-integer: whole, non-negative here, at most 15 digits. */
function sfInteger(value: number): number {
  return Math.min(999_999_999_999_999, Math.max(0, Math.floor(value)));
}
