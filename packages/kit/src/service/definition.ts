import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { ServiceHealth, ServiceName } from '@maximus/contracts';
import type { Logger } from 'pino';
import type { Bus } from '../bus/index.js';
import type { Cache } from '../cache/index.js';
import type { Mode, ResolvedConfig } from '../config/index.js';
import type { Database } from '../db/index.js';
import type { Migration } from '../migrations/index.js';
import type { ServiceMetrics } from '../metrics/index.js';
import type { Outbox } from '../outbox/index.js';
import type { Peers } from '../peers/index.js';

/** Everything a service's code gets: its shared resources, scoped to the service. */
export interface ServiceContext {
  readonly name: ServiceName;
  readonly version: string;
  readonly mode: Mode;
  readonly config: ResolvedConfig;
  /** Shared with the other services in embedded mode: qualify tables with the service's schema. */
  readonly db: Database;
  readonly cache: Cache;
  readonly bus: Bus;
  /** The service's own outbox (`<schema>.outbox`): publish domain events through it, never directly. */
  readonly outbox: Outbox;
  readonly log: Logger;
  readonly metrics: ServiceMetrics;
  /** The other services (and this one), called as `service:<name>`: in process when embedded, over HTTP when connected. */
  readonly peers: Peers;
  /** `performance.now()` when the service was prepared. */
  readonly startedAt: number;
  health(): Promise<ServiceHealth>;
}

/** A service's routes under `/api/v1`: a Fastify plugin body with the service's context. */
export type ApiRoutes = (app: FastifyInstance, ctx: ServiceContext) => Promise<void>;

/** What a service is; the kit turns it into a Fastify plugin, a standalone server, or a mount in the gateway. */
export interface ServiceDefinition {
  readonly name: ServiceName;
  readonly version: string;
  /** One line: what the service is for (the OpenAPI description). */
  readonly summary: string;
  /** Its SQL migrations (`loadMigrations(new URL('../migrations', import.meta.url))`), applied to its schema. */
  readonly migrations?: readonly Migration[];
  readonly api?: ApiRoutes;
  /**
   * The only `/api/` routes other services may call with a service principal (`service:<name>`), and who may.
   * Paths are relative to the service, `:name` matches one segment. None listed: service principals are refused.
   */
  readonly internalRoutes?: readonly InternalRoute[];
  /** Runs after the service reports ready: warm-ups, loops. */
  readonly start?: (ctx: ServiceContext) => Promise<void> | void;
  /** Runs before the resources close. */
  readonly stop?: (ctx: ServiceContext) => Promise<void> | void;
}

export interface InternalRoute {
  readonly method: string;
  readonly path: string;
  readonly callers: readonly ServiceName[];
  /**
   * The route exists for these callers alone: any other principal, users included, is refused (403
   * `KIT_ERR_AUTH_INTERNAL_ONLY`), and the route is left out of the service's OpenAPI document (no SDK method).
   * @default false
   */
  readonly only?: boolean;
}

/** Typed identity, so that a service file reads `export const service = defineService({...})`. */
export function defineService(definition: ServiceDefinition): ServiceDefinition {
  return definition;
}

/** The `version` of the package.json next to a module's `src/` or `dist/` folder. */
export function packageVersion(moduleUrl: string): string {
  const raw = readFileSync(new URL('../package.json', moduleUrl), 'utf8');
  return (JSON.parse(raw) as { version: string }).version;
}
