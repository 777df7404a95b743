import { resolve } from 'node:path';
import { GATEWAY_PORT, SERVICES, SERVICE_NAMES, type ServiceName } from '@maximus/contracts';
import { KitErrors } from '../errors/index.js';

/** One environment variable the platform reads: its default and what it does (docs/configuration.md lists them all). */
export interface EnvVarSpec {
  readonly name: string;
  /** The default as it would be written in the environment; undefined when unset means "off". */
  readonly default: string | undefined;
  readonly description: string;
  /** Never printed or logged. */
  readonly secret?: boolean;
}

const serviceUrlVars: EnvVarSpec[] = SERVICE_NAMES.map((name) => ({
  name: `MAXIMUS_${name.toUpperCase()}_URL`,
  default: `http://127.0.0.1:${SERVICES[name].port}`,
  description: `Connected mode: where the gateway reaches ${name}.`,
}));

/** Every variable the kit reads, in documentation order. */
export const ENV_VARS: readonly EnvVarSpec[] = [
  { name: 'MAXIMUS_DATA_DIR', default: '.maximus/data', description: 'Embedded mode: the PGlite data directory (relative to the working directory). `maximus serve <service>` without DATABASE_URL uses `<dir>/<service>`.' },
  { name: 'MAXIMUS_HOST', default: '127.0.0.1', description: 'Address to listen on. Anything but loopback needs `--insecure-http` until TLS is configured.' },
  { name: 'MAXIMUS_PORT', default: String(GATEWAY_PORT), description: 'Gateway port (`maximus up`, `maximus serve gateway`). A service run alone uses its own port from the service table unless `--port` is given.' },
  { name: 'MAXIMUS_LOG_LEVEL', default: 'info', description: 'pino level: fatal, error, warn, info, debug, trace, silent. Every request has an access line at info, except successful probes (`/health`, `/ready`, `/metrics`), which are at debug.' },
  { name: 'DATABASE_URL', default: undefined, description: 'PostgreSQL 15+ URL. Set: connected mode for the database (one schema per service). Unset: embedded PGlite.', secret: true },
  { name: 'REDIS_URL', default: undefined, description: 'Redis URL. Set: the shared cache is Redis. Unset: an in-memory LRU per process.', secret: true },
  { name: 'NATS_URL', default: undefined, description: 'NATS URL (JetStream enabled). Set: the bus is JetStream. Unset: the in-process bus fed by the outbox.', secret: true },
  { name: 'MAXIMUS_DB_POOL_MAX', default: '10', description: 'PostgreSQL: connections per process.' },
  { name: 'MAXIMUS_DB_ACQUIRE_TIMEOUT_MS', default: '5000', description: 'PostgreSQL: how long a query waits for a pooled connection before answering 503.' },
  { name: 'MAXIMUS_DB_STATEMENT_TIMEOUT_MS', default: '30000', description: 'PostgreSQL: `statement_timeout` of every connection.' },
  { name: 'MAXIMUS_CACHE_MAX_ENTRIES', default: '10000', description: 'In-memory cache: most entries kept (least recently used go first).' },
  { name: 'MAXIMUS_NATS_STREAM', default: 'MAXIMUS', description: 'JetStream stream that carries every topic.' },
  { name: 'MAXIMUS_NATS_SUBJECT_PREFIX', default: 'maximus', description: 'Topic `a.b` travels on subject `<prefix>.a.b`.' },
  { name: 'MAXIMUS_BUS_MAX_DELIVER', default: '5', description: 'Deliveries of one event to one consumer before it goes to the dead-letter topic.' },
  { name: 'MAXIMUS_OUTBOX_POLL_MS', default: '250', description: 'Outbox relay: how often it looks for unpublished events (writes through the kit wake it at once).' },
  { name: 'MAXIMUS_OUTBOX_RETENTION_HOURS', default: '24', description: 'Outbox: published events are kept this long (subscribers resume from them)...' },
  { name: 'MAXIMUS_OUTBOX_RETENTION_EVENTS', default: '100000', description: '...and at most this many per service.' },
  { name: 'MAXIMUS_UPSTREAM_TIMEOUT_MS', default: '30000', description: 'Gateway, connected mode: time to wait for a service before answering 504.' },
  { name: 'MAXIMUS_HEALTH_CACHE_MS', default: '1000', description: 'How long one probe of the database, cache and bus serves `GET /health` answers (0: probe on every request). `GET /ready` always probes.' },
  { name: 'MAXIMUS_HEALTH_TIMEOUT_MS', default: '2000', description: 'Time a health check waits for one component or service before calling it down.' },
  ...serviceUrlVars,
  { name: 'MAXIMUS_AUTH', default: 'on', description: '`off` lets every request through as an anonymous admin, for local experiments only (a loud warning at every start).' },
  { name: 'MAXIMUS_SECRET', default: undefined, description: 'Encrypts the platform\'s secrets (JWT and ledger signing keys, the internal HMAC key) in the database. Required in connected mode; embedded without it, a 0600 key file `maximus.key` in the data directory is used.', secret: true },
  { name: 'MAXIMUS_BOOTSTRAP_ADMIN_KEY', default: undefined, description: 'Connected mode: an admin API key (as `maximus keys create --bootstrap` prints) that the gateway stores at start if no key exists yet.', secret: true },
  { name: 'MAXIMUS_JWT_ISSUER', default: 'maximus', description: '`iss` of the tokens the platform mints and accepts.' },
  { name: 'MAXIMUS_JWT_AUDIENCE', default: 'maximus', description: '`aud` of the tokens the platform mints and accepts.' },
  { name: 'MAXIMUS_JWT_MAX_TTL_SECONDS', default: '86400', description: 'Longest lifetime `maximus token mint` may ask for.' },
  { name: 'MAXIMUS_JWT_EXTERNAL_JWKS_URL', default: undefined, description: 'Also accept JWTs of an external issuer, verified with the keys at this JWKS URL (with the two variables below).' },
  { name: 'MAXIMUS_JWT_EXTERNAL_ISSUER', default: undefined, description: 'The external issuer\'s `iss`.' },
  { name: 'MAXIMUS_JWT_EXTERNAL_AUDIENCE', default: undefined, description: 'The `aud` external tokens must carry.' },
  { name: 'MAXIMUS_JWT_ROLE_CLAIM', default: 'role', description: 'Claim of an external token that holds the role (admin, operator or readonly); missing: readonly.' },
  { name: 'MAXIMUS_RATE_LIMITS', default: 'read=600/60,write=120/60,expensive=20/60', description: 'Requests per principal and route class: `<class>=<requests>/<seconds>`, for every role.' },
  { name: 'MAXIMUS_RATE_LIMITS_ADMIN', default: undefined, description: 'Overrides of MAXIMUS_RATE_LIMITS for admins (same format, any subset of classes).' },
  { name: 'MAXIMUS_RATE_LIMITS_OPERATOR', default: undefined, description: 'Overrides for operators.' },
  { name: 'MAXIMUS_RATE_LIMITS_READONLY', default: undefined, description: 'Overrides for readonly principals.' },
  { name: 'MAXIMUS_RATE_LIMITS_SERVICE', default: undefined, description: 'Overrides for service principals.' },
  { name: 'MAXIMUS_TLS_CERT', default: undefined, description: 'PEM certificate chain of the gateway. Set (with the key): TLS only, HTTP/2 and HTTP/1.1 by ALPN.' },
  { name: 'MAXIMUS_TLS_KEY', default: undefined, description: 'PEM private key of that certificate.' },
  { name: 'MAXIMUS_TLS_CLIENT_CA', default: undefined, description: 'PEM CA bundle that client certificates must chain to (mTLS).' },
  { name: 'MAXIMUS_TLS_CLIENT_AUTH', default: 'off', description: 'mTLS: `off`, `optional` (a certificate, when given, identifies the caller) or `require`.' },
  { name: 'MAXIMUS_TLS_MIN_VERSION', default: '1.3', description: 'Oldest TLS version accepted: `1.3`, or `1.2` to opt in to TLS 1.2.' },
  { name: 'MAXIMUS_HTTP_PORT', default: undefined, description: 'With TLS configured: also serve plain HTTP on this port (loopback unless --insecure-http). Unset: no plain listener.' },
  { name: 'MAXIMUS_METRICS_TOKEN', default: undefined, description: 'Bearer token that `/metrics` requires from non-loopback clients (unset: non-loopback scrapes are refused).', secret: true },
  { name: 'MAXIMUS_INTERNAL_SECRET', default: undefined, description: 'HMAC key of the gateway proof that services check in connected mode. Unset: generated once and shared through the database.', secret: true },
  { name: 'MAXIMUS_PENELOPE_WORKSPACES', default: undefined, description: 'PENELOPE: absolute directories (comma-separated) that an approved patch may be written into; a workspace is one of them or a directory below. Unset: patches are only recorded.' },
  { name: 'MAXIMUS_PENELOPE_WARM_ON_START', default: 'on', description: 'PENELOPE: `on` warms the analysers once the service is ready; `off` warms them on the first diagnosis (what the test suite does).' },
  { name: 'MAXIMUS_PENELOPE_SABBATH', default: 'off', description: 'PENELOPE: `on` keeps approved patches waiting through Saturday and Sunday (UTC) until Monday 00:00 UTC.' },
  { name: 'MAXIMUS_PENELOPE_ANALYSER_WORKERS', default: '1', description: 'PENELOPE: analyser worker threads, each with warm Ruff, TypeScript and ESLint (they warm one after the other at start; raise it on machines with cores to spare).' },
  { name: 'MAXIMUS_PENELOPE_TEST_TIMEOUT_MS', default: '30000', description: 'PENELOPE: time limit of one test run when a patch is verified (the run is killed after it).' },
  { name: 'MAXIMUS_PENELOPE_MODEL_PATCHES', default: 'on', description: 'PENELOPE: `on` asks core\'s language model (MAXIMUS_LLM_PROVIDER `anthropic` or `openai`) for one more patch per diagnosis, after the analysers\' patches, marked `origin: model` and never `safe`; `off` never asks. With the `local` provider core has no model: PENELOPE then asks again at most every 5 minutes.' },
  { name: 'MAXIMUS_PENELOPE_MODEL_TIMEOUT_MS', default: '90000', description: 'PENELOPE: longest wait for core\'s model patch (`POST /core/api/v1/query/propose-fix`); past it the diagnosis records the timeout and keeps its analyser patches.' },
  { name: 'MAXIMUS_IDEMPOTENCY_TTL_HOURS', default: '24', description: 'How long a response stored for an `Idempotency-Key` is replayed.' },
  { name: 'MAXIMUS_LLM_PROVIDER', default: 'local', description: 'Who answers `POST /core/api/v1/query`: `local` (offline, deterministic, no language model), `anthropic` (Messages API) or `openai` (any OpenAI-compatible server: OpenAI, vLLM, Ollama, llama.cpp).' },
  { name: 'MAXIMUS_LLM_MODEL', default: undefined, description: 'The model the remote provider is asked for. Required for `anthropic` and `openai`.' },
  { name: 'MAXIMUS_LLM_BASE_URL', default: undefined, description: 'The provider\'s base URL (an OpenAI-compatible server: `http://127.0.0.1:11434/v1`). Unset: the provider\'s public API.' },
  { name: 'MAXIMUS_LLM_API_KEY', default: undefined, description: 'API key of the remote provider. Unset: ANTHROPIC_API_KEY or OPENAI_API_KEY, by provider (a local OpenAI-compatible server may need none).', secret: true },
  { name: 'ANTHROPIC_API_KEY', default: undefined, description: 'The Anthropic API key, when MAXIMUS_LLM_API_KEY is unset.', secret: true },
  { name: 'OPENAI_API_KEY', default: undefined, description: 'The OpenAI API key, when MAXIMUS_LLM_API_KEY is unset.', secret: true },
  { name: 'MAXIMUS_LLM_TIMEOUT_MS', default: '60000', description: 'Longest wait for one provider call before the query answers 504.' },
  { name: 'MAXIMUS_LLM_MAX_TOKENS', default: '1024', description: 'Tokens a provider may generate per call when the query gives no `max_tokens`.' },
  { name: 'MAXIMUS_QUERY_TOOL_TIMEOUT_MS', default: '10000', description: 'Longest wait for one query tool (diagnose, consciousness state, governance stats) before it is recorded as failed.' },
  { name: 'MAXIMUS_TIG_NODES', default: '100', description: 'Consciousness: nodes of the TIG fabric.' },
  { name: 'MAXIMUS_TIG_M', default: '3', description: 'TIG fabric: links each new node makes (Barabási–Albert m).' },
  { name: 'MAXIMUS_TIG_TRIADIC_P', default: '0.3', description: 'TIG fabric: probability of a triad-closing link after each preferential one (Holme–Kim).' },
  { name: 'MAXIMUS_TIG_SEED', default: '42', description: 'TIG fabric: PRNG seed (graph, node positions, oscillator draws). The same seed gives the same fabric.' },
  { name: 'MAXIMUS_TIG_DENSE_EIGEN_MAX', default: '400', description: 'TIG metrics: up to this many nodes the Fiedler value comes from a dense eigendecomposition, above from Lanczos.' },
  { name: 'MAXIMUS_AROUSAL_BASELINE', default: '0.6', description: 'Arousal with no pressure and no modulation, in [0, 1].' },
  { name: 'MAXIMUS_CONSCIOUSNESS_TICK_MS', default: '500', description: 'How often the leader integrates arousal from the measured signals (and every replica reports its own).' },
  { name: 'MAXIMUS_CONSCIOUSNESS_HEALTH_MS', default: '1000', description: 'How often the leader\'s node-health loop isolates and reintegrates TIG nodes.' },
  { name: 'MAXIMUS_CONSCIOUSNESS_SNAPSHOT_SECONDS', default: '10', description: 'How often the leader stores a state snapshot in core.consciousness_snapshots.' },
  { name: 'MAXIMUS_CONSCIOUSNESS_SNAPSHOT_RETENTION_HOURS', default: '24', description: 'Snapshots older than this are deleted.' },
  { name: 'MAXIMUS_CONSCIOUSNESS_LEADER_POLL_MS', default: '1000', description: 'Connected mode: how often a core replica tries the advisory lock that makes it the simulation leader (a dead leader is replaced within about this long).' },
  { name: 'MAXIMUS_ESGT_COUPLING', default: '20', description: 'ESGT Kuramoto coupling K, rad/s.' },
  { name: 'MAXIMUS_ESGT_FREQUENCY_HZ', default: '40', description: 'ESGT: mean natural frequency of the oscillators, Hz.' },
  { name: 'MAXIMUS_ESGT_FREQUENCY_SD_HZ', default: '1', description: 'ESGT: standard deviation of the natural frequencies, Hz.' },
  { name: 'MAXIMUS_ESGT_DT_MS', default: '1', description: 'ESGT: RK4 step, simulated ms.' },
  { name: 'MAXIMUS_ESGT_SYNC_BUDGET_MS', default: '300', description: 'ESGT: simulated time an assembly has to synchronise.' },
  { name: 'MAXIMUS_ESGT_COHERENCE', default: '0.7', description: 'ESGT: order parameter r that counts as synchronised.' },
  { name: 'MAXIMUS_ESGT_REFRACTORY_MS', default: '200', description: 'ESGT: no ignition within this long after the previous one ended.' },
  { name: 'MAXIMUS_ESGT_MAX_FREQUENCY', default: '10/10', description: 'ESGT: at most this many ignitions in this many seconds (`<count>/<seconds>`).' },
  { name: 'MAXIMUS_ESGT_MIN_NODES', default: '20', description: 'ESGT: an ignition needs a connected set of at least this many healthy nodes.' },
  { name: 'MAXIMUS_SLO_LATENCY_MS', default: '300', description: 'API latency SLO: a request answered within it is on time (penelope\'s patience counts requests up to the largest `http_server_request_duration_seconds` bucket boundary at or below it).' },
  { name: 'MAXIMUS_SLO_AVAILABILITY', default: '0.999', description: 'Availability objective (fraction of requests without a 5xx); its error budget (1 − this) scales the error pressure on arousal.' },
  { name: 'MAXIMUS_PENELOPE_SCORES_TTL_SECONDS', default: '60', description: 'How long one computation of the fruits and virtues serves `GET /penelope/api/v1/spiritual/*` (0: computed on every request).' },
  { name: 'MAXIMUS_PENELOPE_SIGNALS_INTERVAL_SECONDS', default: '30', description: 'How often penelope samples the platform (every service\'s /metrics and /health, the ledger\'s signed root): one replica at a time. 0: no periodic sampling.' },
  { name: 'MAXIMUS_PENELOPE_SIGNALS_WINDOW_SECONDS', default: '3600', description: 'Window of the sampled signals behind joy, peace, patience, kindness, faithfulness and self-control.' },
  { name: 'MAXIMUS_PENELOPE_OUTCOMES_WINDOW_SECONDS', default: '604800', description: 'Window of the governance and healing outcomes behind love, goodness, gentleness and the virtues.' },
];

export type Mode = 'embedded' | 'connected';

export interface ResolvedConfig {
  readonly dataDir: string;
  readonly host: string;
  readonly port: number;
  readonly logLevel: string;
  readonly databaseUrl: string | undefined;
  readonly redisUrl: string | undefined;
  readonly natsUrl: string | undefined;
  readonly db: { readonly poolMax: number; readonly acquireTimeoutMs: number; readonly statementTimeoutMs: number };
  readonly cache: { readonly maxEntries: number };
  readonly nats: { readonly stream: string; readonly subjectPrefix: string };
  readonly bus: { readonly maxDeliver: number };
  readonly outbox: { readonly pollMs: number; readonly retentionHours: number; readonly retentionEvents: number };
  readonly upstreamTimeoutMs: number;
  readonly healthTimeoutMs: number;
  readonly healthCacheMs: number;
  readonly serviceUrls: Readonly<Record<ServiceName, string>>;
  readonly auth: {
    readonly enabled: boolean;
    readonly secret: string | undefined;
    readonly bootstrapAdminKey: string | undefined;
    readonly internalSecret: string | undefined;
    readonly metricsToken: string | undefined;
    readonly jwt: {
      readonly issuer: string;
      readonly audience: string;
      readonly maxTtlSeconds: number;
      readonly roleClaim: string;
      readonly external: { readonly jwksUrl: string; readonly issuer: string; readonly audience: string } | undefined;
    };
  };
  /** Per role, per route class: how many requests in how many seconds. */
  readonly rateLimits: Readonly<Record<RateLimitRole, Readonly<Record<RouteClass, RateLimitPolicy>>>>;
  readonly tls:
    | {
        readonly certPath: string;
        readonly keyPath: string;
        readonly clientCaPath: string | undefined;
        readonly clientAuth: 'off' | 'optional' | 'require';
        readonly minVersion: 'TLSv1.3' | 'TLSv1.2';
      }
    | undefined;
  readonly httpPort: number | undefined;
  readonly idempotencyTtlHours: number;
  /** The query pipeline's provider. `apiKey` is a secret: never log it. */
  readonly llm: {
    readonly provider: 'local' | 'anthropic' | 'openai';
    readonly model: string | undefined;
    readonly baseUrl: string | undefined;
    readonly apiKey: string | undefined;
    readonly timeoutMs: number;
    readonly maxTokens: number;
    readonly toolTimeoutMs: number;
  };
  /** API latency SLO, milliseconds. */
  readonly sloLatencyMs: number;
  /** penelope's fruits and virtues: cache TTL, sampling interval (0: off) and windows, seconds. */
  readonly spiritual: {
    readonly scoresTtlSeconds: number;
    readonly signalsIntervalSeconds: number;
    readonly signalsWindowSeconds: number;
    readonly outcomesWindowSeconds: number;
  };
}

export const ROUTE_CLASSES = ['read', 'write', 'expensive'] as const;
export type RouteClass = (typeof ROUTE_CLASSES)[number];
export const RATE_LIMIT_ROLES = ['admin', 'operator', 'readonly', 'service'] as const;
export type RateLimitRole = (typeof RATE_LIMIT_ROLES)[number];
export interface RateLimitPolicy {
  readonly limit: number;
  readonly windowSeconds: number;
}

function limits(env: Env, name: string): Partial<Record<RouteClass, RateLimitPolicy>> {
  const raw = read(env, name);
  if (raw === undefined) return {};
  const result: Partial<Record<RouteClass, RateLimitPolicy>> = {};
  for (const part of raw.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^(read|write|expensive)=(\d+)\/(\d+)$/.exec(part);
    if (!m || Number(m[3]) < 1) throw new KitErrors.ConfigInvalid(name, `expected <class>=<requests>/<seconds> with class read, write or expensive, got "${part}"`);
    result[m[1] as RouteClass] = { limit: Number(m[2]), windowSeconds: Number(m[3]) };
  }
  return result;
}

function oneOf<T extends string>(env: Env, name: string, choices: readonly T[]): T {
  const value = str(env, name);
  if (!(choices as readonly string[]).includes(value)) throw new KitErrors.ConfigInvalid(name, `expected one of ${choices.join(', ')}, got "${value}"`);
  return value as T;
}

type Env = Readonly<Record<string, string | undefined>>;

function read(env: Env, name: string): string | undefined {
  const spec = ENV_VARS.find((v) => v.name === name);
  if (!spec) throw new Error(`${name} is not a declared configuration variable`);
  const value = env[name];
  return value === undefined || value === '' ? spec.default : value;
}

function str(env: Env, name: string): string {
  const value = read(env, name);
  if (value === undefined) throw new KitErrors.ConfigInvalid(name, 'it has no value and no default');
  return value;
}

function int(env: Env, name: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const raw = str(env, name);
  // Digits only: Number() would also take ' ' (0), '0x1f', '1e3' and '12 '.
  const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new KitErrors.ConfigInvalid(name, `expected an integer in [${min}, ${max}], got "${raw}"`);
  }
  return value;
}

function url(env: Env, name: string, protocols: readonly string[]): string | undefined {
  const raw = read(env, name);
  if (raw === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new KitErrors.ConfigInvalid(name, 'it is not a URL');
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new KitErrors.ConfigInvalid(name, `expected a ${protocols.join(' or ')} URL, got ${parsed.protocol}`);
  }
  return raw;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/**
 * Reads the configuration from the environment, applying the documented defaults.
 * @throws KIT_ERR_CONFIG_INVALID naming the variable when a value does not parse.
 */
export function loadConfig(env: Env = process.env): ResolvedConfig {
  const logLevel = str(env, 'MAXIMUS_LOG_LEVEL');
  if (!LOG_LEVELS.includes(logLevel)) throw new KitErrors.ConfigInvalid('MAXIMUS_LOG_LEVEL', `expected one of ${LOG_LEVELS.join(', ')}`);
  const serviceUrls = Object.fromEntries(
    SERVICE_NAMES.map((name) => [name, url(env, `MAXIMUS_${name.toUpperCase()}_URL`, ['http:', 'https:'])]),
  ) as Record<ServiceName, string>;
  return {
    dataDir: resolve(str(env, 'MAXIMUS_DATA_DIR')),
    host: str(env, 'MAXIMUS_HOST'),
    port: int(env, 'MAXIMUS_PORT', 0, 65535),
    logLevel,
    databaseUrl: url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']),
    redisUrl: url(env, 'REDIS_URL', ['redis:', 'rediss:']),
    natsUrl: url(env, 'NATS_URL', ['nats:', 'tls:']),
    db: {
      poolMax: int(env, 'MAXIMUS_DB_POOL_MAX', 1, 1000),
      acquireTimeoutMs: int(env, 'MAXIMUS_DB_ACQUIRE_TIMEOUT_MS', 1),
      statementTimeoutMs: int(env, 'MAXIMUS_DB_STATEMENT_TIMEOUT_MS', 1),
    },
    cache: { maxEntries: int(env, 'MAXIMUS_CACHE_MAX_ENTRIES', 1) },
    nats: { stream: str(env, 'MAXIMUS_NATS_STREAM'), subjectPrefix: str(env, 'MAXIMUS_NATS_SUBJECT_PREFIX') },
    bus: { maxDeliver: int(env, 'MAXIMUS_BUS_MAX_DELIVER', 1, 1000) },
    outbox: {
      pollMs: int(env, 'MAXIMUS_OUTBOX_POLL_MS', 10),
      retentionHours: int(env, 'MAXIMUS_OUTBOX_RETENTION_HOURS', 0),
      retentionEvents: int(env, 'MAXIMUS_OUTBOX_RETENTION_EVENTS', 0),
    },
    upstreamTimeoutMs: int(env, 'MAXIMUS_UPSTREAM_TIMEOUT_MS', 1),
    healthTimeoutMs: int(env, 'MAXIMUS_HEALTH_TIMEOUT_MS', 1),
    healthCacheMs: int(env, 'MAXIMUS_HEALTH_CACHE_MS', 0),
    serviceUrls,
    auth: {
      enabled: oneOf(env, 'MAXIMUS_AUTH', ['on', 'off']) === 'on',
      secret: read(env, 'MAXIMUS_SECRET'),
      bootstrapAdminKey: read(env, 'MAXIMUS_BOOTSTRAP_ADMIN_KEY'),
      internalSecret: read(env, 'MAXIMUS_INTERNAL_SECRET'),
      metricsToken: read(env, 'MAXIMUS_METRICS_TOKEN'),
      jwt: {
        issuer: str(env, 'MAXIMUS_JWT_ISSUER'),
        audience: str(env, 'MAXIMUS_JWT_AUDIENCE'),
        maxTtlSeconds: int(env, 'MAXIMUS_JWT_MAX_TTL_SECONDS', 1),
        roleClaim: str(env, 'MAXIMUS_JWT_ROLE_CLAIM'),
        external: externalIssuer(env),
      },
    },
    rateLimits: rateLimits(env),
    tls: tls(env),
    httpPort: read(env, 'MAXIMUS_HTTP_PORT') === undefined ? undefined : int(env, 'MAXIMUS_HTTP_PORT', 0, 65535),
    idempotencyTtlHours: int(env, 'MAXIMUS_IDEMPOTENCY_TTL_HOURS', 1),
    llm: llm(env),
    sloLatencyMs: int(env, 'MAXIMUS_SLO_LATENCY_MS', 1),
    spiritual: {
      scoresTtlSeconds: int(env, 'MAXIMUS_PENELOPE_SCORES_TTL_SECONDS', 0),
      signalsIntervalSeconds: int(env, 'MAXIMUS_PENELOPE_SIGNALS_INTERVAL_SECONDS', 0),
      signalsWindowSeconds: int(env, 'MAXIMUS_PENELOPE_SIGNALS_WINDOW_SECONDS', 60),
      outcomesWindowSeconds: int(env, 'MAXIMUS_PENELOPE_OUTCOMES_WINDOW_SECONDS', 60),
    },
  };
}

function llm(env: Env): ResolvedConfig['llm'] {
  const provider = oneOf(env, 'MAXIMUS_LLM_PROVIDER', ['local', 'anthropic', 'openai']);
  const model = read(env, 'MAXIMUS_LLM_MODEL');
  if (provider !== 'local' && !model) throw new KitErrors.ConfigInvalid('MAXIMUS_LLM_MODEL', `MAXIMUS_LLM_PROVIDER=${provider} needs the model to ask for`);
  const fallbackKey = provider === 'anthropic' ? read(env, 'ANTHROPIC_API_KEY') : provider === 'openai' ? read(env, 'OPENAI_API_KEY') : undefined;
  const apiKey = read(env, 'MAXIMUS_LLM_API_KEY') ?? fallbackKey;
  if (provider === 'anthropic' && !apiKey) throw new KitErrors.ConfigInvalid('MAXIMUS_LLM_API_KEY', 'MAXIMUS_LLM_PROVIDER=anthropic needs an API key (MAXIMUS_LLM_API_KEY or ANTHROPIC_API_KEY)');
  return {
    provider,
    model,
    baseUrl: url(env, 'MAXIMUS_LLM_BASE_URL', ['http:', 'https:']),
    apiKey,
    timeoutMs: int(env, 'MAXIMUS_LLM_TIMEOUT_MS', 1),
    maxTokens: int(env, 'MAXIMUS_LLM_MAX_TOKENS', 1, 1_000_000),
    toolTimeoutMs: int(env, 'MAXIMUS_QUERY_TOOL_TIMEOUT_MS', 1),
  };
}

function externalIssuer(env: Env): ResolvedConfig['auth']['jwt']['external'] {
  const jwksUrl = url(env, 'MAXIMUS_JWT_EXTERNAL_JWKS_URL', ['http:', 'https:']);
  const issuer = read(env, 'MAXIMUS_JWT_EXTERNAL_ISSUER');
  const audience = read(env, 'MAXIMUS_JWT_EXTERNAL_AUDIENCE');
  if (!jwksUrl && !issuer && !audience) return undefined;
  if (!jwksUrl || !issuer || !audience) {
    const missing = !jwksUrl ? 'MAXIMUS_JWT_EXTERNAL_JWKS_URL' : !issuer ? 'MAXIMUS_JWT_EXTERNAL_ISSUER' : 'MAXIMUS_JWT_EXTERNAL_AUDIENCE';
    throw new KitErrors.ConfigInvalid(missing, 'an external issuer needs its JWKS URL, issuer and audience together');
  }
  return { jwksUrl, issuer, audience };
}

function rateLimits(env: Env): ResolvedConfig['rateLimits'] {
  const base = limits(env, 'MAXIMUS_RATE_LIMITS');
  for (const c of ROUTE_CLASSES) if (!base[c]) throw new KitErrors.ConfigInvalid('MAXIMUS_RATE_LIMITS', `it must set every class; ${c} is missing`);
  const full = base as Record<RouteClass, RateLimitPolicy>;
  return Object.fromEntries(RATE_LIMIT_ROLES.map((role) => [role, { ...full, ...limits(env, `MAXIMUS_RATE_LIMITS_${role.toUpperCase()}`) }])) as ResolvedConfig['rateLimits'];
}

function tls(env: Env): ResolvedConfig['tls'] {
  const certPath = read(env, 'MAXIMUS_TLS_CERT');
  const keyPath = read(env, 'MAXIMUS_TLS_KEY');
  const clientAuth = oneOf(env, 'MAXIMUS_TLS_CLIENT_AUTH', ['off', 'optional', 'require']);
  const minVersion = oneOf(env, 'MAXIMUS_TLS_MIN_VERSION', ['1.3', '1.2']) === '1.2' ? 'TLSv1.2' : 'TLSv1.3';
  const clientCaPath = read(env, 'MAXIMUS_TLS_CLIENT_CA');
  if (!certPath && !keyPath) {
    if (clientAuth !== 'off') throw new KitErrors.ConfigInvalid('MAXIMUS_TLS_CLIENT_AUTH', 'mTLS needs MAXIMUS_TLS_CERT and MAXIMUS_TLS_KEY');
    return undefined;
  }
  if (!certPath || !keyPath) throw new KitErrors.ConfigInvalid(certPath ? 'MAXIMUS_TLS_KEY' : 'MAXIMUS_TLS_CERT', 'TLS needs both MAXIMUS_TLS_CERT and MAXIMUS_TLS_KEY');
  if (clientAuth !== 'off' && !clientCaPath) throw new KitErrors.ConfigInvalid('MAXIMUS_TLS_CLIENT_CA', `MAXIMUS_TLS_CLIENT_AUTH=${clientAuth} needs the CA that client certificates chain to`);
  return { certPath: resolve(certPath), keyPath: resolve(keyPath), clientCaPath: clientCaPath ? resolve(clientCaPath) : undefined, clientAuth, minVersion };
}

/**
 * A declared variable that is not part of {@link ResolvedConfig} (a service's own settings): its value, or its
 * default, as a number within `range`.
 * @throws KIT_ERR_CONFIG_INVALID naming the variable when it does not parse or is out of range.
 * @example const nodes = configNumber('MAXIMUS_TIG_NODES', { min: 2, integer: true });
 */
export function configNumber(name: string, range: { min?: number; max?: number; integer?: boolean } = {}, env: Env = process.env): number {
  const raw = str(env, name).trim();
  const value = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(raw) ? Number(raw) : Number.NaN;
  const min = range.min ?? Number.NEGATIVE_INFINITY;
  const max = range.max ?? Number.POSITIVE_INFINITY;
  if (!Number.isFinite(value) || value < min || value > max || (range.integer && !Number.isInteger(value))) {
    throw new KitErrors.ConfigInvalid(name, `expected ${range.integer ? 'an integer' : 'a number'} in [${min}, ${max}], got "${raw}"`);
  }
  return value;
}

/**
 * A declared variable that is not part of {@link ResolvedConfig}: its value, or its default.
 * @throws KIT_ERR_CONFIG_INVALID when it has neither.
 */
export function configString(name: string, env: Env = process.env): string {
  return str(env, name);
}

/** True for 127.0.0.0/8, ::1 and localhost: the only addresses served without TLS unless `--insecure-http`. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
