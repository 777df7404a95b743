import { configNumber, configString } from '@maximus/kit/config';
import { KitErrors } from '@maximus/kit/errors';
import { DEFAULT_AROUSAL, type ArousalParams } from './domain/arousal.js';
import { DEFAULT_THRESHOLD, type ThresholdParams } from './domain/gates.js';
import { DEFAULT_HEALTH, type HealthParams } from './domain/health.js';
import { DEFAULT_IGNITION, type IgnitionParams } from './domain/ignition.js';

/** Everything the consciousness model runs with (env variables of docs/configuration.md, or a test's overrides). */
export interface ResolvedConsciousnessOptions {
  fabric: { nodes: number; m: number; triadicP: number; seed: number };
  denseEigenMax: number;
  arousal: ArousalParams;
  threshold: ThresholdParams;
  ignition: IgnitionParams;
  gates: { refractoryMs: number; maxRuns: number; windowMs: number; minNodes: number; /** an ignition whose replica died is abandoned after this long */ staleMs: number };
  health: HealthParams;
  /** Arousal integration and signal reporting. */
  tickMs: number;
  healthMs: number;
  snapshotMs: number;
  snapshotRetentionHours: number;
  leaderPollMs: number;
  /** Feedback of a successful ignition on arousal: a modulation of `delta` over `durationS`. */
  ignitionFeedback: { delta: number; durationS: number };
  /** Window of the measured request signals, s. */
  signalWindowS: number;
}

/** Options a caller (a test, a benchmark) may override; anything left out comes from the environment. */
export interface ConsciousnessOptions {
  fabric?: Partial<ResolvedConsciousnessOptions['fabric']>;
  denseEigenMax?: number;
  arousal?: Partial<ArousalParams>;
  threshold?: Partial<ThresholdParams>;
  ignition?: Partial<IgnitionParams>;
  gates?: Partial<ResolvedConsciousnessOptions['gates']>;
  health?: Partial<HealthParams>;
  tickMs?: number;
  healthMs?: number;
  snapshotMs?: number;
  snapshotRetentionHours?: number;
  leaderPollMs?: number;
  ignitionFeedback?: Partial<ResolvedConsciousnessOptions['ignitionFeedback']>;
  signalWindowS?: number;
  /**
   * Where ignitions and metrics run: a worker module's URL, or `false` for this thread.
   * @default the built worker.js beside this module when it exists (under test sources: this thread)
   */
  worker?: URL | false;
}

function frequency(env: Readonly<Record<string, string | undefined>>): { maxRuns: number; windowMs: number } {
  const raw = configString('MAXIMUS_ESGT_MAX_FREQUENCY', env);
  const m = /^(\d+)\/(\d+(?:\.\d+)?)$/.exec(raw.trim());
  if (!m || Number(m[1]) < 1 || Number(m[2]) <= 0) throw new KitErrors.ConfigInvalid('MAXIMUS_ESGT_MAX_FREQUENCY', `expected <count>/<seconds>, e.g. 10/10, got "${raw}"`);
  return { maxRuns: Number(m[1]), windowMs: Number(m[2]) * 1000 };
}

/** The options from the environment, with `overrides` on top. @throws KIT_ERR_CONFIG_INVALID naming a bad variable */
export function resolveConsciousnessOptions(overrides: ConsciousnessOptions = {}, env: Readonly<Record<string, string | undefined>> = process.env): ResolvedConsciousnessOptions {
  const num = (name: string, range: { min?: number; max?: number; integer?: boolean }) => configNumber(name, range, env);
  const nodes = num('MAXIMUS_TIG_NODES', { min: 2, max: 100_000, integer: true });
  const fabric = {
    nodes,
    m: num('MAXIMUS_TIG_M', { min: 1, max: 50, integer: true }),
    triadicP: num('MAXIMUS_TIG_TRIADIC_P', { min: 0, max: 1 }),
    seed: num('MAXIMUS_TIG_SEED', { min: 0, max: 2 ** 32 - 1, integer: true }),
    ...overrides.fabric,
  };
  if (fabric.m >= fabric.nodes) throw new KitErrors.ConfigInvalid('MAXIMUS_TIG_M', `m (${fabric.m}) must be below the node count (${fabric.nodes})`);
  const sloLatencyMs = num('MAXIMUS_SLO_LATENCY_MS', { min: 1 });
  return {
    fabric,
    denseEigenMax: overrides.denseEigenMax ?? num('MAXIMUS_TIG_DENSE_EIGEN_MAX', { min: 2, max: 5000, integer: true }),
    arousal: {
      ...DEFAULT_AROUSAL,
      baseline: num('MAXIMUS_AROUSAL_BASELINE', { min: 0, max: 1 }),
      sloAvailability: num('MAXIMUS_SLO_AVAILABILITY', { min: 0.5, max: 0.999999 }),
      sloLatencyP95: sloLatencyMs / 1000,
      ...overrides.arousal,
    },
    threshold: { ...DEFAULT_THRESHOLD, ...overrides.threshold },
    ignition: {
      ...DEFAULT_IGNITION,
      couplingRadPerS: num('MAXIMUS_ESGT_COUPLING', { min: 0 }),
      frequencyHz: num('MAXIMUS_ESGT_FREQUENCY_HZ', { min: 0 }),
      frequencySdHz: num('MAXIMUS_ESGT_FREQUENCY_SD_HZ', { min: 0 }),
      dtMs: num('MAXIMUS_ESGT_DT_MS', { min: 0.001, max: 100 }),
      syncBudgetMs: num('MAXIMUS_ESGT_SYNC_BUDGET_MS', { min: 1, max: 60_000 }),
      coherenceThreshold: num('MAXIMUS_ESGT_COHERENCE', { min: 0, max: 1 }),
      ...overrides.ignition,
    },
    gates: {
      refractoryMs: num('MAXIMUS_ESGT_REFRACTORY_MS', { min: 0 }),
      ...frequency(env),
      minNodes: num('MAXIMUS_ESGT_MIN_NODES', { min: 2, integer: true }),
      staleMs: 30_000,
      ...overrides.gates,
    },
    health: { ...DEFAULT_HEALTH, ...overrides.health },
    tickMs: overrides.tickMs ?? num('MAXIMUS_CONSCIOUSNESS_TICK_MS', { min: 10, integer: true }),
    healthMs: overrides.healthMs ?? num('MAXIMUS_CONSCIOUSNESS_HEALTH_MS', { min: 10, integer: true }),
    snapshotMs: overrides.snapshotMs ?? num('MAXIMUS_CONSCIOUSNESS_SNAPSHOT_SECONDS', { min: 0.01 }) * 1000,
    snapshotRetentionHours: overrides.snapshotRetentionHours ?? num('MAXIMUS_CONSCIOUSNESS_SNAPSHOT_RETENTION_HOURS', { min: 0 }),
    leaderPollMs: overrides.leaderPollMs ?? num('MAXIMUS_CONSCIOUSNESS_LEADER_POLL_MS', { min: 10, integer: true }),
    ignitionFeedback: { delta: 0.05, durationS: 10, ...overrides.ignitionFeedback },
    signalWindowS: overrides.signalWindowS ?? 60,
  };
}
