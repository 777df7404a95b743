import { readFileSync } from 'node:fs';
import type { Tracer } from '@opentelemetry/api';
import { Agent, ProxyAgent, type Dispatcher } from 'undici';
import { MaximusError } from '../errors.js';
import type { ClientHooks } from './hooks.js';

/**
 * How a retry's backoff is drawn:
 * - `full`: `random(0, min(maxDelayMs, baseDelayMs · 2^retry))` (AWS "full jitter");
 * - `decorrelated`: `min(maxDelayMs, random(baseDelayMs, 3 · previous delay))` (AWS "decorrelated jitter":
 *   spreads retrying clients further apart after a shared failure).
 * @example
 * const client = new Maximus({ retry: { jitter: 'decorrelated' } });
 */
export type JitterMode = 'full' | 'decorrelated';

/**
 * Backoff between retries. Connection errors, timed-out attempts, 408, 429 and 5xx are retried, 409 and other
 * 4xx never; a POST or PATCH only when it carries an `Idempotency-Key` (the SDK sends one by default).
 * @example
 * const client = new Maximus({ maxRetries: 4, retry: { baseDelayMs: 200, maxDelayMs: 5_000, jitter: 'full' } });
 */
export interface RetryOptions {
  /** The first retry waits up to this long; each later retry doubles the bound. @default 500 */
  baseDelayMs?: number;
  /** No backoff bound grows beyond this. @default 8000 */
  maxDelayMs?: number;
  /**
   * A server's `Retry-After` / `retry-after-ms` is honoured up to this long. A server asking to wait beyond
   * the call's remaining deadline fails the call at once (a {@link RateLimitError} for a 429, with `retryAfterMs`).
   * @default 60000
   */
  maxRetryAfterMs?: number;
  /** @default 'full' */
  jitter?: JitterMode;
}

/**
 * {@link RetryOptions} with every default applied.
 * @example
 * const { baseDelayMs, jitter } = client.options.retry;
 */
export type ResolvedRetryOptions = Readonly<Required<RetryOptions>>;

/**
 * The retry budget of each upstream: within any `windowMs`, retries may be at most `ratio` of the calls
 * made, or `minPerSecond` per second when that is more. A failing upstream then sees at most
 * `1 + ratio` times the traffic the callers make, instead of `1 + maxRetries` times. When the budget is
 * spent a failed call is not retried: it throws its error.
 * @example
 * const client = new Maximus({ retryBudget: { ratio: 0.1, minPerSecond: 2 } });
 */
export interface RetryBudgetOptions {
  /** Retries allowed per call made, over the window. @default 0.2 */
  ratio?: number;
  /** Retries always allowed per second, however few calls are made. @default 5 */
  minPerSecond?: number;
  /** The sliding window, in ms (ten buckets). @default 10000 */
  windowMs?: number;
}

/**
 * {@link RetryBudgetOptions} with every default applied.
 * @example
 * if (client.options.retryBudget) console.log(client.options.retryBudget.ratio);
 */
export type ResolvedRetryBudgetOptions = Readonly<Required<RetryBudgetOptions>>;

/**
 * The circuit breaker of each upstream. Closed, it counts each attempt's outcome over a sliding window;
 * when at least `minimumRequests` attempts saw a failure rate of `failureRateThreshold` or more (connection
 * errors, timeouts and 5xx are failures), it opens: calls fail at once with {@link CircuitOpenError}. After
 * the open duration it lets `halfOpenMaxCalls` trial calls through: all succeed and it closes; one fails and it
 * opens again for twice as long (jittered, at most `maxOpenMs`).
 * @example
 * const client = new Maximus({ circuitBreaker: { minimumRequests: 10, failureRateThreshold: 0.3, openMs: 2_000 } });
 */
export interface CircuitBreakerOptions {
  /** Failure rate (0 to 1) that opens the breaker. @default 0.5 */
  failureRateThreshold?: number;
  /** Attempts the window must hold before the rate counts. @default 20 */
  minimumRequests?: number;
  /** The sliding window, in ms (ten buckets). @default 10000 */
  windowMs?: number;
  /** The first open duration, in ms; each reopening without a close in between doubles it. @default 5000 */
  openMs?: number;
  /** The longest open duration, in ms. @default 60000 */
  maxOpenMs?: number;
  /** Trial calls let through when half-open. @default 3 */
  halfOpenMaxCalls?: number;
  /** Each open duration is shortened by up to this fraction at random, so that clients do not retry in step. @default 0.2 */
  jitter?: number;
}

/**
 * {@link CircuitBreakerOptions} with every default applied.
 * @example
 * if (client.options.circuitBreaker) console.log(client.options.circuitBreaker.openMs);
 */
export type ResolvedCircuitBreakerOptions = Readonly<Required<CircuitBreakerOptions>>;

/**
 * The part of an ioredis client the SDK's L2 cache uses: pass your `new Redis(url)` (the SDK does not depend
 * on ioredis). Any client with these methods and ioredis's argument order works.
 * @example
 * import Redis from 'ioredis';
 * const client = new Maximus({ cache: { redis: new Redis(process.env.REDIS_URL!), rules: [{ prefix: '/eikos/api/v1/ledger/public-key', ttlMs: 3_600_000 }] } });
 */
export interface RedisLike {
  mget(...keys: string[]): Promise<(string | null)[]>;
  set(key: string, value: string, px: 'PX', ms: number): Promise<unknown>;
  set(key: string, value: string, px: 'PX', ms: number, nx: 'NX'): Promise<unknown>;
  incr(key: string): Promise<number>;
  del(...keys: string[]): Promise<number>;
}

/**
 * How long the answers of a read are cached: `ttlMs` fresh (served without asking), then
 * `staleWhileRevalidateMs` more during which the stale answer is served at once while one refresh runs
 * in the background.
 * @example
 * await client.ledger.publicKey({ cache: { ttlMs: 3_600_000, staleWhileRevalidateMs: 60_000 } });
 */
export interface CachePolicy {
  ttlMs: number;
  /** @default 0 */
  staleWhileRevalidateMs?: number;
}

/**
 * A client-wide cache rule: reads (GET) whose path starts with `prefix` are cached with this policy.
 * The first matching rule applies; a call's `cache` option overrides it.
 * @example
 * const rules: CacheRule[] = [{ prefix: '/core/api/v1/governance/actions', ttlMs: 60_000, staleWhileRevalidateMs: 300_000 }];
 */
export interface CacheRule extends CachePolicy {
  prefix: string;
}

/**
 * The response cache. Reads opt in, by a rule or by a call's `cache` option; nothing is cached otherwise.
 * L1 is in memory (an LRU of `maxEntries`); L2 is your Redis, shared by every process. A write (POST, PUT,
 * PATCH, DELETE) through the same client invalidates the cached reads under its resource prefix
 * (`/<service>/api/v1/<resource>`) in both. Concurrent misses of one key make one request (in-process) and,
 * with L2, at most one process refreshes a key at a time (a `SET NX PX` lock).
 * @example
 * const client = new Maximus({ cache: { maxEntries: 5_000, rules: [{ prefix: '/eikos/api/v1/ledger/public-key', ttlMs: 3_600_000 }] } });
 * console.log(client.cacheStats().hitRatio);
 */
export interface CacheOptions {
  /** L1 entries kept (least recently used go first). @default 1000 */
  maxEntries?: number;
  /** @default [] (nothing cached unless a call asks) */
  rules?: readonly CacheRule[];
  /** The optional L2. @default none */
  redis?: RedisLike;
  /** Prefix of every L2 key. @default 'maximus:sdk:' */
  keyPrefix?: string;
  /** How long the L2 refresh lock is held at most, and how long another process waits for it, in ms. @default 5000 */
  lockMs?: number;
}

/**
 * {@link CacheOptions} with every default applied.
 * @example
 * if (client.options.cache) console.log(client.options.cache.maxEntries);
 */
export interface ResolvedCacheOptions {
  readonly maxEntries: number;
  readonly rules: readonly CacheRule[];
  readonly redis: RedisLike | undefined;
  readonly keyPrefix: string;
  readonly lockMs: number;
}

/**
 * DataLoader-style batching of the reads the platform has a batch route for (`client.evidence.retrieve`
 * → `GET /eikos/api/v1/evidence?ids=`, `client.serviceHealth` → the gateway's `GET /health`): calls made
 * within `maxWaitMs` of each other (0: in the same tick) travel as one request of at most `maxBatchSize` keys.
 * @example
 * const client = new Maximus({ batching: { maxBatchSize: 50, maxWaitMs: 2 } });
 * const [a, b] = await Promise.all([client.evidence.retrieve(1), client.evidence.retrieve(2)]); // one request
 */
export interface BatchingOptions {
  /** Keys per request (the evidence route takes at most 100). @default 100 */
  maxBatchSize?: number;
  /** How long the first call of a batch waits for others, in ms. @default 0 */
  maxWaitMs?: number;
}

/**
 * {@link BatchingOptions} with every default applied.
 * @example
 * if (client.options.batching) console.log(client.options.batching.maxBatchSize);
 */
export type ResolvedBatchingOptions = Readonly<Required<BatchingOptions>>;

/**
 * A prom-client metric as the SDK uses it.
 * @example
 * const counter: MetricLike = new promClient.Counter({ name: 'x_total', help: 'x', labelNames: ['a'], registers: [] });
 */
export interface MetricLike {
  inc?(labels: Record<string, string>, value?: number): void;
  observe?(labels: Record<string, string>, value: number): void;
  set?(labels: Record<string, string>, value: number): void;
}

/**
 * The part of a prom-client `Registry` the SDK uses.
 * @example
 * import { Registry } from 'prom-client';
 * const registry: MetricsRegistryLike = new Registry();
 */
export interface MetricsRegistryLike {
  getSingleMetric(name: string): unknown;
}

/**
 * Client-side Prometheus metrics, registered only in `registry` (never in prom-client's global one, so they
 * cannot collide with a service's): `maximus_requests_total{service,endpoint,status}`,
 * `maximus_request_duration_seconds{service,endpoint}` (one count per attempt; `endpoint` is the method and
 * route template, never raw ids) and `maximus_circuit_breaker_state{upstream}` (0 closed, 1 half-open, 2 open).
 * prom-client is an optional peer dependency: the SDK imports it when the first metric is recorded, unless
 * you pass its module as `promClient`.
 * @example
 * import * as promClient from 'prom-client';
 * const registry = new promClient.Registry();
 * const client = new Maximus({ metrics: { registry, promClient } });
 */
export interface MetricsOptions {
  registry: MetricsRegistryLike;
  /** The prom-client module (its `Counter`, `Histogram` and `Gauge`). @default `await import('prom-client')` */
  promClient?: unknown;
}

/**
 * OpenTelemetry tracing through `@opentelemetry/api`: one span per call (`maximus <METHOD> <route>`) and one
 * CLIENT span per attempt (`<METHOD> <route>`, with `http.request.resend_count` on retries), and the W3C
 * `traceparent` of the attempt sent to the gateway. `true` uses the global tracer provider's
 * `@maximus/sdk` tracer. Off, no span object is ever created.
 * @example
 * const client = new Maximus({ tracing: { tracer: trace.getTracer('my-app') } });
 */
export type TracingOptions = boolean | { tracer: Tracer };

/**
 * TLS settings for an `https://` gateway: PEM contents (not paths), applied to every connection the SDK's
 * pool opens. Without `ca`, the system's trust store (and `NODE_EXTRA_CA_CERTS`) verifies the gateway.
 * @example
 * import { readFileSync } from 'node:fs';
 * const client = new Maximus({
 *   baseURL: 'https://localhost:8000',
 *   tls: { ca: readFileSync('.maximus/certs/ca.crt'), cert: readFileSync('.maximus/certs/client.crt'), key: readFileSync('.maximus/certs/client.key') },
 * });
 */
export interface TlsOptions {
  /** CA certificate(s) the gateway's certificate must chain to (PEM), instead of the system's. @default process.env.MAXIMUS_CA_FILE's contents */
  ca?: string | Buffer;
  /** Client certificate (PEM) for a gateway with mTLS (`MAXIMUS_TLS_CLIENT_AUTH`); needs `key`. @default process.env.MAXIMUS_CLIENT_CERT_FILE's contents */
  cert?: string | Buffer;
  /** Private key (PEM) of `cert`. @default process.env.MAXIMUS_CLIENT_KEY_FILE's contents */
  key?: string | Buffer;
  /** `false` accepts any server certificate: for debugging only, never in production. @default true */
  rejectUnauthorized?: boolean;
}

/**
 * Options of `new Maximus(options)`. Each documents its default and, where it has one, its environment
 * variable ({@link SDK_ENV_VARS}). A call's {@link RequestOptions} override the per-call ones.
 * @example
 * const client = new Maximus({ baseURL: 'https://maximus.example.com', apiKey: process.env.MY_KEY, timeout: 10_000, maxRetries: 3 });
 */
export interface ClientOptions {
  /**
   * The gateway's URL; a path prefix (`https://host/maximus`) is kept.
   * @default process.env.MAXIMUS_URL, else 'http://127.0.0.1:8000'
   */
  baseURL?: string;
  /**
   * An API key, sent as `X-API-Key`. `null` sends none even when the variable is set.
   * @default process.env.MAXIMUS_API_KEY
   */
  apiKey?: string | null;
  /**
   * A bearer token, sent as `Authorization: Bearer <token>`. `null` sends none even when the variable is set.
   * @default process.env.MAXIMUS_TOKEN
   */
  token?: string | null;
  /** Milliseconds one attempt may take, answer body included; a timed-out attempt is retried. @default process.env.MAXIMUS_TIMEOUT_MS, else 60000 */
  timeout?: number;
  /** Milliseconds a whole call may take, every retry and wait included; a hard limit. @default 120000 */
  deadline?: number;
  /** Retries after the first attempt (so `maxRetries + 1` attempts at most). @default process.env.MAXIMUS_MAX_RETRIES, else 2 */
  maxRetries?: number;
  /** Backoff between retries. */
  retry?: RetryOptions;
  /** The retry budget per upstream; `false` turns it off. @default { ratio: 0.2, minPerSecond: 5, windowMs: 10000 } */
  retryBudget?: RetryBudgetOptions | false;
  /** The circuit breaker per upstream; `false` turns it off. @default see {@link CircuitBreakerOptions} */
  circuitBreaker?: CircuitBreakerOptions | false;
  /**
   * What an upstream is, for the budget and the breaker: `service` (the gateway's origin and the service
   * prefix, `/core`, `/eikos`…: one failing service does not trip the others) or `origin`.
   * @default 'service'
   */
  upstreamScope?: 'service' | 'origin';
  /**
   * Identical concurrent reads (GET, same URL, same credentials and headers) share one request: each caller
   * gets its own copy of the answer. Errors are shared only by the calls that joined that request.
   * @default true
   */
  coalesce?: boolean;
  /** Batching of the batch reads; `false` turns it off. @default { maxBatchSize: 100, maxWaitMs: 0 } */
  batching?: BatchingOptions | false;
  /** The response cache; `false` turns it off. @default an L1 of 1000 entries and no rule: nothing cached unless asked */
  cache?: CacheOptions | false;
  /** Hooks called around each attempt; an exception in a hook is ignored. @default none */
  hooks?: ClientHooks;
  /** Prometheus metrics in your registry. @default none */
  metrics?: MetricsOptions;
  /** OpenTelemetry spans and `traceparent`. @default false */
  tracing?: TracingOptions;
  /** Connections per origin in the SDK's keep-alive pool (an undici `Agent`). Ignored when `dispatcher` is given. @default 200 */
  connections?: number;
  /** How long an idle keep-alive connection stays open, in ms (the server's `Keep-Alive: timeout` wins when shorter). @default 4000 */
  keepAliveTimeout?: number;
  /** TLS settings of the SDK's pool (CA bundle, client certificate). Ignored when `dispatcher` is given. @default the system's trust store, no client certificate */
  tls?: TlsOptions;
  /**
   * Speak HTTP/2 with an `https://` gateway that offers it by ALPN (the MAXIMUS gateway does when TLS is on):
   * many calls share one connection. HTTP/1.1 otherwise, and always for `http://` (no h2c). Ignored when
   * `dispatcher` is given.
   * @default true
   */
  http2?: boolean;
  /**
   * An HTTP(S) proxy URL (`http://user:pass@proxy:3128`): the pool becomes an undici `ProxyAgent` that tunnels
   * every call through it (CONNECT), with the same connections, TLS and HTTP/2 settings. Ignored when
   * `dispatcher` is given.
   * @default process.env.MAXIMUS_PROXY, else none
   */
  proxy?: string;
  /**
   * A custom undici `Dispatcher` (a `ProxyAgent`, a `MockAgent`, a shared `Agent`). The caller owns it:
   * `close()` leaves it open.
   * @default an `Agent` of `connections` connections per origin, owned and closed by the client
   */
  dispatcher?: Dispatcher;
  /** Headers sent on every call (a call's `headers` override them). @default {} */
  defaultHeaders?: Record<string, string>;
}

/**
 * {@link ClientOptions} after defaults and environment variables; `dispatcher` is the one in use.
 * @example
 * console.log(client.options.baseURL, client.options.timeout);
 */
export interface ResolvedClientOptions {
  readonly baseURL: string;
  readonly apiKey: string | null;
  readonly token: string | null;
  readonly timeout: number;
  readonly deadline: number;
  readonly maxRetries: number;
  readonly retry: ResolvedRetryOptions;
  readonly retryBudget: ResolvedRetryBudgetOptions | false;
  readonly circuitBreaker: ResolvedCircuitBreakerOptions | false;
  readonly upstreamScope: 'service' | 'origin';
  readonly coalesce: boolean;
  readonly batching: ResolvedBatchingOptions | false;
  readonly cache: ResolvedCacheOptions | false;
  readonly hooks: Readonly<ClientHooks> | undefined;
  readonly metrics: MetricsOptions | undefined;
  readonly tracing: TracingOptions;
  readonly connections: number;
  readonly keepAliveTimeout: number;
  readonly tls: Readonly<TlsOptions> | undefined;
  readonly http2: boolean;
  readonly proxy: string | undefined;
  readonly dispatcher: Dispatcher;
  readonly defaultHeaders: Readonly<Record<string, string>>;
}

/**
 * Option defaults, exported for documentation and tests.
 * @example
 * new Maximus({ connections: DEFAULTS.connections * 2 });
 */
export const DEFAULTS = {
  baseURL: 'http://127.0.0.1:8000',
  timeout: 60_000,
  deadline: 120_000,
  maxRetries: 2,
  retry: { baseDelayMs: 500, maxDelayMs: 8_000, maxRetryAfterMs: 60_000, jitter: 'full' },
  retryBudget: { ratio: 0.2, minPerSecond: 5, windowMs: 10_000 },
  circuitBreaker: { failureRateThreshold: 0.5, minimumRequests: 20, windowMs: 10_000, openMs: 5_000, maxOpenMs: 60_000, halfOpenMaxCalls: 3, jitter: 0.2 },
  upstreamScope: 'service',
  coalesce: true,
  batching: { maxBatchSize: 100, maxWaitMs: 0 },
  cache: { maxEntries: 1_000, rules: [], keyPrefix: 'maximus:sdk:', lockMs: 5_000 },
  connections: 200,
  keepAliveTimeout: 4_000,
  http2: true,
} as const;

/**
 * The environment variables the SDK reads when the matching option is absent (an empty value counts as unset).
 * @example
 * for (const [name, what] of Object.entries(SDK_ENV_VARS)) console.log(name, what);
 */
export const SDK_ENV_VARS = {
  MAXIMUS_URL: 'The gateway URL (`baseURL`).',
  MAXIMUS_API_KEY: 'An API key (`apiKey`), sent as `X-API-Key`.',
  MAXIMUS_TOKEN: 'A bearer token (`token`).',
  MAXIMUS_TIMEOUT_MS: 'Milliseconds one attempt may take (`timeout`).',
  MAXIMUS_MAX_RETRIES: 'Retries after the first attempt (`maxRetries`).',
  MAXIMUS_CA_FILE: 'Path of a PEM CA bundle the gateway certificate must chain to (`tls.ca`).',
  MAXIMUS_CLIENT_CERT_FILE: 'Path of a PEM client certificate for mTLS (`tls.cert`, with MAXIMUS_CLIENT_KEY_FILE).',
  MAXIMUS_CLIENT_KEY_FILE: 'Path of the PEM private key of that certificate (`tls.key`).',
  MAXIMUS_PROXY: 'An HTTP(S) proxy URL every call goes through (`proxy`).',
} as const;

function fromEnv(name: keyof typeof SDK_ENV_VARS): string | undefined {
  const value = process.env[name];
  return value === undefined || value === '' ? undefined : value;
}

function invalid(message: string, cause?: unknown): MaximusError {
  return new MaximusError(message, { code: 'SDK_ERR_OPTIONS_INVALID', cause });
}

/**
 * Checks a numeric option (`min` inclusive, `max` inclusive when given); `integer` forbids fractions.
 * @throws MaximusError `SDK_ERR_OPTIONS_INVALID`
 * @example
 * checkNumber('timeout', 5_000, 1); // 5000
 */
export function checkNumber(name: string, value: number, min: number, integer = false, max = Infinity): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    const range = max === Infinity ? `>= ${min}` : `in [${min}, ${max}]`;
    throw invalid(`option ${name} must be ${integer ? 'an integer' : 'a number'} ${range}, got ${String(value)}`);
  }
  return value;
}

function numberFromEnv(name: 'MAXIMUS_TIMEOUT_MS' | 'MAXIMUS_MAX_RETRIES'): number | undefined {
  const raw = fromEnv(name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw invalid(`${name} must be a number, got ${raw}`);
  return value;
}

function fileFromEnv(name: 'MAXIMUS_CA_FILE' | 'MAXIMUS_CLIENT_CERT_FILE' | 'MAXIMUS_CLIENT_KEY_FILE'): Buffer | undefined {
  const path = fromEnv(name);
  if (path === undefined) return undefined;
  try {
    return readFileSync(path);
  } catch (cause) {
    throw invalid(`${name}: cannot read ${path}`, cause);
  }
}

function checkTls(tls: TlsOptions): Readonly<TlsOptions> {
  if (typeof tls !== 'object' || tls === null) throw invalid('option tls must be an object');
  for (const name of ['ca', 'cert', 'key'] as const) {
    const value = tls[name];
    if (value !== undefined && typeof value !== 'string' && !Buffer.isBuffer(value)) throw invalid(`option tls.${name} must be PEM text (a string or a Buffer)`);
  }
  if ((tls.cert === undefined) !== (tls.key === undefined)) throw invalid('option tls.cert and tls.key go together');
  if (tls.rejectUnauthorized !== undefined && typeof tls.rejectUnauthorized !== 'boolean') throw invalid('option tls.rejectUnauthorized must be a boolean');
  return Object.freeze({ ...tls });
}

function tlsFromEnv(): TlsOptions | undefined {
  const ca = fileFromEnv('MAXIMUS_CA_FILE');
  const cert = fileFromEnv('MAXIMUS_CLIENT_CERT_FILE');
  const key = fileFromEnv('MAXIMUS_CLIENT_KEY_FILE');
  if (ca === undefined && cert === undefined && key === undefined) return undefined;
  return { ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) };
}

function checkBoolean(name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw invalid(`option ${name} must be a boolean, got ${String(value)}`);
  return value;
}

/** Resolves an option that is either `false` (off) or an object merged over its defaults. */
function section<T extends object>(name: string, value: T | false | undefined, defaults: Readonly<Required<T>>, check: (merged: Required<T>) => void): Readonly<Required<T>> | false {
  if (value === false) return false;
  if (value !== undefined && (typeof value !== 'object' || value === null)) throw invalid(`option ${name} must be an object or false`);
  const merged = { ...defaults, ...(value ?? {}) } as Required<T>;
  check(merged);
  return Object.freeze(merged);
}

function checkRetry(retry: Required<RetryOptions>): ResolvedRetryOptions {
  if (retry.jitter !== 'full' && retry.jitter !== 'decorrelated') throw invalid(`option retry.jitter must be 'full' or 'decorrelated', got ${String(retry.jitter)}`);
  return Object.freeze({
    baseDelayMs: checkNumber('retry.baseDelayMs', retry.baseDelayMs, 0),
    maxDelayMs: checkNumber('retry.maxDelayMs', retry.maxDelayMs, 0),
    maxRetryAfterMs: checkNumber('retry.maxRetryAfterMs', retry.maxRetryAfterMs, 0),
    jitter: retry.jitter,
  });
}

/**
 * Resolves a call's `retry` override over the client's.
 * @throws MaximusError `SDK_ERR_OPTIONS_INVALID`
 * @example
 * resolveRetryOptions(client.options.retry, { jitter: 'decorrelated' });
 */
export function resolveRetryOptions(base: ResolvedRetryOptions, override: RetryOptions | undefined): ResolvedRetryOptions {
  return override === undefined ? base : checkRetry({ ...base, ...override });
}

function resolveCache(value: CacheOptions | false | undefined): ResolvedCacheOptions | false {
  if (value === false) return false;
  if (value !== undefined && (typeof value !== 'object' || value === null)) throw invalid('option cache must be an object or false');
  const given: unknown = value?.rules ?? DEFAULTS.cache.rules;
  if (!Array.isArray(given)) throw invalid('option cache.rules must be an array');
  const rules = given as CacheRule[];
  for (const [i, rule] of rules.entries()) {
    if (typeof rule?.prefix !== 'string' || !rule.prefix.startsWith('/')) throw invalid(`option cache.rules[${i}].prefix must be a path starting with /`);
    checkCachePolicy(`cache.rules[${i}]`, rule);
  }
  const redis = value?.redis;
  if (redis !== undefined && (typeof redis.mget !== 'function' || typeof redis.set !== 'function' || typeof redis.incr !== 'function' || typeof redis.del !== 'function')) {
    throw invalid('option cache.redis must be an ioredis client (mget, set, incr, del)');
  }
  return Object.freeze({
    maxEntries: checkNumber('cache.maxEntries', value?.maxEntries ?? DEFAULTS.cache.maxEntries, 1, true),
    rules: Object.freeze([...rules]),
    redis,
    keyPrefix: value?.keyPrefix ?? DEFAULTS.cache.keyPrefix,
    lockMs: checkNumber('cache.lockMs', value?.lockMs ?? DEFAULTS.cache.lockMs, 1),
  });
}

/**
 * Checks a cache policy (of a rule or of a call).
 * @throws MaximusError `SDK_ERR_OPTIONS_INVALID`
 * @example
 * checkCachePolicy('cache', { ttlMs: 1_000 });
 */
export function checkCachePolicy(name: string, policy: CachePolicy): CachePolicy {
  if (typeof policy !== 'object' || policy === null) throw invalid(`option ${name} must be an object or false`);
  checkNumber(`${name}.ttlMs`, policy.ttlMs, 0);
  if (policy.staleWhileRevalidateMs !== undefined) checkNumber(`${name}.staleWhileRevalidateMs`, policy.staleWhileRevalidateMs, 0);
  return policy;
}

/** The SDK's own pool: `connections` per origin, keep-alive, TLS settings on each connection, HTTP/2 by ALPN when allowed, through `proxy` when given. */
function createDispatcher(o: { connections: number; keepAliveTimeout: number; tls: Readonly<TlsOptions> | undefined; http2: boolean; proxy: string | undefined }): Dispatcher {
  const connect = {
    ...(o.tls?.ca !== undefined ? { ca: o.tls.ca } : {}),
    ...(o.tls?.cert !== undefined ? { cert: o.tls.cert } : {}),
    ...(o.tls?.key !== undefined ? { key: o.tls.key } : {}),
    ...(o.tls?.rejectUnauthorized !== undefined ? { rejectUnauthorized: o.tls.rejectUnauthorized } : {}),
  };
  const tls = Object.keys(connect).length > 0 ? connect : undefined;
  const pool = { connections: o.connections, keepAliveTimeout: o.keepAliveTimeout, allowH2: o.http2 };
  if (o.proxy !== undefined) return new ProxyAgent({ uri: o.proxy, ...pool, ...(tls ? { requestTls: tls } : {}) });
  return new Agent({ ...pool, ...(tls ? { connect: tls } : {}) });
}

/**
 * Applies defaults and environment variables to `options`; without a `dispatcher`, creates the keep-alive
 * pool (`connections` per origin, `tls`, HTTP/2 when `http2`, through `proxy`) that the client will own.
 * @throws MaximusError `SDK_ERR_OPTIONS_INVALID` when an option is out of range or `baseURL` is not an http(s) URL
 * @example
 * const resolved = resolveClientOptions({ baseURL: 'http://127.0.0.1:8000' });
 */
export function resolveClientOptions(options: ClientOptions = {}): ResolvedClientOptions {
  const baseURL = options.baseURL ?? fromEnv('MAXIMUS_URL') ?? DEFAULTS.baseURL;
  let url: URL;
  try {
    url = new URL(baseURL);
  } catch (cause) {
    throw invalid(`option baseURL is not a URL: ${baseURL}`, cause);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid(`option baseURL must be http(s), got ${baseURL}`);
  const retry = checkRetry({ ...DEFAULTS.retry, ...options.retry });
  const connections = checkNumber('connections', options.connections ?? DEFAULTS.connections, 1, true);
  const keepAliveTimeout = checkNumber('keepAliveTimeout', options.keepAliveTimeout ?? DEFAULTS.keepAliveTimeout, 1);
  const tlsInput = options.tls ?? (options.dispatcher === undefined ? tlsFromEnv() : undefined);
  const tls = tlsInput === undefined ? undefined : checkTls(tlsInput);
  const http2 = checkBoolean('http2', options.http2 ?? DEFAULTS.http2);
  const proxy = options.proxy ?? fromEnv('MAXIMUS_PROXY');
  if (proxy !== undefined) {
    try {
      const p = new URL(proxy);
      if (p.protocol !== 'http:' && p.protocol !== 'https:') throw new Error('not http(s)');
    } catch (cause) {
      throw invalid('option proxy must be an http(s) URL', cause);
    }
  }
  const upstreamScope = options.upstreamScope ?? DEFAULTS.upstreamScope;
  if (upstreamScope !== 'service' && upstreamScope !== 'origin') throw invalid(`option upstreamScope must be 'service' or 'origin', got ${String(upstreamScope)}`);
  const tracing = options.tracing ?? false;
  if (typeof tracing !== 'boolean' && (typeof tracing !== 'object' || tracing === null || typeof tracing.tracer?.startSpan !== 'function')) {
    throw invalid('option tracing must be a boolean or { tracer } (an OpenTelemetry Tracer)');
  }
  if (options.metrics !== undefined && typeof options.metrics.registry?.getSingleMetric !== 'function') {
    throw invalid('option metrics.registry must be a prom-client Registry');
  }
  return Object.freeze({
    baseURL: baseURL.replace(/\/+$/, ''),
    apiKey: options.apiKey === undefined ? (fromEnv('MAXIMUS_API_KEY') ?? null) : options.apiKey,
    token: options.token === undefined ? (fromEnv('MAXIMUS_TOKEN') ?? null) : options.token,
    timeout: checkNumber('timeout', options.timeout ?? numberFromEnv('MAXIMUS_TIMEOUT_MS') ?? DEFAULTS.timeout, 1),
    deadline: checkNumber('deadline', options.deadline ?? DEFAULTS.deadline, 1),
    maxRetries: checkNumber('maxRetries', options.maxRetries ?? numberFromEnv('MAXIMUS_MAX_RETRIES') ?? DEFAULTS.maxRetries, 0, true),
    retry,
    retryBudget: section('retryBudget', options.retryBudget, DEFAULTS.retryBudget, (b) => {
      checkNumber('retryBudget.ratio', b.ratio, 0);
      checkNumber('retryBudget.minPerSecond', b.minPerSecond, 0);
      checkNumber('retryBudget.windowMs', b.windowMs, 10);
    }),
    circuitBreaker: section('circuitBreaker', options.circuitBreaker, DEFAULTS.circuitBreaker, (b) => {
      checkNumber('circuitBreaker.failureRateThreshold', b.failureRateThreshold, 0, false, 1);
      checkNumber('circuitBreaker.minimumRequests', b.minimumRequests, 1, true);
      checkNumber('circuitBreaker.windowMs', b.windowMs, 10);
      checkNumber('circuitBreaker.openMs', b.openMs, 1);
      checkNumber('circuitBreaker.maxOpenMs', b.maxOpenMs, b.openMs);
      checkNumber('circuitBreaker.halfOpenMaxCalls', b.halfOpenMaxCalls, 1, true);
      checkNumber('circuitBreaker.jitter', b.jitter, 0, false, 1);
    }),
    upstreamScope,
    coalesce: checkBoolean('coalesce', options.coalesce ?? DEFAULTS.coalesce),
    batching: section('batching', options.batching, DEFAULTS.batching, (b) => {
      checkNumber('batching.maxBatchSize', b.maxBatchSize, 1, true);
      checkNumber('batching.maxWaitMs', b.maxWaitMs, 0);
    }),
    cache: resolveCache(options.cache),
    hooks: options.hooks === undefined ? undefined : Object.freeze({ ...options.hooks }),
    metrics: options.metrics,
    tracing,
    connections,
    keepAliveTimeout,
    tls,
    http2,
    proxy,
    dispatcher: options.dispatcher ?? createDispatcher({ connections, keepAliveTimeout, tls, http2, proxy }),
    defaultHeaders: Object.freeze({ ...options.defaultHeaders }),
  });
}
