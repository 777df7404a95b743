import type { ServiceHealth } from '@maximus/contracts';
import { createMetrics, type ServiceMetrics } from '../metrics/index.js';
import { runMigrations } from '../migrations/index.js';
import { Outbox } from '../outbox/index.js';
import { ServicePeers } from '../peers/index.js';
import type { Platform } from '../platform/index.js';
import { startRegistration, type Registration } from '../registry/index.js';
import type { ServiceContext, ServiceDefinition } from './definition.js';

type HttpMetrics = ReturnType<typeof createMetrics>['http'];
const httpMetrics = new WeakMap<ServiceMetrics, HttpMetrics>();

/** @internal the HTTP series of a context's registry. */
export function httpMetricsOf(ctx: ServiceContext): HttpMetrics {
  const http = httpMetrics.get(ctx.metrics);
  if (!http) throw new Error(`service ${ctx.name} was not prepared by prepareService`);
  return http;
}

export interface PreparedService {
  readonly definition: ServiceDefinition;
  readonly ctx: ServiceContext;
  /** `ctx.peers`: whoever mounts the service attaches the transport (the gateway in process, `buildService` over HTTP). */
  readonly peers: ServicePeers;
  /** {@link startWork}, then {@link startRelay}: what a service alone does once its server is ready. */
  start(): Promise<void>;
  /**
   * Starts the service's own background work: its bus consumers, loops and registration. A platform of several
   * services starts every one's work before any relay, so that no event is published before its consumers exist
   * (the in-process bus keeps nothing for a consumer that subscribes later).
   */
  startWork(): Promise<void>;
  /** Starts relaying the service's outbox to the bus. */
  startRelay(): void;
  /** Stops them; the platform's resources stay open (the owner of the platform closes it). */
  stop(): Promise<void>;
}

export interface PrepareOptions {
  /** Collect Node process metrics in this service's registry (when it has the process to itself). */
  processMetrics?: boolean;
  /**
   * How the service registers in hermes's registry at start: `false` not at all.
   * @default in the gateway's process: `in-process`; alone (`processMetrics`): its MAXIMUS_<SERVICE>_URL
   */
  registration?: { url: string; healthUrl: string } | false;
}

/** Applies the service's migrations to its schema and builds its context. */
export async function prepareService(definition: ServiceDefinition, platform: Platform, options: PrepareOptions = {}): Promise<PreparedService> {
  const { config, db, cache, bus } = platform;
  const log = platform.log.child({ service: definition.name });
  const result = await runMigrations(db, definition.name, definition.migrations ?? []);
  if (result.applied.length) log.info({ applied: result.applied }, 'migrations applied');
  const metrics = createMetrics({ service: definition.name, processMetrics: options.processMetrics ?? false });
  httpMetrics.set(metrics, metrics.http);
  const outbox = new Outbox({
    db,
    schema: definition.name,
    bus,
    log,
    pollMs: config.outbox.pollMs,
    retentionHours: config.outbox.retentionHours,
    retentionEvents: config.outbox.retentionEvents,
  });
  const startedAt = performance.now();
  const peers = new ServicePeers(definition.name);
  const ctx: ServiceContext = {
    name: definition.name,
    version: definition.version,
    mode: platform.mode,
    config,
    db,
    cache,
    bus,
    outbox,
    log,
    metrics: { registry: metrics.registry, errors: metrics.errors },
    peers,
    startedAt,
    async health(): Promise<ServiceHealth> {
      const components = await platform.components();
      const states = Object.values(components).map((c) => c.status);
      const status = components.database?.status === 'down' ? 'down' : states.every((s) => s === 'healthy') ? 'healthy' : 'degraded';
      return {
        status,
        service: definition.name,
        version: definition.version,
        mode: platform.mode,
        uptime_seconds: Math.round((performance.now() - startedAt) / 10) / 100,
        timestamp: new Date().toISOString(),
        components,
      };
    },
  };
  httpMetrics.set(ctx.metrics, metrics.http);
  const standaloneUrl = config.serviceUrls[definition.name];
  const where =
    options.registration ?? (options.processMetrics ? { url: standaloneUrl, healthUrl: `${standaloneUrl}/health` } : { url: 'in-process', healthUrl: `/${definition.name}/health` });
  let registration: Registration | undefined;
  let started = false;
  const prepared: PreparedService = {
    definition,
    ctx,
    peers,
    async start() {
      await prepared.startWork();
      prepared.startRelay();
    },
    async startWork() {
      if (started) return;
      started = true;
      await definition.start?.(ctx);
      if (where && !registration) registration = startRegistration({ db, log, name: definition.name, ...where });
      await registration?.beat();
    },
    startRelay() {
      outbox.start();
    },
    async stop() {
      started = false;
      await registration?.stop();
      registration = undefined;
      await definition.stop?.(ctx);
      await outbox.stop();
    },
  };
  return prepared;
}
