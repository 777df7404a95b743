import type { Problem, ValidationIssue } from '@maximus/contracts';
import { headerValue, parseRetryAfter, type ResponseHeaders } from './core/headers.js';

export type { ResponseHeaders };

/**
 * The codes of the errors the SDK raises itself (an {@link APIError} carries the server's code instead).
 * Stable: a code is never reused for another meaning.
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
} as const;

/** A code of {@link SDK_ERROR_CODES}. */
export type SdkErrorCode = keyof typeof SDK_ERROR_CODES;

/** What every SDK error carries besides its message. */
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
 * `body` is whatever it sent (parsed JSON, or text).
 */
export class APIError extends MaximusError {
  declare readonly status: number;
  readonly headers: ResponseHeaders;
  readonly problem: Problem | undefined;
  readonly body: unknown;

  constructor(status: number, body: unknown, headers: ResponseHeaders = {}, cause?: unknown) {
    const problem = isProblem(body) ? body : undefined;
    const requestId = problem?.request_id ?? headerValue(headers, 'x-request-id');
    const code = problem?.code ?? 'SDK_ERR_HTTP_UNEXPECTED_STATUS';
    const detail = problem ? (problem.detail ?? problem.title) : typeof body === 'string' && body ? body.slice(0, 200) : 'no problem details';
    super(`${status} ${code}: ${detail}`, { code, status, requestId, cause });
    this.headers = headers;
    this.problem = problem;
    this.body = body;
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

/** 400: the request is invalid; `errors` lists each bad field as `{ pointer, message }` (JSON Pointer, RFC 6901). */
export class BadRequestError extends APIError {
  readonly errors: readonly ValidationIssue[];

  constructor(status: number, body: unknown, headers?: ResponseHeaders, cause?: unknown) {
    super(status, body, headers, cause);
    this.errors = this.problem?.errors ?? [];
  }
}

/** 401: no credentials, or credentials the server does not accept. */
export class AuthenticationError extends APIError {}
/** 403: the credentials are valid but lack the permission. */
export class PermissionDeniedError extends APIError {}
/** 404: no such resource (or route). */
export class NotFoundError extends APIError {}
/** 409: the request conflicts with the resource's state; never retried. */
export class ConflictError extends APIError {}
/** 422: well-formed, but the server cannot act on it. */
export class UnprocessableEntityError extends APIError {}

/**
 * 429: too many requests. `retryAfterMs` is the wait the server asked for (`retry-after-ms` or
 * `Retry-After`), uncapped; undefined when it named none.
 */
export class RateLimitError extends APIError {
  readonly retryAfterMs: number | undefined;

  constructor(status: number, body: unknown, headers: ResponseHeaders = {}, cause?: unknown) {
    super(status, body, headers, cause);
    this.retryAfterMs = parseRetryAfter(headers);
  }
}

/** 5xx: the server failed. */
export class InternalServerError extends APIError {}
/** 503: the service (or one it depends on) is unavailable. */
export class ServiceUnavailableError extends InternalServerError {}

/** No HTTP answer: connection refused, reset or closed. `cause` is the network error. */
export class ConnectionError extends MaximusError {
  constructor(message: string, cause?: unknown) {
    super(message, { code: 'SDK_ERR_CONNECTION_FAILED', cause });
  }
}

/**
 * The call ran out of time: `code` is `SDK_ERR_REQUEST_TIMEOUT` when every attempt hit the per-attempt
 * `timeout`, `SDK_ERR_REQUEST_DEADLINE_EXCEEDED` when the whole call hit its `deadline`.
 * `cause` is the last attempt's error, if any.
 */
export class TimeoutError extends MaximusError {
  constructor(message: string, code: 'SDK_ERR_REQUEST_TIMEOUT' | 'SDK_ERR_REQUEST_DEADLINE_EXCEEDED', cause?: unknown) {
    super(message, { code, cause });
  }
}

/** The caller's `signal` aborted the call. `cause` is the signal's reason. */
export class APIUserAbortError extends MaximusError {
  constructor(cause?: unknown) {
    super('The call was aborted by its signal', { code: 'SDK_ERR_REQUEST_ABORTED', cause });
  }
}

/** The circuit breaker for a service is open, so the call was not sent (no breaker is wired yet). */
export class CircuitOpenError extends MaximusError {
  constructor(message: string, cause?: unknown) {
    super(message, { code: 'SDK_ERR_CIRCUIT_OPEN', cause });
  }
}
