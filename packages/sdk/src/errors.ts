import type { Problem, ValidationIssue } from '@maximus/contracts';
import { headerValue, parseRetryAfter, type ResponseHeaders } from './core/headers.js';

export type { ResponseHeaders };

/**
 * The codes of the errors the SDK raises itself (an {@link APIError} carries the server's code instead).
 * Stable: a code is never reused for another meaning.
 * @example
 * if (error instanceof MaximusError && error.code === 'SDK_ERR_CIRCUIT_OPEN') console.warn(SDK_ERROR_CODES.SDK_ERR_CIRCUIT_OPEN);
 */
export const SDK_ERROR_CODES = {
  SDK_ERR_OPTIONS_INVALID: 'A client or call option is invalid (the message names it).',
  SDK_ERR_CONNECTION_FAILED: 'No HTTP answer: the connection was refused, reset or closed, and no retry was left.',
  SDK_ERR_REQUEST_TIMEOUT: 'An attempt got no complete answer within `timeout`, and no retry was left.',
  SDK_ERR_REQUEST_DEADLINE_EXCEEDED: 'The call, retries included, did not finish within `deadline`.',
  SDK_ERR_REQUEST_ABORTED: "The caller's AbortSignal aborted the call.",
  SDK_ERR_REQUEST_INVALID: 'undici refused to send the request (an invalid header value, for example).',
  SDK_ERR_RESPONSE_INVALID: 'A successful answer had a body that is not valid JSON.',
  SDK_ERR_HTTP_UNEXPECTED_STATUS: 'An error status came without a problem+json body (a proxy in between, for example).',
  SDK_ERR_CLIENT_CLOSED: 'The call was made after `close()` closed the connection pool.',
  SDK_ERR_CIRCUIT_OPEN: 'The circuit breaker for the service is open; the call was not sent.',
  SDK_ERR_STREAM_IDLE: 'A stream received no event nor heartbeat within its idle timeout.',
} as const;

/**
 * A code of {@link SDK_ERROR_CODES}.
 * @example
 * const code: SdkErrorCode = 'SDK_ERR_REQUEST_TIMEOUT';
 */
export type SdkErrorCode = keyof typeof SDK_ERROR_CODES;

/**
 * What every SDK error carries besides its message.
 * @example
 * const error = new MaximusError('custom failure', { code: 'APP_ERR_CUSTOM', status: 500 });
 */
export interface MaximusErrorOptions {
  code: string;
  status?: number | undefined;
  requestId?: string | undefined;
  cause?: unknown;
}

/**
 * The root of every error the SDK throws: `catch (e) { if (e instanceof MaximusError) … }`.
 * `status` is the HTTP status when there was an answer; `code` is stable (the server's
 * `<PKG>_ERR_…` code, or one of {@link SDK_ERROR_CODES}); `requestId` names the request in the server's logs.
 * @example
 * try {
 *   await client.governance.stats();
 * } catch (error) {
 *   if (error instanceof MaximusError) console.error(error.code, error.status, error.requestId);
 * }
 */
export class MaximusError extends Error {
  readonly status: number | undefined;
  readonly code: string;
  readonly requestId: string | undefined;

  constructor(message: string, options: MaximusErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code;
    this.status = options.status;
    this.requestId = options.requestId;
  }
}

function isProblem(body: unknown): body is Problem {
  if (typeof body !== 'object' || body === null) return false;
  const b = body as Record<string, unknown>;
  return typeof b.code === 'string' && (typeof b.detail === 'string' || typeof b.title === 'string');
}

/**
 * The server answered with an error status. `problem` is its RFC 9457 body when it sent one;
 * `body` is whatever it sent (parsed JSON, or text); `retryAfterMs` the wait it asked for, if any.
 * @example
 * try {
 *   await client.governance.decisions.retrieve('nope');
 * } catch (error) {
 *   if (error instanceof APIError) console.error(error.status, error.code, error.requestId);
 * }
 */
export class APIError extends MaximusError {
  declare readonly status: number;
  readonly headers: ResponseHeaders;
  readonly problem: Problem | undefined;
  readonly body: unknown;
  /**
   * The wait the server asked for (`retry-after-ms`, else `Retry-After` in seconds or as an HTTP date),
   * uncapped; undefined when it named none. Set on 429 and 503 answers alike.
   */
  readonly retryAfterMs: number | undefined;

  constructor(status: number, body: unknown, headers: ResponseHeaders = {}, cause?: unknown) {
    const problem = isProblem(body) ? body : undefined;
    const requestId = problem?.request_id ?? headerValue(headers, 'x-request-id');
    const code = problem?.code ?? 'SDK_ERR_HTTP_UNEXPECTED_STATUS';
    const detail = problem ? (problem.detail ?? problem.title) : typeof body === 'string' && body ? body.slice(0, 200) : 'no problem details';
    super(`${status} ${code}: ${detail}`, { code, status, requestId, cause });
    this.headers = headers;
    this.problem = problem;
    this.body = body;
    this.retryAfterMs = parseRetryAfter(headers);
  }

  /**
   * The error class for a status: 400 {@link BadRequestError}, 401 {@link AuthenticationError},
   * 403 {@link PermissionDeniedError}, 404 {@link NotFoundError}, 409 {@link ConflictError},
   * 422 {@link UnprocessableEntityError}, 429 {@link RateLimitError}, 503 {@link ServiceUnavailableError},
   * other 5xx {@link InternalServerError}, anything else a plain {@link APIError}.
   * @example
   * const error = APIError.generate(409, { code: 'CORE_ERR_DECISION_DECIDED', detail: '…', request_id: 'r1' });
   * error instanceof ConflictError; // true
   */
  static generate(status: number, body: unknown, headers: ResponseHeaders = {}, cause?: unknown): APIError {
    switch (status) {
      case 400:
        return new BadRequestError(status, body, headers, cause);
      case 401:
        return new AuthenticationError(status, body, headers, cause);
      case 403:
        return new PermissionDeniedError(status, body, headers, cause);
      case 404:
        return new NotFoundError(status, body, headers, cause);
      case 409:
        return new ConflictError(status, body, headers, cause);
      case 422:
        return new UnprocessableEntityError(status, body, headers, cause);
      case 429:
        return new RateLimitError(status, body, headers, cause);
      case 503:
        return new ServiceUnavailableError(status, body, headers, cause);
      default:
        return status >= 500 ? new InternalServerError(status, body, headers, cause) : new APIError(status, body, headers, cause);
    }
  }
}

/**
 * 400: the request is invalid; `errors` lists each bad field as `{ pointer, message }` (JSON Pointer, RFC 6901).
 * @example
 * if (error instanceof BadRequestError) for (const { pointer, message } of error.errors) console.error(pointer, message);
 */
export class BadRequestError extends APIError {
  readonly errors: readonly ValidationIssue[];

  constructor(status: number, body: unknown, headers?: ResponseHeaders, cause?: unknown) {
    super(status, body, headers, cause);
    this.errors = this.problem?.errors ?? [];
  }
}

/**
 * 401: no credentials, or credentials the server does not accept.
 * @example
 * if (error instanceof AuthenticationError) console.error('set MAXIMUS_API_KEY or MAXIMUS_TOKEN');
 */
export class AuthenticationError extends APIError {}
/**
 * 403: the credentials are valid but lack the permission.
 * @example
 * if (error instanceof PermissionDeniedError) console.error('this needs an admin key');
 */
export class PermissionDeniedError extends APIError {}
/**
 * 404: no such resource (or route).
 * @example
 * const decision = await client.governance.decisions.retrieve(id).catch((e: unknown) => (e instanceof NotFoundError ? undefined : Promise.reject(e)));
 */
export class NotFoundError extends APIError {}
/**
 * 409: the request conflicts with the resource's state; never retried.
 * @example
 * await client.governance.decisions.approve(id).catch((e: unknown) => { if (!(e instanceof ConflictError)) throw e; }); // already decided
 */
export class ConflictError extends APIError {}
/**
 * 422: well-formed, but the server cannot act on it (an `Idempotency-Key` reused for another request, for example).
 * @example
 * if (error instanceof UnprocessableEntityError) console.error(error.code, error.problem?.detail);
 */
export class UnprocessableEntityError extends APIError {}

/**
 * 429: too many requests. `retryAfterMs` is the wait the server asked for (`retry-after-ms` or
 * `Retry-After`), uncapped; undefined when it named none. The SDK retries a 429 after that wait, unless
 * the wait would end past the call's deadline: then it throws this error at once, so that the caller can
 * decide (queue the work, tell the user when to come back).
 * @example
 * try {
 *   await client.evidence.create({ type: 'deploy', subject_id: 'svc-42', payload: {} }, { deadline: 5_000 });
 * } catch (error) {
 *   if (error instanceof RateLimitError) setTimeout(retryLater, error.retryAfterMs ?? 1_000);
 * }
 */
export class RateLimitError extends APIError {}

/**
 * 5xx: the server failed.
 * @example
 * if (error instanceof InternalServerError) console.error('server fault, quote', error.requestId);
 */
export class InternalServerError extends APIError {}
/**
 * 503: the service (or one it depends on) is unavailable; `retryAfterMs` says when to come back, if the
 * server said.
 * @example
 * if (error instanceof ServiceUnavailableError) console.error(`down; retry in ${error.retryAfterMs ?? '?'} ms`);
 */
export class ServiceUnavailableError extends InternalServerError {}

/**
 * No HTTP answer: connection refused, reset or closed (after the retries). `cause` is the network error.
 * @example
 * if (error instanceof ConnectionError) console.error(`gateway unreachable: ${String(error.cause)}`);
 */
export class ConnectionError extends MaximusError {
  constructor(message: string, cause?: unknown) {
    super(message, { code: 'SDK_ERR_CONNECTION_FAILED', cause });
  }
}

/**
 * The call ran out of time: `code` is `SDK_ERR_REQUEST_TIMEOUT` when every attempt hit the per-attempt
 * `timeout`, `SDK_ERR_REQUEST_DEADLINE_EXCEEDED` when the whole call hit its `deadline`,
 * `SDK_ERR_STREAM_IDLE` when a stream fell silent ({@link StreamIdleTimeoutError}).
 * `cause` is the last attempt's error, if any.
 * @example
 * const health = await client.health({ deadline: 2_000 }).catch((e: unknown) => (e instanceof TimeoutError ? undefined : Promise.reject(e)));
 */
export class TimeoutError extends MaximusError {
  constructor(message: string, code: 'SDK_ERR_REQUEST_TIMEOUT' | 'SDK_ERR_REQUEST_DEADLINE_EXCEEDED' | 'SDK_ERR_STREAM_IDLE', cause?: unknown) {
    super(message, { code, cause });
  }
}

/**
 * A stream (`client.events.subscribe`, `client.governance.stream`, `client.consciousness.stream`) received no
 * event and no heartbeat for `idleMs`: the connection is taken for dead. The stream reopens it from the last
 * event id by itself, and throws this when `maxReconnects` connections in a row fell silent (at once with
 * `maxReconnects: 0`); `query.stream` throws it at once.
 * @example
 * try {
 *   for await (const e of client.governance.stream({ idleTimeoutMs: 30_000, maxReconnects: 0 })) handle(e);
 * } catch (error) {
 *   if (error instanceof StreamIdleTimeoutError) console.warn(`silent for ${error.idleMs} ms`);
 * }
 */
export class StreamIdleTimeoutError extends TimeoutError {
  /** The idle timeout that ran out, in ms. */
  readonly idleMs: number;

  constructor(idleMs: number) {
    super(`No event nor heartbeat within ${idleMs} ms`, 'SDK_ERR_STREAM_IDLE');
    this.idleMs = idleMs;
  }
}

/**
 * The caller's `signal` aborted the call. `cause` is the signal's reason.
 * @example
 * const stop = new AbortController();
 * setTimeout(() => stop.abort('user left'), 1_000);
 * await client.forensics.analyze({}, { signal: stop.signal }).catch((e: unknown) => { if (!(e instanceof APIUserAbortError)) throw e; });
 */
export class APIUserAbortError extends MaximusError {
  constructor(cause?: unknown) {
    super('The call was aborted by its signal', { code: 'SDK_ERR_REQUEST_ABORTED', cause });
  }
}

/**
 * The circuit breaker of the upstream is open (or half-open with its trial calls all taken), so the call
 * was not sent. `upstream` names it (`http://host:8000/core`); `retryAfterMs` is how long it stays open.
 * `client.breakers()` shows every breaker's state.
 * @example
 * try {
 *   await client.governance.stats();
 * } catch (error) {
 *   if (error instanceof CircuitOpenError) console.warn(`${error.upstream} is failing; next try in ${error.retryAfterMs} ms`);
 * }
 */
export class CircuitOpenError extends MaximusError {
  /** The upstream whose breaker refused the call. */
  readonly upstream: string | undefined;
  /** Milliseconds until the breaker lets a trial call through (0 when half-open and busy). */
  readonly retryAfterMs: number | undefined;

  constructor(message: string, cause?: unknown, details: { upstream?: string; retryAfterMs?: number } = {}) {
    super(message, { code: 'SDK_ERR_CIRCUIT_OPEN', cause });
    this.upstream = details.upstream;
    this.retryAfterMs = details.retryAfterMs;
  }
}
