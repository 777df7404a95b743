import { Gauge } from 'prom-client';
import type { FruitsReport, ScoresCache, ScoreWindow, VirtuesReport } from '@maximus/contracts';
import type { Subscription } from '@maximus/kit/bus';
import type { ServiceContext } from '@maximus/kit/service';
import { computeFruits } from './domain/fruits.js';
import { meanOf, round } from './domain/scores.js';
import { computeVirtues } from './domain/virtues.js';
import { outcomeAggregates, signalAggregates } from './scores/queries.js';
import { SignalCollector, type PassReport } from './signals/collector.js';
import { subscribeOutcomes } from './signals/events.js';

/** Fruits and virtues of one penelope service context: the collector, the outcome consumers, the cached scores. */
export interface SpiritualRuntime {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Runs a sampling pass now (after any pass in flight), whatever the interval: for tests and operators. */
  collectNow(): Promise<PassReport | null>;
  fruits(): Promise<FruitsReport>;
  virtues(): Promise<VirtuesReport>;
}

type Uncached<T> = Omit<T, 'cache'>;
interface CacheEntry<T> {
  computed_at_ms: number;
  body: Uncached<T>;
}

const runtimes = new WeakMap<ServiceContext, SpiritualRuntime>();
/** The first pass after start comes sooner than a whole interval. */
const FIRST_PASS_MAX_DELAY_MS = 5000;

/** The spiritual runtime of a prepared penelope context (created on first use). */
export function spiritualRuntime(ctx: ServiceContext): SpiritualRuntime {
  const existing = runtimes.get(ctx);
  if (existing) return existing;
  const settings = ctx.config.spiritual;
  const sloSeconds = ctx.config.sloLatencyMs / 1000;
  const collector = new SignalCollector(ctx, {
    sloSeconds,
    intervalSeconds: settings.signalsIntervalSeconds,
    signalsWindowSeconds: settings.signalsWindowSeconds,
    outcomesWindowSeconds: settings.outcomesWindowSeconds,
  });
  let subscriptions: Subscription[] = [];
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<PassReport | null> | undefined;

  const run = (force: boolean): Promise<PassReport | null> => {
    const pass = collector.pass(force).finally(() => {
      if (inFlight === pass) inFlight = undefined;
    });
    inFlight = pass;
    return pass;
  };
  const tick = () => {
    if (inFlight) return;
    run(false).catch((error: unknown) => ctx.log.warn({ err: error }, 'spiritual: a sampling pass failed; the next one will try again'));
  };

  // A scrape reads the current scores (through the same cache as the API); a failure leaves the last values.
  const refresh = (read: () => Promise<unknown>) => async () => {
    await read().catch((error: unknown) => ctx.log.debug({ err: error }, 'spiritual: scores not refreshed for a scrape'));
  };
  const fruitGauge = new Gauge({
    name: 'penelope_fruits_score',
    help: 'Each fruit of Galatians 5:22-23 in [0, 1], from measured signals (absent: no data).',
    labelNames: ['fruit'],
    registers: [ctx.metrics.registry],
    collect: refresh(() => runtime.fruits()),
  });
  const virtueGauge = new Gauge({
    name: 'penelope_virtues_score',
    help: 'Each virtue (sophia, praotes, tapeinophrosyne) in [0, 1], from measured outcomes (absent: no data).',
    labelNames: ['virtue'],
    registers: [ctx.metrics.registry],
    collect: refresh(() => runtime.virtues()),
  });

  const windows = (now: Date): Record<'signals' | 'outcomes', ScoreWindow> => {
    const window = (seconds: number, kind: 'signals' | 'outcomes'): ScoreWindow => ({ seconds, from: new Date(now.getTime() - seconds * 1000).toISOString(), to: now.toISOString(), kind });
    return { signals: window(settings.signalsWindowSeconds, 'signals'), outcomes: window(settings.outcomesWindowSeconds, 'outcomes') };
  };

  const collectorState = async (passes: number) => {
    const { rows } = await ctx.db.query<{ last_pass_at: Date | string | null }>('SELECT last_pass_at FROM penelope.spiritual_collector WHERE id = 1');
    const last = rows[0]?.last_pass_at;
    return { last_pass_at: last ? new Date(last).toISOString() : null, interval_seconds: settings.signalsIntervalSeconds, passes_in_window: passes };
  };

  async function cached<T extends FruitsReport | VirtuesReport>(key: string, compute: () => Promise<Uncached<T>>): Promise<T> {
    const ttl = settings.scoresTtlSeconds;
    if (ttl > 0) {
      try {
        const hit = await ctx.cache.get<CacheEntry<T>>(key);
        const age = hit ? (Date.now() - hit.computed_at_ms) / 1000 : Infinity;
        if (hit && age < ttl) return { ...hit.body, cache: { status: 'hit', age_seconds: Math.max(0, Math.round(age * 1000) / 1000), ttl_seconds: ttl } satisfies ScoresCache } as T;
      } catch (error) {
        ctx.log.debug({ err: error }, 'spiritual: cache read failed; computing');
      }
    }
    const body = await compute();
    if (ttl > 0) {
      try {
        await ctx.cache.set(key, { computed_at_ms: Date.parse(body.computed_at), body } satisfies CacheEntry<T>, ttl * 1000);
      } catch (error) {
        ctx.log.debug({ err: error }, 'spiritual: cache write failed');
      }
    }
    return { ...body, cache: { status: 'miss', age_seconds: 0, ttl_seconds: ttl } satisfies ScoresCache } as T;
  }

  const runtime: SpiritualRuntime = {
    async start() {
      subscriptions = await subscribeOutcomes(ctx);
      const interval = settings.signalsIntervalSeconds;
      if (interval > 0) {
        timer = setTimeout(function again() {
          tick();
          timer = setTimeout(again, interval * 1000);
          timer.unref();
        }, Math.min(interval * 1000, FIRST_PASS_MAX_DELAY_MS));
        timer.unref();
      }
    },
    async stop() {
      clearTimeout(timer);
      timer = undefined;
      await inFlight?.catch(() => undefined);
      await Promise.all(subscriptions.map((s) => s.unsubscribe()));
      subscriptions = [];
      collector.stop();
    },
    async collectNow() {
      await inFlight?.catch(() => undefined);
      return run(true);
    },
    async fruits() {
      const report = await cached<FruitsReport>('penelope:spiritual:fruits', async () => {
        const now = new Date();
        const w = windows(now);
        const [signals, outcomes] = await Promise.all([signalAggregates(ctx.db, new Date(w.signals.from), sloSeconds), outcomeAggregates(ctx.db, new Date(w.outcomes.from))]);
        const fruits = computeFruits({ signals, outcomes, sloSeconds }, w);
        return {
          fruits,
          overall_score: round(meanOf(fruits.map((f) => f.score))),
          healthy_count: fruits.filter((f) => f.status === 'healthy').length,
          scored_count: fruits.filter((f) => f.score !== null).length,
          computed_at: now.toISOString(),
          collector: await collectorState(Math.max(signals.probe_passes, signals.metric_passes)),
        };
      });
      fruitGauge.reset();
      for (const f of report.fruits) if (f.score !== null) fruitGauge.set({ fruit: f.name }, f.score);
      return report;
    },
    async virtues() {
      const report = await cached<VirtuesReport>('penelope:spiritual:virtues', async () => {
        const now = new Date();
        const w = windows(now);
        const [signals, outcomes] = await Promise.all([signalAggregates(ctx.db, new Date(w.signals.from), sloSeconds), outcomeAggregates(ctx.db, new Date(w.outcomes.from))]);
        const virtues = computeVirtues(outcomes, w);
        return {
          virtues,
          overall_score: round(meanOf(virtues.map((v) => v.score))),
          healthy_count: virtues.filter((v) => v.status === 'healthy').length,
          scored_count: virtues.filter((v) => v.score !== null).length,
          computed_at: now.toISOString(),
          collector: await collectorState(Math.max(signals.probe_passes, signals.metric_passes)),
        };
      });
      virtueGauge.reset();
      for (const v of report.virtues) if (v.score !== null) virtueGauge.set({ virtue: v.name }, v.score);
      return report;
    },
  };
  runtimes.set(ctx, runtime);
  return runtime;
}

/** The runtime of a context, if penelope's routes or start created one. */
export function existingSpiritualRuntime(ctx: ServiceContext): SpiritualRuntime | undefined {
  return runtimes.get(ctx);
}
