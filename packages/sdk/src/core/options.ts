import { Agent, type Dispatcher } from 'undici';
import { MaximusError } from '../errors.js';

/** Backoff between retries: full jitter, `random(0, min(maxDelayMs, baseDelayMs · 2^retry))`. */
export interface RetryOptions {
  /** The first retry waits up to this long; each later retry doubles the bound. @default 500 */
  baseDelayMs?: number;
  /** No backoff bound grows beyond this. @default 8000 */
  maxDelayMs?: number;
  /** A server's `Retry-After` / `retry-after-ms` is honoured up to this long. @default 60000 */
  maxRetryAfterMs?: number;
}

/** {@link RetryOptions} with every default applied. */
export type ResolvedRetryOptions = Readonly<Required<RetryOptions>>;

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
  /** CA certificate(s) the gateway's certificate must chain to (PEM), instead of the system's. */
  ca?: string | Buffer;
  /** Client certificate (PEM) for a gateway with mTLS (`MAXIMUS_TLS_CLIENT_AUTH`); needs `key`. */
  cert?: string | Buffer;
  /** Private key (PEM) of `cert`. */
  key?: string | Buffer;
  /** `false` accepts any server certificate: for debugging only, never in production. @default true */
  rejectUnauthorized?: boolean;
}

/** Options of `new Maximus(options)`. Each documents its default and, where it has one, its environment variable. */
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
  /** Milliseconds one attempt may take, answer body included; a timed-out attempt is retried. @default 60000 */
  timeout?: number;
  /** Milliseconds a whole call may take, every retry and wait included; a hard limit. @default 120000 */
  deadline?: number;
  /** Retries after the first attempt (so `maxRetries + 1` attempts at most). @default 2 */
  maxRetries?: number;
  /** Backoff between retries. */
  retry?: RetryOptions;
  /** Connections per origin in the SDK's keep-alive pool (an undici `Agent`). Ignored when `dispatcher` is given. @default 200 */
  connections?: number;
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
   * A custom undici `Dispatcher` (a `ProxyAgent`, a `MockAgent`, a shared `Agent`). The caller owns it:
   * `close()` leaves it open.
   * @default an `Agent` of `connections` connections per origin, owned and closed by the client
   */
  dispatcher?: Dispatcher;
  /** Headers sent on every call (a call's `headers` override them). @default {} */
  defaultHeaders?: Record<string, string>;
}

/** {@link ClientOptions} after defaults and environment variables; `dispatcher` is the one in use. */
export interface ResolvedClientOptions {
  readonly baseURL: string;
  readonly apiKey: string | null;
  readonly token: string | null;
  readonly timeout: number;
  readonly deadline: number;
  readonly maxRetries: number;
  readonly retry: ResolvedRetryOptions;
  readonly connections: number;
  readonly tls: Readonly<TlsOptions> | undefined;
  readonly http2: boolean;
  readonly dispatcher: Dispatcher;
  readonly defaultHeaders: Readonly<Record<string, string>>;
}

/** Option defaults, exported for documentation and tests. */
export const DEFAULTS = {
  baseURL: 'http://127.0.0.1:8000',
  timeout: 60_000,
  deadline: 120_000,
  maxRetries: 2,
  retry: { baseDelayMs: 500, maxDelayMs: 8_000, maxRetryAfterMs: 60_000 },
  connections: 200,
  http2: true,
} as const;

function fromEnv(name: string): string | undefined {
  const value = process.env[name];
  return value === undefined || value === '' ? undefined : value;
}

function invalid(message: string): MaximusError {
  return new MaximusError(message, { code: 'SDK_ERR_OPTIONS_INVALID' });
}

/**
 * Checks a numeric option (`min` inclusive); `integer` forbids fractions.
 * @throws MaximusError `SDK_ERR_OPTIONS_INVALID`
 */
export function checkNumber(name: string, value: number, min: number, integer = false): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || (integer && !Number.isInteger(value))) {
    throw invalid(`option ${name} must be ${integer ? 'an integer' : 'a number'} >= ${min}, got ${String(value)}`);
  }
  return value;
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

/** The SDK's own pool: `connections` per origin, TLS settings on each connection, HTTP/2 by ALPN when allowed. */
function createAgent(connections: number, tls: Readonly<TlsOptions> | undefined, http2: boolean): Agent {
  const connect = {
    ...(tls?.ca !== undefined ? { ca: tls.ca } : {}),
    ...(tls?.cert !== undefined ? { cert: tls.cert } : {}),
    ...(tls?.key !== undefined ? { key: tls.key } : {}),
    ...(tls?.rejectUnauthorized !== undefined ? { rejectUnauthorized: tls.rejectUnauthorized } : {}),
  };
  return new Agent({ connections, allowH2: http2, ...(Object.keys(connect).length > 0 ? { connect } : {}) });
}

/**
 * Applies defaults and environment variables to `options`; without a `dispatcher`, creates the keep-alive
 * `Agent` (`connections` per origin, `tls`, HTTP/2 when `http2`) that the client will own.
 * @throws MaximusError `SDK_ERR_OPTIONS_INVALID` when an option is out of range or `baseURL` is not an http(s) URL
 */
export function resolveClientOptions(options: ClientOptions = {}): ResolvedClientOptions {
  const baseURL = options.baseURL ?? fromEnv('MAXIMUS_URL') ?? DEFAULTS.baseURL;
  let url: URL;
  try {
    url = new URL(baseURL);
  } catch (cause) {
    throw new MaximusError(`option baseURL is not a URL: ${baseURL}`, { code: 'SDK_ERR_OPTIONS_INVALID', cause });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid(`option baseURL must be http(s), got ${baseURL}`);
  const retry = { ...DEFAULTS.retry, ...options.retry };
  const connections = checkNumber('connections', options.connections ?? DEFAULTS.connections, 1, true);
  const tls = options.tls === undefined ? undefined : checkTls(options.tls);
  const http2 = options.http2 ?? DEFAULTS.http2;
  if (typeof http2 !== 'boolean') throw invalid(`option http2 must be a boolean, got ${String(http2)}`);
  return Object.freeze({
    baseURL: baseURL.replace(/\/+$/, ''),
    apiKey: options.apiKey === undefined ? (fromEnv('MAXIMUS_API_KEY') ?? null) : options.apiKey,
    token: options.token === undefined ? (fromEnv('MAXIMUS_TOKEN') ?? null) : options.token,
    timeout: checkNumber('timeout', options.timeout ?? DEFAULTS.timeout, 1),
    deadline: checkNumber('deadline', options.deadline ?? DEFAULTS.deadline, 1),
    maxRetries: checkNumber('maxRetries', options.maxRetries ?? DEFAULTS.maxRetries, 0, true),
    retry: Object.freeze({
      baseDelayMs: checkNumber('retry.baseDelayMs', retry.baseDelayMs, 0),
      maxDelayMs: checkNumber('retry.maxDelayMs', retry.maxDelayMs, 0),
      maxRetryAfterMs: checkNumber('retry.maxRetryAfterMs', retry.maxRetryAfterMs, 0),
    }),
    connections,
    tls,
    http2,
    dispatcher: options.dispatcher ?? createAgent(connections, tls, http2),
    defaultHeaders: Object.freeze({ ...options.defaultHeaders }),
  });
}
