import { randomUUID } from 'node:crypto';
import type { Dispatcher } from 'undici';
import { APIError, APIUserAbortError, MaximusError, TimeoutError } from '../errors.js';
import type { APIResponse } from './api-promise.js';
import { headerValue, type ResponseHeaders } from './headers.js';
import { checkNumber, type ResolvedClientOptions } from './options.js';
import { fromTransportError, isRetryable, retryDelay } from './retry.js';

/** The SDK's version, sent in `User-Agent`. */
export const VERSION = '0.1.0';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** What a resource method asks of the transport. */
export interface RequestParams {
  method: HttpMethod;
  /** The path below `baseURL`, starting with `/`. */
  path: string;
  /** Query parameters; `undefined` and `null` values are left out. */
  query?: Readonly<Record<string, string | number | boolean | null | undefined>>;
  /** Sent as JSON. */
  body?: unknown;
  /**
   * Error statuses whose JSON body is the answer rather than an error (the gateway's health answers 503
   * with its usual body when the platform is down). A `problem+json` body is an error all the same.
   */
  acceptStatuses?: readonly number[];
}

/** Per-call overrides, the last argument of every SDK method. */
export interface RequestOptions {
  /** Milliseconds one attempt may take. @default the client's `timeout` */
  timeout?: number;
  /** Milliseconds the whole call may take, retries included. @default the client's `deadline` */
  deadline?: number;
  /** @default the client's `maxRetries` */
  maxRetries?: number;
  /** Extra headers; they override the client's; `null` removes one. */
  headers?: Readonly<Record<string, string | null | undefined>>;
  /** Aborts the call at once, with {@link APIUserAbortError}. */
  signal?: AbortSignal;
  /**
   * The `Idempotency-Key` of a POST, PUT, PATCH or DELETE, the same on each of the call's retries.
   * Pass your own to make a call safe to repeat across process restarts.
   * @default a random UUID per call
   */
  idempotencyKey?: string;
}

const WITH_IDEMPOTENCY_KEY = new Set<HttpMethod>(['POST', 'PUT', 'PATCH', 'DELETE']);
const USER_AGENT = `maximus-sdk/${VERSION} node/${process.version}`;

function buildHeaders(client: ResolvedClientOptions, params: RequestParams, options: RequestOptions): Record<string, string> {
  const headers: Record<string, string> = { accept: 'application/json', 'user-agent': USER_AGENT };
  if (params.body !== undefined) headers['content-type'] = 'application/json';
  if (client.apiKey) headers['x-api-key'] = client.apiKey;
  if (client.token) headers.authorization = `Bearer ${client.token}`;
  for (const [name, value] of Object.entries(client.defaultHeaders)) headers[name.toLowerCase()] = value;
  if (WITH_IDEMPOTENCY_KEY.has(params.method)) headers['idempotency-key'] = options.idempotencyKey ?? randomUUID();
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    if (value === null || value === undefined) delete headers[name.toLowerCase()];
    else headers[name.toLowerCase()] = value;
  }
  return headers;
}

function buildTarget(baseURL: string, params: RequestParams): { origin: string; path: string } {
  const base = new URL(baseURL);
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params.query ?? {})) {
    if (value !== undefined && value !== null) search.append(name, String(value));
  }
  const query = search.size > 0 ? `?${search.toString()}` : '';
  return { origin: base.origin, path: `${base.pathname.replace(/\/+$/, '')}${params.path}${query}` };
}

/** Rejects with the signal's reason as soon as it aborts, even if `promise` is slower to notice. */
function untilAborted<V>(promise: Promise<V>, signal: AbortSignal): Promise<V> {
  promise.catch(() => {}); // its rejection is reported through the race below, or superseded by the abort
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<V>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the original reason passes through unchanged
        reject(error);
      },
    );
  });
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Turns an HTTP answer into the call's result, or into the error it stands for. */
function interpret<T>(status: number, headers: ResponseHeaders, text: string, params: RequestParams): APIResponse<T> | MaximusError {
  const requestId = headerValue(headers, 'x-request-id');
  const contentType = headerValue(headers, 'content-type') ?? '';
  const isProblem = contentType.includes('problem+json');
  const ok = (status >= 200 && status < 300) || (!isProblem && params.acceptStatuses?.includes(status) === true);
  let body: unknown = text === '' ? undefined : text;
  if (text !== '' && /[/+]json\b/i.test(contentType)) {
    try {
      body = JSON.parse(text);
    } catch (cause) {
      if (ok) return new MaximusError(`The ${status} answer is not valid JSON`, { code: 'SDK_ERR_RESPONSE_INVALID', status, requestId, cause });
    }
  }
  if (!ok) return APIError.generate(status, body, headers);
  return { data: body as T, response: { status, headers, requestId } };
}

interface Attempt {
  dispatcher: Dispatcher;
  request: Dispatcher.RequestOptions;
  params: RequestParams;
  timeout: number;
  /** Aborted (with the error to throw) when the call's deadline passes or the caller aborts. */
  callSignal: AbortSignal;
}

/** One attempt: its result, or the error it ended with. Throws only when the whole call must end. */
async function attempt<T>({ dispatcher, request, params, timeout, callSignal }: Attempt): Promise<APIResponse<T> | MaximusError> {
  if (callSignal.aborted) throw callSignal.reason;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new TimeoutError(`No answer within ${timeout} ms`, 'SDK_ERR_REQUEST_TIMEOUT')), timeout);
  const onCallAbort = () => controller.abort(callSignal.reason);
  callSignal.addEventListener('abort', onCallAbort, { once: true });
  try {
    const response = await untilAborted(dispatcher.request({ ...request, signal: controller.signal }), controller.signal);
    const text = await untilAborted(response.body.text(), controller.signal);
    return interpret<T>(response.statusCode, response.headers, text, params);
  } catch (error) {
    if (callSignal.aborted) throw callSignal.reason;
    if (controller.signal.aborted) return controller.signal.reason as TimeoutError;
    return fromTransportError(error, timeout);
  } finally {
    clearTimeout(timer);
    callSignal.removeEventListener('abort', onCallAbort);
  }
}

/**
 * Sends a request with retries under a hard deadline; see {@link RequestOptions} for the knobs.
 * @throws APIError (a subclass per status), ConnectionError, TimeoutError, APIUserAbortError, MaximusError
 */
export async function performRequest<T>(client: ResolvedClientOptions, params: RequestParams, options: RequestOptions = {}): Promise<APIResponse<T>> {
  const timeout = checkNumber('timeout', options.timeout ?? client.timeout, 1);
  const deadline = checkNumber('deadline', options.deadline ?? client.deadline, 1);
  const maxRetries = checkNumber('maxRetries', options.maxRetries ?? client.maxRetries, 0, true);
  const { signal } = options;
  if (signal?.aborted) throw new APIUserAbortError(signal.reason);

  const request: Dispatcher.RequestOptions = {
    ...buildTarget(client.baseURL, params),
    method: params.method,
    headers: buildHeaders(client, params, options),
    body: params.body === undefined ? null : JSON.stringify(params.body),
    // The SDK's own timers govern; undici's 300 s defaults would only cap a long `timeout`.
    headersTimeout: 0,
    bodyTimeout: 0,
  };
  const call = new AbortController();
  const deadlineAt = performance.now() + deadline;
  let lastError: MaximusError | undefined;
  const deadlineTimer = setTimeout(() => {
    call.abort(new TimeoutError(`The call did not finish within its ${deadline} ms deadline`, 'SDK_ERR_REQUEST_DEADLINE_EXCEEDED', lastError));
  }, deadline);
  const onUserAbort = () => call.abort(new APIUserAbortError(signal?.reason));
  signal?.addEventListener('abort', onUserAbort, { once: true });
  try {
    for (let retry = 0; ; retry++) {
      const result = await attempt<T>({ dispatcher: client.dispatcher, request, params, timeout, callSignal: call.signal });
      if (!(result instanceof MaximusError)) return result;
      lastError = result;
      if (retry >= maxRetries || !isRetryable(result)) throw result;
      const wait = retryDelay(result, retry, client.retry);
      // A wait that would end past the deadline cannot help: fail now with the error in hand.
      if (performance.now() + wait >= deadlineAt) throw result;
      await sleep(wait, call.signal);
    }
  } finally {
    clearTimeout(deadlineTimer);
    signal?.removeEventListener('abort', onUserAbort);
  }
}
