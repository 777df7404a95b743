import { describe, expect, it } from 'vitest';
import { createFabric } from './graph.js';
import { assemblyOf } from './health.js';
import { DEFAULT_IGNITION, runIgnition } from './ignition.js';
import { Kuramoto, lorentzianQuantiles } from './kuramoto.js';
import { mulberry32 } from './prng.js';

/** Time-averaged r over the second half of a run of `seconds` (all-to-all, Lorentzian quantile frequencies). */
function meanField(n: number, K: number, gamma: number, seconds: number, dt: number, seed: number): { mean: number; trace: number[] } {
  const rng = mulberry32(seed);
  const theta0 = Float64Array.from({ length: n }, () => rng.next() * 2 * Math.PI);
  const model = new Kuramoto({ kind: 'complete', n }, lorentzianQuantiles(n, 0, gamma), theta0);
  const steps = Math.round(seconds / dt);
  const trace: number[] = [];
  let sum = 0;
  let count = 0;
  for (let s = 0; s < steps; s++) {
    model.step(K, dt);
    const r = model.order();
    trace.push(r);
    if (s >= steps / 2) {
      sum += r;
      count++;
    }
  }
  return { mean: sum / count, trace };
}

describe('Kuramoto (RK4, degree-normalised coupling)', () => {
  const N = 2000;
  const gamma = 1;
  const Kc = 2 * gamma;

  it('all-to-all above K_c: r → √(1 − K_c/K) within 0.01 (N = 2000, K = 1.5·K_c)', () => {
    const { mean } = meanField(N, 1.5 * Kc, gamma, 60, 0.01, 1);
    expect(Math.abs(mean - Math.sqrt(1 - 1 / 1.5))).toBeLessThan(0.01);
  });

  it('all-to-all below K_c: incoherent, r of order 1/√N', () => {
    const { mean } = meanField(N, 0.5 * Kc, gamma, 60, 0.01, 2);
    expect(mean).toBeLessThan(2 / Math.sqrt(N));
    expect(mean).toBeGreaterThan(0.25 / Math.sqrt(N));
  });

  it('is deterministic under a seed', () => {
    const a = meanField(300, 3, 1, 5, 0.01, 9).trace;
    expect(meanField(300, 3, 1, 5, 0.01, 9).trace).toEqual(a);
    expect(meanField(300, 3, 1, 5, 0.01, 10).trace).not.toEqual(a);
  });

  it('an uncoupled oscillator turns at ω exactly (RK4 on a constant field)', () => {
    const model = new Kuramoto({ kind: 'graph', n: 2, offsets: Int32Array.from([0, 1, 2]), targets: Int32Array.from([1, 0]) }, Float64Array.from([2 * Math.PI * 40, 2 * Math.PI * 41]), Float64Array.from([0, 0]));
    for (let i = 0; i < 100; i++) model.step(0, 0.001);
    expect(model.theta[0]).toBeCloseTo(2 * Math.PI * 40 * 0.1, 9);
    expect(model.time).toBeCloseTo(0.1, 12);
  });
});

describe('ESGT ignition phases', () => {
  const g = createFabric({ n: 100, m: 3, triadicP: 0.3, seed: 42 });
  const nodes = Array.from({ length: 60 }, (_, i) => i);
  const assembly = assemblyOf(g, nodes);

  it('a salient stimulus synchronises within the budget: prepare → synchronize → broadcast → sustain → dissolve, timed', () => {
    const result = runIgnition(assembly, 0.9, 1234);
    expect(result.synchronized).toBe(true);
    expect(result.phases.map((p) => p.name)).toEqual(['prepare', 'synchronize', 'broadcast', 'sustain', 'dissolve']);
    const [, sync, broadcast, sustain, dissolve] = result.phases;
    expect(result.coherence.time_to_sync_ms).toBe(sync!.simulated_ms);
    expect(sync!.simulated_ms).toBeLessThanOrEqual(DEFAULT_IGNITION.syncBudgetMs);
    expect(result.coherence.at_sync).toBeGreaterThanOrEqual(0.7);
    expect(broadcast!.simulated_ms).toBe(50);
    expect(sustain!.simulated_ms).toBe(100);
    expect(dissolve!.simulated_ms).toBe(50);
    expect(result.simulated_ms).toBe(sync!.simulated_ms + 200);
    expect(result.coherence.samples.length).toBe(1 + Math.floor(result.simulated_ms / 5));
    for (const p of result.phases) expect(p.wall_ms).toBeGreaterThanOrEqual(0);
  });

  it('the same assembly, salience and seed give the same run', () => {
    const a = runIgnition(assembly, 0.7, 77);
    const b = runIgnition(assembly, 0.7, 77);
    expect(b.coherence).toEqual(a.coherence);
    expect(runIgnition(assembly, 0.7, 78).coherence).not.toEqual(a.coherence);
  });

  it('without coupling the assembly never synchronises: the budget runs out and broadcast/sustain are skipped', () => {
    const result = runIgnition(assembly, 0.6, 5, { ...DEFAULT_IGNITION, couplingRadPerS: 0 });
    expect(result.synchronized).toBe(false);
    expect(result.coherence.time_to_sync_ms).toBeNull();
    expect(result.phases.find((p) => p.name === 'synchronize')!.simulated_ms).toBe(300);
    expect(result.phases.filter((p) => !p.ran).map((p) => p.name)).toEqual(['broadcast', 'sustain']);
  });
});
