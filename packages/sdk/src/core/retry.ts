import { APIError, ConnectionError, MaximusError, TimeoutError } from '../errors.js';
import { headerValue, parseRetryAfter } from './headers.js';
import type { ResolvedRetryOptions } from './options.js';

/** Network error codes that mean "no HTTP answer": the call is retried and ends as a ConnectionError. */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** undici's own timers (the SDK's per-attempt timer normally fires first). */
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Maps an error thrown by undici onto the SDK's hierarchy.
 * @example
 * fromTransportError(Object.assign(new Error('reset'), { code: 'ECONNRESET' }), 1_000); // a ConnectionError
 */
export function fromTransportError(error: unknown, timeoutMs: number): MaximusError {
  if (error instanceof MaximusError) return error;
  const code = codeOf(error) ?? codeOf((error as { cause?: unknown } | null)?.cause);
  const message = error instanceof Error ? error.message : String(error);
  if (code !== undefined && CONNECTION_CODES.has(code)) return new ConnectionError(`Connection failed (${code}): ${message}`, error);
  if (code !== undefined && TIMEOUT_CODES.has(code)) {
    return new TimeoutError(`No answer within ${timeoutMs} ms`, 'SDK_ERR_REQUEST_TIMEOUT', error);
  }
  if (code === 'UND_ERR_DESTROYED' || code === 'UND_ERR_CLOSED') {
    return new MaximusError('The client is closed', { code: 'SDK_ERR_CLIENT_CLOSED', cause: error });
  }
  return new MaximusError(`The request could not be sent: ${message}`, { code: 'SDK_ERR_REQUEST_INVALID', cause: error });
}

/** Methods that may be repeated without changing the outcome (RFC 9110 §9.2.2). */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

/**
 * The server's own word on retrying, as openai-node and the Anthropic SDK read it: `x-should-retry: true` or
 * `false` (MAXIMUS sends `false` with a refusal that lasts until someone acts, such as the kill switch's 503).
 * @example
 * serverSaysRetry(APIError.generate(503, {}, { 'x-should-retry': 'false' })); // false
 */
export function serverSaysRetry(error: APIError): boolean | undefined {
  const said = headerValue(error.headers, 'x-should-retry');
  return said === 'true' ? true : said === 'false' ? false : undefined;
}

/**
 * Connection errors, per-attempt timeouts, 408, 429 and 5xx are retried; 409 and other 4xx never are, unless
 * the server's `x-should-retry` says otherwise. With `method`, a POST or PATCH is retried only when
 * `hasIdempotencyKey` (the gateway then replays the first answer instead of acting twice).
 * @example
 * isRetryable(APIError.generate(503, {}), 'POST', false); // false: no Idempotency-Key
 */
export function isRetryable(error: MaximusError, method?: string, hasIdempotencyKey = false): boolean {
  if (method !== undefined && !IDEMPOTENT.has(method) && !hasIdempotencyKey) return false;
  if (error instanceof ConnectionError) return true;
  if (error instanceof TimeoutError) return error.code === 'SDK_ERR_REQUEST_TIMEOUT';
  if (error instanceof APIError) return serverSaysRetry(error) ?? (error.status === 408 || error.status === 429 || error.status >= 500);
  return false;
}

/**
 * How an attempt's outcome counts for the circuit breaker: connection errors, timed-out attempts and 5xx are
 * failures (the upstream is unwell); other answers, 4xx included, are successes, and so is a 5xx the server
 * marked `x-should-retry: false` (it answered on purpose: the kill switch must not open the breaker and block the
 * call that lifts it); aborts and client-side errors count for nothing.
 * @example
 * breakerOutcome(new ConnectionError('reset')); // 'failure'
 */
export function breakerOutcome(error: MaximusError | undefined): 'success' | 'failure' | 'ignored' {
  if (error === undefined) return 'success';
  if (error instanceof ConnectionError) return 'failure';
  if (error instanceof TimeoutError) return error.code === 'SDK_ERR_REQUEST_TIMEOUT' ? 'failure' : 'ignored';
  if (error instanceof APIError) return error.status >= 500 && serverSaysRetry(error) !== false ? 'failure' : 'success';
  return 'ignored';
}

/**
 * The backoff before retry number `retry` (0 for the first retry). Full jitter:
 * `random(0, min(maxDelayMs, baseDelayMs · 2^retry))`. Decorrelated jitter:
 * `min(maxDelayMs, random(baseDelayMs, 3 · previous))`, `previous` being the last delay (`baseDelayMs` at first).
 * @example
 * backoffDelay(2, { baseDelayMs: 500, maxDelayMs: 8000, maxRetryAfterMs: 60000, jitter: 'full' }); // in [0, 2000)
 */
export function backoffDelay(retry: number, options: ResolvedRetryOptions, random: () => number = Math.random, previous?: number): number {
  if (options.jitter === 'decorrelated') {
    const low = options.baseDelayMs;
    const high = Math.max(low, 3 * (previous ?? low));
    return Math.min(options.maxDelayMs, low + random() * (high - low));
  }
  return random() * Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** retry);
}

/**
 * How long to wait before retrying after `error`: the server's `retry-after-ms` / `Retry-After`, capped at
 * `maxRetryAfterMs`, when it sent one; else {@link backoffDelay}.
 * @example
 * retryDelay(APIError.generate(429, {}, { 'retry-after': '2' }), 0, client.options.retry); // 2000
 */
export function retryDelay(error: MaximusError, retry: number, options: ResolvedRetryOptions, previous?: number): number {
  const asked = error instanceof APIError ? parseRetryAfter(error.headers) : undefined;
  return asked === undefined ? backoffDelay(retry, options, Math.random, previous) : Math.min(asked, options.maxRetryAfterMs);
}
