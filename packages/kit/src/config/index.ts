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
  { name: 'MAXIMUS_LOG_LEVEL', default: 'info', description: 'pino level: fatal, error, warn, info, debug, trace, silent.' },
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
  };
}

/** True for 127.0.0.0/8, ::1 and localhost: the only addresses served without TLS unless `--insecure-http`. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
