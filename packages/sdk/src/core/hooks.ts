import type { MaximusError } from '../errors.js';
import type { ResponseHeaders } from './headers.js';

/**
 * What every hook is told about the attempt. Credentials are never part of it.
 * @example
 * const onRequest = (e: RequestEvent) => console.log(e.attempt, e.method, e.endpoint);
 */
export interface RequestEvent {
  method: string;
  /** The full URL, query included. */
  url: string;
  /** The service the path belongs to (`core`, `eikos`…), or `gateway`. */
  service: string;
  /** The method and route template (`GET /core/api/v1/governance/decisions/:id`), never raw ids. */
  endpoint: string;
  /** 0 for the first attempt, 1 for the first retry… */
  attempt: number;
}

/**
 * An attempt that got an HTTP answer (any status).
 * @example
 * const onResponse = (e: ResponseEvent) => console.log(e.status, e.durationMs, e.requestId);
 */
export interface ResponseEvent extends RequestEvent {
  status: number;
  headers: ResponseHeaders;
  requestId: string | undefined;
  /** From sending the request to the end of the answer's body. */
  durationMs: number;
}

/**
 * A retry about to wait `delayMs` after `error`.
 * @example
 * const onRetry = (e: RetryEvent) => console.warn(`retry ${e.attempt + 1} in ${Math.round(e.delayMs)} ms: ${e.error.code}`);
 */
export interface RetryEvent extends RequestEvent {
  error: MaximusError;
  delayMs: number;
}

/**
 * A call that failed for good (after its retries).
 * @example
 * const onError = (e: ErrorEvent) => report(e.error, { endpoint: e.endpoint });
 */
export interface ErrorEvent extends RequestEvent {
  error: MaximusError;
  /** From the call's start to its failure, retries included. */
  durationMs: number;
}

/**
 * Telemetry hooks, without lock-in: `onRequest` before each attempt is sent, `onResponse` when an attempt got
 * an answer, `onRetry` before each retry's wait, `onError` once when a call fails for good. Calls answered from
 * the cache or joining another call's request send nothing and call no hook. A hook that throws is ignored.
 * @example
 * const client = new Maximus({
 *   hooks: {
 *     onResponse: (e) => log.debug({ endpoint: e.endpoint, status: e.status, ms: e.durationMs }),
 *     onRetry: (e) => log.warn({ endpoint: e.endpoint, attempt: e.attempt, code: e.error.code }),
 *   },
 * });
 */
export interface ClientHooks {
  onRequest?(event: RequestEvent): void;
  onResponse?(event: ResponseEvent): void;
  onRetry?(event: RetryEvent): void;
  onError?(event: ErrorEvent): void;
}
