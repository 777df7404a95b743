import { Kuramoto } from './kuramoto.js';
import { mulberry32 } from './prng.js';

export interface IgnitionParams {
  /** K, rad/s. @default 20 */
  couplingRadPerS: number;
  /** Mean natural frequency, Hz. @default 40 */
  frequencyHz: number;
  /** Standard deviation of the natural frequencies, Hz. @default 1 */
  frequencySdHz: number;
  /** RK4 step, simulated ms. @default 1 */
  dtMs: number;
  /** Simulated time the assembly has to reach the coherence threshold. @default 300 */
  syncBudgetMs: number;
  /** Order parameter that counts as synchronised. @default 0.7 */
  coherenceThreshold: number;
  /** Simulated ms the synchronised assembly broadcasts (coupled). @default 50 */
  broadcastMs: number;
  /** Simulated ms it is sustained (coupled). @default 100 */
  sustainMs: number;
  /** Simulated ms of dissolution (coupling off: the assembly drifts apart). @default 50 */
  dissolveMs: number;
  /** Phase-reset strength ρ: initial phases spread uniformly over 2π·(1 − ρ·salience). @default 0.5 */
  phaseReset: number;
  /** Coherence samples every this many simulated ms. @default 5 */
  sampleMs: number;
}

export const DEFAULT_IGNITION: IgnitionParams = {
  couplingRadPerS: 20,
  frequencyHz: 40,
  frequencySdHz: 1,
  dtMs: 1,
  syncBudgetMs: 300,
  coherenceThreshold: 0.7,
  broadcastMs: 50,
  sustainMs: 100,
  dissolveMs: 50,
  phaseReset: 0.5,
  sampleMs: 5,
};

export type PhaseName = 'prepare' | 'synchronize' | 'broadcast' | 'sustain' | 'dissolve';

export interface PhaseTiming {
  name: PhaseName;
  simulated_ms: number;
  wall_ms: number;
  /** Skipped phases (broadcast and sustain after a failed synchronisation) have zero time. */
  ran: boolean;
}

export interface CoherenceSummary {
  initial: number;
  /** Highest r during synchronisation. */
  peak: number;
  /** r when synchronisation ended (reached or budget spent). */
  at_sync: number;
  time_to_sync_ms: number | null;
  broadcast_min: number | null;
  sustain_mean: number | null;
  /** r at the end of dissolution. */
  final: number;
  sample_interval_ms: number;
  /** r every `sample_interval_ms` of simulated time, from 0 to the end of dissolution. */
  samples: number[];
}

export interface IgnitionResult {
  synchronized: boolean;
  phases: PhaseTiming[];
  coherence: CoherenceSummary;
  /** Simulated seconds in total. */
  simulated_ms: number;
  wall_ms: number;
}

/** A recruited assembly: local node indices 0..n-1 in CSR form (the recruited subgraph). */
export interface Assembly {
  n: number;
  offsets: Int32Array;
  targets: Int32Array;
}

const round = (x: number, digits = 4) => Math.round(x * 10 ** digits) / 10 ** digits;

/**
 * One ESGT ignition on a recruited assembly, in simulated time (pure: the same assembly, salience, seed and params
 * give the same result). Natural frequencies fᵢ ~ Normal(f, σ) Hz (ωᵢ = 2πfᵢ); the stimulus resets the phases
 * partially: θᵢ(0) ~ Uniform(0, 2π·(1 − ρ·salience)).
 * prepare (draws) → synchronize (coupled, until r ≥ threshold or the budget) → broadcast and sustain (coupled; only
 * after synchronisation) → dissolve (coupling off).
 */
export function runIgnition(assembly: Assembly, salience: number, seed: number, params: IgnitionParams = DEFAULT_IGNITION): IgnitionResult {
  const wallStart = performance.now();
  const phases: PhaseTiming[] = [];
  let mark = wallStart;
  const phaseDone = (name: PhaseName, simulatedMs: number, ran: boolean) => {
    const now = performance.now();
    phases.push({ name, simulated_ms: round(simulatedMs, 3), wall_ms: round(now - mark, 3), ran });
    mark = now;
  };
  const rng = mulberry32(seed);
  const n = assembly.n;
  const omega = new Float64Array(n);
  const theta = new Float64Array(n);
  const spread = 2 * Math.PI * Math.max(0, 1 - params.phaseReset * salience);
  for (let i = 0; i < n; i++) omega[i] = 2 * Math.PI * rng.normal(params.frequencyHz, params.frequencySdHz);
  for (let i = 0; i < n; i++) theta[i] = rng.next() * spread;
  const model = new Kuramoto({ kind: 'graph', n, offsets: assembly.offsets, targets: assembly.targets }, omega, theta);
  const dt = params.dtMs / 1000;
  const sampleEvery = Math.max(1, Math.round(params.sampleMs / params.dtMs));
  const samples: number[] = [];
  let steps = 0;
  const initial = model.order();
  samples.push(round(initial));
  const advance = (coupling: number) => {
    model.step(coupling, dt);
    steps++;
    const r = model.order();
    if (steps % sampleEvery === 0) samples.push(round(r));
    return r;
  };
  phaseDone('prepare', 0, true);

  const budget = Math.round(params.syncBudgetMs / params.dtMs);
  let r = initial;
  let peak = initial;
  let syncSteps = 0;
  let synchronized = r >= params.coherenceThreshold;
  while (!synchronized && syncSteps < budget) {
    r = advance(params.couplingRadPerS);
    syncSteps++;
    peak = Math.max(peak, r);
    synchronized = r >= params.coherenceThreshold;
  }
  const atSync = r;
  phaseDone('synchronize', syncSteps * params.dtMs, true);

  let broadcastMin: number | null = null;
  let sustainMean: number | null = null;
  if (synchronized) {
    const broadcastSteps = Math.round(params.broadcastMs / params.dtMs);
    broadcastMin = r;
    for (let s = 0; s < broadcastSteps; s++) broadcastMin = Math.min(broadcastMin, advance(params.couplingRadPerS));
    phaseDone('broadcast', broadcastSteps * params.dtMs, true);
    const sustainSteps = Math.round(params.sustainMs / params.dtMs);
    let sum = 0;
    for (let s = 0; s < sustainSteps; s++) sum += advance(params.couplingRadPerS);
    sustainMean = sustainSteps ? sum / sustainSteps : r;
    phaseDone('sustain', sustainSteps * params.dtMs, true);
  } else {
    phaseDone('broadcast', 0, false);
    phaseDone('sustain', 0, false);
  }
  const dissolveSteps = Math.round(params.dissolveMs / params.dtMs);
  let final = model.order();
  for (let s = 0; s < dissolveSteps; s++) final = advance(0);
  phaseDone('dissolve', dissolveSteps * params.dtMs, true);
  return {
    synchronized,
    phases,
    coherence: {
      initial: round(initial),
      peak: round(peak),
      at_sync: round(atSync),
      time_to_sync_ms: synchronized ? syncSteps * params.dtMs : null,
      broadcast_min: broadcastMin === null ? null : round(broadcastMin),
      sustain_mean: sustainMean === null ? null : round(sustainMean),
      final: round(final),
      sample_interval_ms: sampleEvery * params.dtMs,
      samples,
    },
    simulated_ms: steps * params.dtMs,
    wall_ms: round(performance.now() - wallStart, 3),
  };
}
