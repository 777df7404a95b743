/** Arousal levels: sleep ≤ 0.2 < drowsy ≤ 0.4 < relaxed ≤ 0.6 < alert ≤ 0.8 < hyperalert. */
export type ArousalLevel = 'sleep' | 'drowsy' | 'relaxed' | 'alert' | 'hyperalert';

export function levelOf(value: number): ArousalLevel {
  if (value <= 0.2) return 'sleep';
  if (value <= 0.4) return 'drowsy';
  if (value <= 0.6) return 'relaxed';
  if (value <= 0.8) return 'alert';
  return 'hyperalert';
}

export const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

/** The measured signals arousal follows (each undefined when there is no data yet). */
export interface PlatformSignals {
  /** 5xx responses / requests over the window, or null without requests. */
  errorRate: number | null;
  /** Estimated p95 request latency over the window, seconds, or null without requests. */
  latencyP95: number | null;
  requests: number;
  windowSeconds: number;
  /** Pending governance decisions by risk level. */
  pending: { LOW: number; MEDIUM: number; HIGH: number; CRITICAL: number };
  /** Unpublished outbox rows. */
  queueDepth: number;
}

export interface ArousalParams {
  baseline: number;
  /** Availability objective (e.g. 0.999): the error budget is 1 − this. */
  sloAvailability: number;
  /** Latency objective: p95 under this many seconds. */
  sloLatencyP95: number;
  weights: { errors: number; latency: number; pending: number; queue: number; stress: number };
  /** Burn rate (error rate / error budget) at which the error pressure saturates. @default 14.4 (the fast-burn page) */
  burnRateSaturation: number;
  /** Weighted pending decisions at which pending pressure reaches 1 − 1/e. */
  pendingScale: number;
  /** Unpublished events at which queue pressure reaches 1 − 1/e. */
  queueScale: number;
  /** Time constant of the stress integrator, s. */
  stressTauS: number;
  /** Time constants of the value following its target upwards and downwards, s. */
  riseTauS: number;
  fallTauS: number;
  /** Hard limit on |d(arousal)/dt|, per second. */
  maxRatePerS: number;
}

export const DEFAULT_AROUSAL: ArousalParams = {
  baseline: 0.6,
  sloAvailability: 0.999,
  sloLatencyP95: 0.3,
  weights: { errors: 0.25, latency: 0.15, pending: 0.1, queue: 0.1, stress: 0.15 },
  burnRateSaturation: 14.4,
  pendingScale: 5,
  queueScale: 1000,
  stressTauS: 30,
  riseTauS: 3,
  fallTauS: 10,
  maxRatePerS: 0.15,
};

/** Decision weights of the pending pressure by risk level. */
export const PENDING_WEIGHTS = { LOW: 0.5, MEDIUM: 1, HIGH: 2, CRITICAL: 4 } as const;

export interface Pressures {
  errors: number;
  latency: number;
  pending: number;
  queue: number;
}

/** Each signal mapped to a pressure in [0, 1] (docs/consciousness.md gives the functions). */
export function pressures(signals: PlatformSignals, p: ArousalParams): Pressures {
  const budget = Math.max(1e-9, 1 - p.sloAvailability);
  const errors = signals.errorRate === null ? 0 : clamp01(signals.errorRate / budget / p.burnRateSaturation);
  const latency = signals.latencyP95 === null ? 0 : clamp01((signals.latencyP95 - p.sloLatencyP95 / 2) / p.sloLatencyP95);
  const weighted = signals.pending.LOW * PENDING_WEIGHTS.LOW + signals.pending.MEDIUM * PENDING_WEIGHTS.MEDIUM + signals.pending.HIGH * PENDING_WEIGHTS.HIGH + signals.pending.CRITICAL * PENDING_WEIGHTS.CRITICAL;
  const pending = 1 - Math.exp(-weighted / p.pendingScale);
  const queue = 1 - Math.exp(-signals.queueDepth / p.queueScale);
  return { errors, latency, pending, queue };
}

/** The combined pressure the stress term integrates: the weighted mean of the four pressures. */
export function combinedPressure(x: Pressures, p: ArousalParams): number {
  const w = p.weights;
  const total = w.errors + w.latency + w.pending + w.queue;
  return total > 0 ? (w.errors * x.errors + w.latency * x.latency + w.pending * x.pending + w.queue * x.queue) / total : 0;
}

/** The stress integrator: a leaky average of the combined pressure with time constant τ (sustained pressure builds it). */
export function stepStress(stress: number, pressure: number, dtS: number, p: ArousalParams): number {
  return stress + (pressure - stress) * (1 - Math.exp(-dtS / p.stressTauS));
}

export interface Modulation {
  delta: number;
  startsAt: number;
  endsAt: number;
}

/** A modulation's effect at `now`: its delta decaying linearly to 0 over its duration (0 outside it). */
export function modulationAt(m: Modulation, now: number): number {
  if (now < m.startsAt || now >= m.endsAt) return 0;
  return m.delta * (1 - (now - m.startsAt) / (m.endsAt - m.startsAt));
}

/**
 * One step of the value towards its target: first order with the rise or fall time constant, then the hard rate
 * limit, then [0, 1].
 */
export function stepArousal(value: number, target: number, dtS: number, p: ArousalParams): number {
  const tau = target > value ? p.riseTauS : p.fallTauS;
  let change = (target - value) * (1 - Math.exp(-dtS / tau));
  const limit = p.maxRatePerS * dtS;
  change = Math.max(-limit, Math.min(limit, change));
  return clamp01(value + change);
}
