import { Counter } from 'prom-client';
import { GOVERNANCE_EXECUTE_REPLAY_SECONDS } from '@maximus/contracts';
import type { Subscription } from '@maximus/kit/bus';
import type { Database } from '@maximus/kit/db';
import type { ServiceContext } from '@maximus/kit/service';
import { DEFAULT_QUORUM, type QuorumOptions } from '../domain/policy.js';
import { SafetyState } from '../safety/state.js';
import { subscribeConsumers } from './consumers.js';
import { createEngine, type Clock, type Engine } from './engine.js';
import { createQueries, type Queries } from './queries.js';

export interface GovernanceOptions {
  /** @default the system clock */
  clock?: Clock;
  /** How often the SLA loop runs. @default 1000 */
  tickMs?: number;
  /** The kill switch's override window. @default MAXIMUS_KILL_SWITCH_WINDOW_MS, else 5000 */
  overrideWindowMs?: number;
  /** An execution without a result after this long fails. @default 60000 */
  executeTimeoutMs?: number;
  /** @default CRITICAL needs 2 distinct admins; the beneficiary of a HIGH/CRITICAL decision cannot vote */
  quorum?: Partial<QuorumOptions>;
}

/** What governance holds per service context (one per core process). */
export interface GovernanceRuntime {
  readonly db: Database;
  readonly engine: Engine;
  readonly queries: Queries;
  readonly safety: SafetyState;
  readonly clock: Clock;
  readonly overrideWindowMs: number;
  start(): Promise<void>;
  stop(): Promise<void>;
}

const runtimes = new WeakMap<ServiceContext, GovernanceRuntime>();
const systemClock: Clock = { now: () => Date.now() };

/** The governance runtime of a prepared core service (created on first use with `options`). */
export function governanceRuntime(ctx: ServiceContext, options: GovernanceOptions = {}): GovernanceRuntime {
  const existing = runtimes.get(ctx);
  if (existing) return existing;
  const clock = options.clock ?? systemClock;
  const decisions = new Counter({
    name: 'maximus_governance_decisions_total',
    help: 'Governance decisions entering each status, by risk level',
    labelNames: ['status', 'risk_level'],
    registers: [ctx.metrics.registry],
  });
  const engine = createEngine({
    db: ctx.db,
    outbox: ctx.outbox,
    clock,
    quorum: { ...DEFAULT_QUORUM, ...options.quorum },
    executeTimeoutMs: options.executeTimeoutMs ?? GOVERNANCE_EXECUTE_REPLAY_SECONDS * 1000,
    onStatus: (status, risk) => decisions.inc({ status, risk_level: risk }),
  });
  const safety = new SafetyState(ctx.db);
  const tickMs = options.tickMs ?? 1000;
  let timer: NodeJS.Timeout | undefined;
  let pass: Promise<void> | undefined;
  let subscriptions: Subscription[] = [];
  const tick = async () => {
    try {
      await engine.tick();
      await safety.refresh();
    } catch (error) {
      ctx.log.warn({ err: error }, 'governance SLA pass failed; will retry');
    }
  };
  const runtime: GovernanceRuntime = {
    db: ctx.db,
    engine,
    queries: createQueries(ctx.db, clock),
    safety,
    clock,
    overrideWindowMs: options.overrideWindowMs ?? (Number(process.env.MAXIMUS_KILL_SWITCH_WINDOW_MS) || 5000),
    async start() {
      await safety.refresh();
      subscriptions = await subscribeConsumers(ctx, engine, safety);
      timer = setInterval(() => {
        pass ??= tick().finally(() => {
          pass = undefined;
        });
      }, tickMs);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      await pass;
      await Promise.all(subscriptions.map((s) => s.unsubscribe()));
      subscriptions = [];
    },
  };
  runtimes.set(ctx, runtime);
  return runtime;
}

/** The runtime of a context, if core's routes or start created one. */
export function existingRuntime(ctx: ServiceContext): GovernanceRuntime | undefined {
  return runtimes.get(ctx);
}
