import { Counter, Gauge, Histogram } from 'prom-client';
import type { Subscription } from '@maximus/kit/bus';
import type { ServiceContext } from '@maximus/kit/service';
import { resolveHealingOptions, type HealingOptions, type ResolvedHealingOptions } from './config.js';
import { runScheduled, subscribeExecutor } from './executor.js';
import { NoModelMemo, proposeModelPatch } from './model-patches.js';
import { buildPatches } from './patches.js';
import { AnalyserPool } from './pool.js';
import { DIAGNOSES, HealingStore } from './store.js';

export interface HealingMetrics {
  diagnoses: Counter<'language'>;
  analysisSeconds: Histogram<'language'>;
  patches: Counter<'safety_class' | 'verified'>;
  applied: Counter<'outcome'>;
  modelPatches: Counter<'outcome'>;
  warmSeconds: Gauge;
}

/** What healing holds per service context (one per penelope process). */
export interface HealingRuntime {
  readonly ctx: ServiceContext;
  readonly options: ResolvedHealingOptions;
  readonly pool: AnalyserPool;
  readonly store: HealingStore;
  readonly metrics: HealingMetrics;
  /** Core's "no language model" answer, believed for 5 minutes. */
  readonly noModel: NoModelMemo;
  /** Builds the patches of a diagnosis in the background, the analysers' then the model's (tracked, so that `stop()` waits for them). */
  schedulePatches(diagnosisId: string): void;
  /** Resolves when every background patch job started so far has finished (tests, shutdown). */
  idle(): Promise<void>;
  /** Applies the scheduled (Sabbath) patches that are due now. */
  runScheduled(): Promise<number>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

const runtimes = new WeakMap<ServiceContext, HealingRuntime>();

/** The healing runtime of a prepared penelope service (created on first use with `options`). */
export function healingRuntime(ctx: ServiceContext, options: HealingOptions = {}): HealingRuntime {
  const existing = runtimes.get(ctx);
  if (existing) return existing;
  const resolved = resolveHealingOptions(options);
  const registers = [ctx.metrics.registry];
  const metrics: HealingMetrics = {
    diagnoses: new Counter({ name: 'penelope_diagnoses_total', help: 'Diagnoses, by language', labelNames: ['language'], registers }),
    analysisSeconds: new Histogram({ name: 'penelope_analysis_seconds', help: 'Time an analyser worker spent on one diagnosis', labelNames: ['language'], buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers }),
    patches: new Counter({ name: 'penelope_patches_total', help: 'Patches proposed, by safety class and verification', labelNames: ['safety_class', 'verified'], registers }),
    applied: new Counter({ name: 'penelope_patches_applied_total', help: 'Approved patches executed, by outcome', labelNames: ['outcome'], registers }),
    modelPatches: new Counter({
      name: 'penelope_model_patches_total',
      help: 'Model patches asked of core, by outcome (proposed, skipped, verification_failed, or the error code)',
      labelNames: ['outcome'],
      registers,
    }),
    warmSeconds: new Gauge({ name: 'penelope_analyser_warm_seconds', help: 'Time the first analyser worker took to warm Ruff, TypeScript and ESLint', registers }),
  };
  const pool = new AnalyserPool({ size: resolved.workers, log: ctx.log, ...(resolved.workerUrl ? { workerUrl: resolved.workerUrl } : {}) });
  const jobs = new Set<Promise<void>>();
  let subscriptions: Subscription[] = [];
  let timer: NodeJS.Timeout | undefined;
  let stopping = false;
  const runtime: HealingRuntime = {
    ctx,
    options: resolved,
    pool,
    store: new HealingStore(ctx.db),
    metrics,
    noModel: new NoModelMemo(resolved.clock),
    schedulePatches(diagnosisId) {
      if (stopping) return;
      const job = buildPatches(runtime, diagnosisId)
        .then((built) => (built.row.model_patch_status === 'pending' ? proposeModelPatch(runtime, built) : undefined))
        .catch((error: unknown) => ctx.log.error({ err: error, diagnosis_id: diagnosisId }, 'penelope patch job failed'))
        .finally(() => jobs.delete(job));
      jobs.add(job);
    },
    async idle() {
      while (jobs.size) await Promise.allSettled([...jobs]);
    },
    runScheduled: () => runScheduled(runtime),
    async start() {
      // A build cut short by a stop or a crash never finishes: say so rather than leave the case pending.
      await ctx.db.query(
        `UPDATE ${DIAGNOSES} SET patches_status = 'failed', patches_error = 'interrupted: the service stopped while building the patches', updated_at = now()
         WHERE patches_status = 'pending' AND updated_at < now() - interval '30 minutes'`,
      );
      await ctx.db.query(
        `UPDATE ${DIAGNOSES} SET model_patch_status = 'failed', patches_error = concat_ws('; ', patches_error, 'model patch: interrupted: the service stopped while asking for it'), updated_at = now()
         WHERE model_patch_status = 'pending' AND updated_at < now() - interval '30 minutes'`,
      );
      subscriptions = await subscribeExecutor(runtime);
      const tick = () => {
        runScheduled(runtime).catch((error: unknown) => ctx.log.warn({ err: error }, 'penelope scheduled patches: pass failed; will retry'));
      };
      timer = setInterval(tick, resolved.scheduleTickMs);
      timer.unref();
      // Warm-up after ready: requests that arrive meanwhile wait for a warm worker.
      if (resolved.warmOnStart) {
        void pool.start().then(() => {
          if (pool.warmMs !== undefined) metrics.warmSeconds.set(pool.warmMs / 1000);
        });
      }
    },
    async stop() {
      stopping = true;
      if (timer) clearInterval(timer);
      for (const s of subscriptions) await s.unsubscribe();
      subscriptions = [];
      await pool.close();
      await Promise.allSettled([...jobs]);
      runtimes.delete(ctx);
    },
  };
  runtimes.set(ctx, runtime);
  return runtime;
}

export function existingHealing(ctx: ServiceContext): HealingRuntime | undefined {
  return runtimes.get(ctx);
}
