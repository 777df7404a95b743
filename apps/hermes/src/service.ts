import { defineService, packageVersion, type ServiceContext, type ServiceDefinition } from '@maximus/kit/service';
import { loadMigrations } from '@maximus/kit/migrations';
import type { Subscription } from '@maximus/kit/bus';
import { eventRoutes } from './routes/events/index.js';
import { serviceRoutes } from './routes/services/index.js';
import { dedup } from './store/dedup.js';
import { EventLog } from './store/event-log.js';
import { RegistryStore } from './store/registry.js';
import { createJetStreamSource } from './stream/jetstream-source.js';
import { DEFAULT_LIMITS, type StreamLimits } from './stream/limits.js';
import { createLogSource } from './stream/log-source.js';
import type { EventSource } from './stream/source.js';

export interface HermesOptions {
  /** A message id seen again within this window publishes nothing new. @default 120000 */
  dedupWindowMs?: number;
  /** Expired registrations, old message ids and events past retention are deleted this often. @default 30000 */
  cleanupIntervalMs?: number;
  /** Heartbeats and slow-consumer bounds of subscriptions. */
  limits?: Partial<StreamLimits>;
}

/** The durable subscription that feeds `hermes.events` from the in-process bus. */
export const LOG_DURABLE = 'hermes.log';

interface Runtime {
  readonly log: EventLog;
  readonly source: EventSource;
  readonly registry: RegistryStore;
  readonly closing: AbortController;
  feed: Promise<Subscription | undefined>;
  timer: NodeJS.Timeout | undefined;
}

/**
 * hermes: publish and subscribe (SSE, WebSocket) and the service registry. On the in-process bus it keeps
 * `hermes.events`, one ordered log of every service's events fed by a `>` subscription, positions being its
 * `seq`; on NATS it reads JetStream directly, positions being stream sequences.
 */
export function createHermesService(options: HermesOptions = {}): ServiceDefinition {
  const limits: StreamLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const dedupWindowMs = options.dedupWindowMs ?? 120_000;
  const cleanupMs = options.cleanupIntervalMs ?? 30_000;
  // One definition may be prepared more than once (a restart in a test): state lives per context.
  const runtimes = new WeakMap<ServiceContext, Runtime>();

  function runtimeOf(ctx: ServiceContext): Runtime {
    let runtime = runtimes.get(ctx);
    if (runtime) return runtime;
    const log = new EventLog({ db: ctx.db, retentionHours: ctx.config.outbox.retentionHours, retentionEvents: ctx.config.outbox.retentionEvents });
    const nats = ctx.bus.kind === 'nats' && ctx.config.natsUrl;
    const source = nats
      ? createJetStreamSource({ url: nats, stream: ctx.config.nats.stream, subjectPrefix: ctx.config.nats.subjectPrefix, log: ctx.log })
      : createLogSource(log);
    // Subscribed as early as hermes has a context, so that the other services' first events are logged.
    const feed = nats
      ? Promise.resolve(undefined)
      : ctx.bus.subscribe('>', (event) => log.append(event), { durable: LOG_DURABLE }).catch((error: unknown) => {
          ctx.log.error({ err: error }, 'hermes could not subscribe to the bus; the event log will stay empty');
          return undefined;
        });
    runtime = { log, source, registry: new RegistryStore(ctx.db), closing: new AbortController(), feed, timer: undefined };
    runtimes.set(ctx, runtime);
    return runtime;
  }

  async function cleanup(ctx: ServiceContext, runtime: Runtime): Promise<void> {
    try {
      const expired = await runtime.registry.prune();
      const ids = await dedup.prune(ctx.db, dedupWindowMs);
      const events = ctx.bus.kind === 'memory' ? await runtime.log.prune() : 0;
      if (expired + ids + events > 0) ctx.log.debug({ expired, ids, events }, 'hermes cleanup');
    } catch (error) {
      ctx.log.warn({ err: error }, 'hermes cleanup failed; will retry');
    }
  }

  return defineService({
    name: 'hermes',
    version: packageVersion(import.meta.url),
    summary: 'event bus and service registry',
    migrations: loadMigrations(new URL('../migrations', import.meta.url)),
    async api(app, ctx) {
      const runtime = runtimeOf(ctx);
      await eventRoutes(app, { ctx, source: runtime.source, limits, dedupWindowMs, closing: runtime.closing.signal });
      await serviceRoutes(app, runtime.registry);
    },
    start(ctx) {
      const runtime = runtimeOf(ctx);
      const loop = () => {
        runtime.timer = setTimeout(() => void cleanup(ctx, runtime).finally(() => !runtime.closing.signal.aborted && loop()), cleanupMs);
        runtime.timer.unref();
      };
      loop();
    },
    async stop(ctx) {
      const runtime = runtimes.get(ctx);
      if (!runtime) return;
      runtime.closing.abort();
      clearTimeout(runtime.timer);
      await (await runtime.feed)?.unsubscribe();
      await runtime.source.close();
    },
  });
}

/** The hermes service with its defaults. */
export const service = createHermesService();
