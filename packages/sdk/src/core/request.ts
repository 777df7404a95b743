import { randomUUID } from 'node:crypto';
import type { Context, Span } from '@opentelemetry/api';
import type { Dispatcher } from 'undici';
import { APIError, APIUserAbortError, CircuitOpenError, MaximusError, TimeoutError } from '../errors.js';
import { routeTemplate } from '../routes.js';
import type { APIResponse } from './api-promise.js';
import type { BreakerPermit, CircuitBreaker } from './breaker.js';
import type { RetryBudget } from './budget.js';
import type { CacheInfo, RawResponse } from './cache.js';
import { Cancel } from './cancel.js';
import { headerValue, type ResponseHeaders } from './headers.js';
import { checkCachePolicy, checkNumber, resolveRetryOptions, type CachePolicy, type ResolvedClientOptions, type ResolvedRetryOptions, type RetryOptions } from './options.js';
import { backoffDelay, breakerOutcome, fromTransportError, isRetryable } from './retry.js';
import { VERSION, type Runtime } from './runtime.js';
import { endAttemptSpan, endCallSpan, startAttemptSpan, startCallSpan } from './telemetry.js';
import { onAbort } from './signals.js';
import { resourceOf } from './upstream.js';

export { VERSION };

/**
 * The HTTP methods the SDK sends.
 * @example
 * const method: HttpMethod = 'GET';
 */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * What a resource method asks of the transport.
 * @example
 * const params: RequestParams = { method: 'GET', path: '/eikos/api/v1/ledger/root' };
 */
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

/**
 * Per-call overrides, the last argument of every SDK method.
 * @example
 * await client.governance.stats({ timeout: 2_000, maxRetries: 0, headers: { 'x-request-id': 'dash-42' } });
 * await client.ledger.publicKey({ cache: { ttlMs: 3_600_000 } });
 */
export interface RequestOptions {
  /** Milliseconds one attempt may take. @default the client's `timeout` */
  timeout?: number;
  /** Milliseconds the whole call may take, retries included. @default the client's `deadline` */
  deadline?: number;
  /** @default the client's `maxRetries` */
  maxRetries?: number;
  /** Backoff settings merged over the client's. @default the client's `retry` */
  retry?: RetryOptions;
  /** Extra headers; they override the client's; `null` removes one. */
  headers?: Readonly<Record<string, string | null | undefined>>;
  /** Aborts the call at once, with {@link APIUserAbortError}. */
  signal?: AbortSignal;
  /**
   * The `Idempotency-Key` of a POST, PUT, PATCH or DELETE, the same on each of the call's retries.
   * Pass your own to make a call safe to repeat across process restarts. A POST or PATCH whose key is
   * removed (`headers: { 'idempotency-key': null }`) is never retried.
   * @default a random UUID per call
   */
  idempotencyKey?: string;
  /** Cache this read's answer with this policy; `false` bypasses the cache. @default the client's first matching `cache.rules` entry, else none */
  cache?: CachePolicy | false;
  /** `false`: this read never shares another's request. @default the client's `coalesce` */
  coalesce?: boolean;
  /** `false`: this read of a batchable resource travels alone. @default true when the client's `batching` is on */
  batch?: boolean;
  /** `false`: this call ignores the circuit breaker (and is not counted by it). @default true */
  circuitBreaker?: boolean;
  /** `false`: this call's retries are not limited by (nor counted in) the retry budget. @default true */
  retryBudget?: boolean;
}

const WITH_IDEMPOTENCY_KEY = new Set<HttpMethod>(['POST', 'PUT', 'PATCH', 'DELETE']);
const USER_AGENT = `maximus-sdk/${VERSION} node/${process.version}`;
/** Headers that differ between identical reads without changing the answer. */
const VOLATILE_HEADERS = new Set(['x-request-id', 'traceparent', 'tracestate', 'baggage', 'user-agent']);

/**
 * The headers of every call: accept, user agent, credentials, the client's default headers, then the call's.
 * @internal
 */
export function baseHeaders(client: ResolvedClientOptions, perCall: RequestOptions['headers'] = undefined, accept = 'application/json'): Record<string, string> {
  const headers: Record<string, string> = { accept, 'user-agent': USER_AGENT };
  if (client.apiKey) headers['x-api-key'] = client.apiKey;
  if (client.token) headers.authorization = `Bearer ${client.token}`;
  for (const name in client.defaultHeaders) headers[name.toLowerCase()] = client.defaultHeaders[name]!;
  if (perCall) applyHeaders(headers, perCall);
  return headers;
}

function applyHeaders(headers: Record<string, string>, perCall: NonNullable<RequestOptions['headers']>): void {
  for (const name in perCall) {
    const value = perCall[name];
    if (value === null || value === undefined) delete headers[name.toLowerCase()];
    else headers[name.toLowerCase()] = value;
  }
}

function buildHeaders(client: ResolvedClientOptions, params: RequestParams, options: RequestOptions): Record<string, string> {
  const headers = baseHeaders(client);
  if (params.body !== undefined) headers['content-type'] = 'application/json';
  if (WITH_IDEMPOTENCY_KEY.has(params.method)) headers['idempotency-key'] = options.idempotencyKey ?? randomUUID();
  if (options.headers) applyHeaders(headers, options.headers);
  return headers;
}

function buildPath(basePath: string, params: RequestParams): string {
  let query = '';
  if (params.query) {
    const search = new URLSearchParams();
    for (const name in params.query) {
      const value = params.query[name];
      if (value !== undefined && value !== null) search.append(name, String(value));
    }
    if (search.size > 0) query = `?${search.toString()}`;
  }
  return `${basePath}${params.path}${query}`;
}

function sleep(ms: number, cancel: Cancel): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe();
      resolve();
    }, ms);
    const unsubscribe = cancel.subscribe((reason) => {
      clearTimeout(timer);
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the call's reason passes through unchanged
      reject(reason);
    });
  });
}

const isJson = (headers: ResponseHeaders) => /[/+]json\b/i.test(headerValue(headers, 'content-type') ?? '');

/** The error an HTTP answer stands for, or undefined when it is the call's result. */
function errorOf(raw: RawResponse, params: RequestParams): APIError | undefined {
  const { status, headers, text } = raw;
  if (status >= 200 && status < 300) return undefined;
  const isProblem = (headerValue(headers, 'content-type') ?? '').includes('problem+json');
  if (!isProblem && params.acceptStatuses?.includes(status) === true) return undefined;
  let body: unknown = text === '' ? undefined : text;
  if (text !== '' && isJson(headers)) {
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON after all: the text is the body
    }
  }
  return APIError.generate(status, body, headers);
}

/**
 * Parses a raw answer into the caller's own copy of the result. Headers: `own` (the answer is this call's),
 * `shared` (coalesced: copied for all but the first taker), `cached` (always copied: the cache keeps them).
 */
function materialize<T>(raw: RawResponse, headersAre: 'own' | 'shared' | 'cached', cache?: CacheInfo): APIResponse<T> {
  let headers = raw.headers;
  if (headersAre === 'cached') headers = { ...raw.headers };
  else if (headersAre === 'shared') {
    if (raw.taken) headers = { ...raw.headers };
    else raw.taken = true;
  }
  const requestId = headerValue(headers, 'x-request-id');
  let data: unknown = raw.text === '' ? undefined : raw.text;
  if (raw.text !== '' && isJson(headers)) {
    try {
      data = JSON.parse(raw.text);
    } catch (cause) {
      throw new MaximusError(`The ${raw.status} answer is not valid JSON`, { code: 'SDK_ERR_RESPONSE_INVALID', status: raw.status, requestId, cause });
    }
  }
  return { data: data as T, response: cache ? { status: raw.status, headers, requestId, cache } : { status: raw.status, headers, requestId } };
}

/** One call as the retry loop runs it. */
interface Plan {
  rt: Runtime;
  params: RequestParams;
  dispatcher: Dispatcher;
  origin: string;
  path: string;
  headers: Record<string, string>;
  body: string | null;
  timeout: number;
  maxRetries: number;
  retry: ResolvedRetryOptions;
  service: string;
  /** The route template (`/core/api/v1/governance/decisions/:id`), worked out only when telemetry needs it. */
  template: string | undefined;
  breaker: CircuitBreaker | undefined;
  budget: RetryBudget | undefined;
}

/** What a run of the retry loop reads and leaves: the token that ends it, its deadline, its last error. */
interface Run {
  cancel: Cancel;
  deadlineAt: number;
  lastError: MaximusError | undefined;
}

/**
 * A call's own cancellation: by its deadline (with a TimeoutError) or by the caller's signal (with an
 * APIUserAbortError). `dispose()` clears the timer and the subscription to the caller's signal.
 */
class CallScope implements Run {
  readonly cancel = new Cancel();
  readonly #timer: NodeJS.Timeout;
  readonly #unsubscribe: (() => void) | undefined;
  readonly deadlineAt: number;
  lastError: MaximusError | undefined;

  readonly #deadline: number;

  constructor(deadline: number, user: AbortSignal | undefined) {
    this.#deadline = deadline;
    this.deadlineAt = performance.now() + deadline;
    this.#timer = setTimeout(CallScope.#onDeadline, deadline, this);
    if (user) this.#unsubscribe = onAbort(user, () => this.cancel.abort(new APIUserAbortError(user.reason)));
  }

  static #onDeadline(self: CallScope): void {
    self.cancel.abort(new TimeoutError(`The call did not finish within its ${self.#deadline} ms deadline`, 'SDK_ERR_REQUEST_DEADLINE_EXCEEDED', self.lastError));
  }

  dispose(): void {
    clearTimeout(this.#timer);
    this.#unsubscribe?.();
  }
}

/**
 * A shared run (coalesced, or filling the cache) ends on its own token but reports its last error to the
 * call that started it, for the cause of that call's deadline error.
 */
class SharedRun implements Run {
  readonly cancel: Cancel;
  readonly deadlineAt: number;
  readonly #scope: CallScope;

  constructor(cancel: Cancel, scope: CallScope) {
    this.cancel = cancel;
    this.deadlineAt = scope.deadlineAt;
    this.#scope = scope;
  }

  get lastError(): MaximusError | undefined {
    return this.#scope.lastError;
  }

  set lastError(error: MaximusError | undefined) {
    this.#scope.lastError = error;
  }
}

function safely(hook: (() => void) | undefined): void {
  if (!hook) return;
  try {
    hook();
  } catch {
    // a hook's failure is the hook's business, never the call's
  }
}

/**
 * The undici handler of one attempt (the dispatch API: no AbortController, no body stream; the body is collected
 * as it arrives). One object per attempt holds its state, its timer and the promise's settlers, so that an
 * attempt allocates no closure per callback.
 */
class AttemptHandler implements Dispatcher.DispatchHandler {
  readonly #resolve: (result: RawResponse | MaximusError) => void;
  readonly #reject: (reason: unknown) => void;
  readonly #timeout: number;
  readonly #timer: NodeJS.Timeout;
  readonly #unsubscribe: () => void;
  #settled = false;
  #controller: Dispatcher.DispatchController | undefined;
  #abortReason: Error | undefined;
  #status = 0;
  #headers: ResponseHeaders = {};
  #chunks: Buffer[] = [];

  constructor(timeout: number, cancel: Cancel, resolve: (result: RawResponse | MaximusError) => void, reject: (reason: unknown) => void) {
    this.#resolve = resolve;
    this.#reject = reject;
    this.#timeout = timeout;
    this.#timer = setTimeout(AttemptHandler.#onTimeout, timeout, this);
    this.#unsubscribe = cancel.subscribe((reason) => this.#cancelled(reason));
  }

  static #onTimeout(self: AttemptHandler): void {
    if (!self.#settle()) return;
    const error = new TimeoutError(`No answer within ${self.#timeout} ms`, 'SDK_ERR_REQUEST_TIMEOUT');
    self.#abort(error);
    self.#resolve(error);
  }

  #cancelled(reason: unknown): void {
    if (!this.#settle()) return;
    this.#abort(reason as Error);
    this.#reject(reason);
  }

  #abort(reason: Error): void {
    this.#abortReason = reason;
    if (this.#controller && !this.#controller.aborted) this.#controller.abort(reason);
  }

  #settle(): boolean {
    if (this.#settled) return false;
    this.#settled = true;
    clearTimeout(this.#timer);
    this.#unsubscribe();
    return true;
  }

  fail(error: unknown): void {
    if (this.#settle()) this.#resolve(fromTransportError(error, this.#timeout));
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    // Cancelled while it waited for a connection: abort as soon as undici hands it one.
    if (this.#abortReason) controller.abort(this.#abortReason);
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: ResponseHeaders): void {
    // 1xx informational answers come first: only the final answer counts.
    this.#status = statusCode;
    this.#headers = headers;
    this.#chunks = [];
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.#chunks.push(chunk);
  }

  onResponseEnd(): void {
    if (!this.#settle()) return;
    const chunks = this.#chunks;
    const text = chunks.length === 0 ? '' : chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8');
    this.#resolve({ status: this.#status, headers: this.#headers, text });
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.fail(error);
  }
}

/** One attempt: its raw answer, or the error it ended with. Rejects only when the run is cancelled. */
function attempt(plan: Plan, run: Run, headers: Record<string, string>): Promise<RawResponse | MaximusError> {
  const { cancel } = run;
  // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the run's reason passes through unchanged
  if (cancel.aborted) return Promise.reject(cancel.reason);
  return new Promise((resolve, reject) => {
    const handler = new AttemptHandler(plan.timeout, cancel, resolve, reject);
    try {
      plan.dispatcher.dispatch(
        {
          origin: plan.origin,
          path: plan.path,
          method: plan.params.method,
          headers,
          body: plan.body,
          // The SDK's own timers govern; undici's 300 s defaults would only cap a long `timeout`.
          headersTimeout: 0,
          bodyTimeout: 0,
        },
        handler,
      );
    } catch (error) {
      handler.fail(error);
    }
  });
}

/** The route template of a plan's path (computed once, and only when telemetry asks). */
function templateOf(plan: Plan): string {
  return (plan.template ??= routeTemplate(plan.params.method, plan.params.path));
}

/** The `endpoint` of hooks and metrics: the method and the route template. */
const endpointOf = (plan: Plan) => `${plan.params.method} ${templateOf(plan)}`;

const statusLabel = (raw: RawResponse | undefined, error: MaximusError | undefined) =>
  raw ? String(raw.status) : error instanceof TimeoutError ? 'timeout' : 'error';

/**
 * The retry loop of one call: breaker, budget, backoff, `Retry-After`, deadline, hooks, metrics and spans.
 * Resolves with the raw answer the caller parses; rejects with the error the call ends with.
 */
async function execute(plan: Plan, run: Run): Promise<RawResponse> {
  const { rt, params, breaker, budget, retry, maxRetries } = plan;
  const hooks = rt.options.hooks;
  const tracer = rt.tracer;
  const started = performance.now();
  const url = hooks || tracer ? `${plan.origin}${plan.path}` : '';
  let call: { span: Span; ctx: Context } | undefined;
  if (tracer) call = startCallSpan(tracer, params.method, templateOf(plan));
  let failure: unknown;
  const hasKey = plan.headers['idempotency-key'] !== undefined;
  let previousDelay: number | undefined;
  let n = 0;
  try {
    for (; ; n++) {
      let permit: BreakerPermit | undefined;
      if (breaker) {
        const granted = breaker.acquire();
        if (granted instanceof CircuitOpenError) throw n === 0 ? granted : run.lastError!;
        permit = granted;
      }
      if (n === 0) budget?.recordCall();
      const event = hooks ? { method: params.method, url, service: plan.service, endpoint: endpointOf(plan), attempt: n } : undefined;
      if (hooks?.onRequest) safely(() => hooks.onRequest!(event!));
      let headers = plan.headers;
      let span: Span | undefined;
      if (tracer) {
        headers = { ...plan.headers };
        span = startAttemptSpan(tracer, call!.ctx, params.method, templateOf(plan), new URL(url), n, headers);
      }
      const sent = performance.now();
      let result: RawResponse | MaximusError;
      try {
        result = await attempt(plan, run, headers);
      } catch (aborted) {
        if (permit) breaker!.record(permit, 'ignored');
        if (span) endAttemptSpan(span, undefined, aborted as MaximusError);
        throw aborted;
      }
      const durationMs = performance.now() - sent;
      const raw = result instanceof MaximusError ? undefined : result;
      const error = raw ? errorOf(raw, params) : (result as MaximusError);
      if (permit) breaker!.record(permit, breakerOutcome(error));
      rt.metrics?.attempt(plan.service, endpointOf(plan), statusLabel(raw, error), durationMs / 1000);
      if (span) endAttemptSpan(span, raw?.status, error);
      if (raw && hooks?.onResponse) {
        safely(() => hooks.onResponse!({ ...event!, status: raw.status, headers: raw.headers, requestId: headerValue(raw.headers, 'x-request-id'), durationMs }));
      }
      if (!error) return raw!;
      run.lastError = error;
      if (n >= maxRetries || !isRetryable(error, params.method, hasKey)) throw error;
      const remaining = run.deadlineAt - performance.now();
      const asked = error instanceof APIError ? error.retryAfterMs : undefined;
      // The server asks for a wait the deadline cannot afford: fail now, with the wait it asked for on the error.
      if (asked !== undefined && asked >= remaining) throw error;
      let wait: number;
      if (asked !== undefined) {
        wait = Math.min(asked, retry.maxRetryAfterMs);
      } else {
        wait = backoffDelay(n, retry, Math.random, previousDelay);
        previousDelay = wait;
      }
      if (wait >= remaining) throw error;
      if (budget && !budget.tryRetry()) throw error;
      if (hooks?.onRetry) safely(() => hooks.onRetry!({ ...event!, error, delayMs: wait }));
      await sleep(wait, run.cancel);
    }
  } catch (error) {
    failure = error;
    if (hooks?.onError) {
      const reported = error instanceof MaximusError ? error : new MaximusError(String(error), { code: 'SDK_ERR_REQUEST_INVALID', cause: error });
      safely(() => hooks.onError!({ method: params.method, url, service: plan.service, endpoint: endpointOf(plan), attempt: n, error: reported, durationMs: performance.now() - started }));
    }
    throw error;
  } finally {
    if (call) endCallSpan(call.span, failure);
  }
}

/** The key of a read for coalescing and caching: URL, credentials and every header that may change the answer. */
function readKey(plan: Plan, perCall: RequestOptions['headers']): string {
  // The client's fingerprint stands for its origin, credentials and default headers; a call's own headers
  // (changed or removed) are added, but for those that never change an answer.
  let key = `${plan.rt.fingerprint}${plan.path}`;
  if (perCall) {
    for (const name in perCall) {
      const lower = name.toLowerCase();
      if (!VOLATILE_HEADERS.has(lower)) key += `\n${lower}:${perCall[name] ?? '∅'}`;
    }
  }
  return key;
}

/**
 * Sends a request with retries under a hard deadline, through the circuit breaker, the retry budget, the
 * cache and the in-flight reads; see {@link RequestOptions} for the knobs.
 * @throws APIError (a subclass per status), ConnectionError, TimeoutError, APIUserAbortError, CircuitOpenError, MaximusError
 * @internal
 */
export async function performRequest<T>(rt: Runtime, params: RequestParams, options: RequestOptions = {}): Promise<APIResponse<T>> {
  const client = rt.options;
  const timeout = options.timeout === undefined ? client.timeout : checkNumber('timeout', options.timeout, 1);
  const deadline = options.deadline === undefined ? client.deadline : checkNumber('deadline', options.deadline, 1);
  const maxRetries = options.maxRetries === undefined ? client.maxRetries : checkNumber('maxRetries', options.maxRetries, 0, true);
  const retry = resolveRetryOptions(client.retry, options.retry);
  const cachePolicy = options.cache === undefined || options.cache === false ? options.cache : checkCachePolicy('cache', options.cache);
  const { signal } = options;
  if (signal?.aborted) throw new APIUserAbortError(signal.reason);

  const service = rt.serviceOf(params.path);
  const guards = rt.guardsOf(service);
  const plan: Plan = {
    rt,
    params,
    dispatcher: client.dispatcher,
    origin: rt.origin,
    path: buildPath(rt.basePath, params),
    headers: buildHeaders(client, params, options),
    body: params.body === undefined ? null : JSON.stringify(params.body),
    timeout,
    maxRetries,
    retry,
    service,
    template: undefined,
    breaker: options.circuitBreaker === false ? undefined : guards.breaker,
    budget: options.retryBudget === false ? undefined : guards.budget,
  };
  const scope = new CallScope(deadline, signal);
  const sharedRun = (cancel: Cancel): Run => new SharedRun(cancel, scope);
  const isRead = params.method === 'GET';
  try {
    if (isRead) {
      const policy = rt.cache?.policyFor(params.path, cachePolicy);
      if (policy) {
        const { raw, info } = await rt.cache!.read(
          readKey(plan, options.headers),
          resourceOf(params.path),
          policy,
          (cancel) => execute(plan, sharedRun(cancel)),
          scope.cancel,
        );
        return materialize<T>(raw, 'cached', info);
      }
      if (options.coalesce ?? client.coalesce) {
        const raw = await rt.coalescer.run(readKey(plan, options.headers), (cancel) => execute(plan, sharedRun(cancel)), scope.cancel);
        return materialize<T>(raw, 'shared');
      }
    }
    return materialize<T>(await execute(plan, scope), 'own');
  } finally {
    scope.dispose();
    // A write may have changed what the cached reads of its resource say, whatever its outcome.
    if (!isRead && rt.cache) await rt.cache.invalidate(resourceOf(params.path));
  }
}
