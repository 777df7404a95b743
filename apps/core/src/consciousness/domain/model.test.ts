import { describe, expect, it } from 'vitest';
import { DEFAULT_AROUSAL, levelOf, modulationAt, pressures, stepArousal, stepStress } from './arousal.js';
import { evaluateGates, salience, salienceThreshold, type GateInputs } from './gates.js';
import { createFabric } from './graph.js';
import { DEFAULT_HEALTH, loadAt, nextState, recruit } from './health.js';
import { histogramQuantile } from './histogram.js';

const quiet = { errorRate: null, latencyP95: null, requests: 0, windowSeconds: 60, pending: { LOW: 0, MEDIUM: 0, HIGH: 0, CRITICAL: 0 }, queueDepth: 0 };

describe('arousal', () => {
  it('levels at the documented bounds', () => {
    expect([0, 0.2, 0.21, 0.4, 0.41, 0.6, 0.61, 0.8, 0.81, 1].map(levelOf)).toEqual(['sleep', 'sleep', 'drowsy', 'drowsy', 'relaxed', 'relaxed', 'alert', 'alert', 'hyperalert', 'hyperalert']);
  });

  it('pressures: error burn rate against the availability budget, p95 against the latency objective', () => {
    expect(pressures(quiet, DEFAULT_AROUSAL)).toEqual({ errors: 0, latency: 0, pending: 0, queue: 0 });
    // 0.72% errors = burn rate 7.2 = half of the 14.4 saturation
    expect(pressures({ ...quiet, errorRate: 0.0072 }, DEFAULT_AROUSAL).errors).toBeCloseTo(0.5, 12);
    expect(pressures({ ...quiet, errorRate: 0.5 }, DEFAULT_AROUSAL).errors).toBe(1);
    expect(pressures({ ...quiet, latencyP95: 0.15 }, DEFAULT_AROUSAL).latency).toBe(0);
    expect(pressures({ ...quiet, latencyP95: 0.3 }, DEFAULT_AROUSAL).latency).toBeCloseTo(0.5, 12);
    expect(pressures({ ...quiet, latencyP95: 0.45 }, DEFAULT_AROUSAL).latency).toBeCloseTo(1, 12);
    expect(pressures({ ...quiet, pending: { LOW: 0, MEDIUM: 0, HIGH: 0, CRITICAL: 1 } }, DEFAULT_AROUSAL).pending).toBeCloseTo(1 - Math.exp(-4 / 5), 12);
    expect(pressures({ ...quiet, queueDepth: 1000 }, DEFAULT_AROUSAL).queue).toBeCloseTo(1 - Math.exp(-1), 12);
  });

  it('follows its target with the rise and fall time constants, never faster than the hard rate limit', () => {
    expect(stepArousal(0.6, 0.6, 1, DEFAULT_AROUSAL)).toBe(0.6);
    expect(stepArousal(0.6, 0.7, 0.5, DEFAULT_AROUSAL)).toBeCloseTo(0.6 + 0.1 * (1 - Math.exp(-0.5 / 3)), 12);
    expect(stepArousal(0.6, 0.55, 0.5, DEFAULT_AROUSAL)).toBeCloseTo(0.6 - 0.05 * (1 - Math.exp(-0.5 / 10)), 12);
    expect(stepArousal(0.2, 1, 0.5, DEFAULT_AROUSAL)).toBeCloseTo(0.2 + 0.15 * 0.5, 12);
    expect(stepArousal(0.99, 1.5, 10, DEFAULT_AROUSAL)).toBe(1);
  });

  it('stress integrates sustained pressure; modulations decay linearly to 0 over their duration', () => {
    let s = 0;
    for (let i = 0; i < 60; i++) s = stepStress(s, 1, 1, DEFAULT_AROUSAL);
    expect(s).toBeCloseTo(1 - Math.exp(-2), 12);
    const m = { delta: 0.4, startsAt: 1000, endsAt: 11_000 };
    expect([999, 1000, 6000, 10_999, 11_000].map((t) => modulationAt(m, t))).toEqual([0, 0.4, 0.2, expect.closeTo(0.00004, 8), 0]);
  });
});

describe('ESGT gates', () => {
  it('salience and the threshold falling with arousal', () => {
    expect(salience({ novelty: 1, relevance: 1, urgency: 1, confidence: 1 })).toBeCloseTo(1, 12);
    expect(salience({ novelty: 0.5, relevance: 0.5, urgency: 0.5, confidence: 1 })).toBeCloseTo(0.575, 12);
    expect([0, 0.6, 1].map((a) => salienceThreshold(a))).toEqual([0.9, expect.closeTo(0.6, 12), 0.4]);
  });

  it('each gate fails on its own condition, and only on it', () => {
    const ok: GateInputs = { salience: 0.8, threshold: 0.6, active: false, sinceLastMs: 1000, refractoryMs: 200, recentRuns: 0, maxRuns: 10, windowMs: 10_000, healthyComponent: 100, minNodes: 20 };
    expect(evaluateGates(ok).every((g) => g.passed)).toBe(true);
    const failing = (x: Partial<GateInputs>) => evaluateGates({ ...ok, ...x }).filter((g) => !g.passed).map((g) => g.gate);
    expect(failing({ salience: 0.5 })).toEqual(['salience']);
    expect(failing({ active: true })).toEqual(['concurrency']);
    expect(failing({ sinceLastMs: 199 })).toEqual(['refractory']);
    expect(failing({ sinceLastMs: null })).toEqual([]);
    expect(failing({ recentRuns: 10 })).toEqual(['frequency']);
    expect(failing({ healthyComponent: 19 })).toEqual(['healthy_nodes']);
  });
});

describe('node health', () => {
  it('hysteresis: degrade at 0.6, recover below 0.4, isolate at 1.0, reintegrate below 0.3 after 10 s isolated', () => {
    expect(nextState('active', 0.59, 0, DEFAULT_HEALTH)).toBe('active');
    expect(nextState('active', 0.6, 0, DEFAULT_HEALTH)).toBe('degraded');
    expect(nextState('degraded', 0.5, 0, DEFAULT_HEALTH)).toBe('degraded'); // between the bounds: no flapping
    expect(nextState('degraded', 0.39, 0, DEFAULT_HEALTH)).toBe('active');
    expect(nextState('degraded', 1, 0, DEFAULT_HEALTH)).toBe('offline');
    expect(nextState('offline', 0.2, 9, DEFAULT_HEALTH)).toBe('offline');
    expect(nextState('offline', 0.35, 60, DEFAULT_HEALTH)).toBe('offline');
    expect(nextState('offline', 0.29, 10, DEFAULT_HEALTH)).toBe('active');
    expect(loadAt(1, 0, 30_000, DEFAULT_HEALTH)).toBeCloseTo(Math.exp(-1), 12);
  });

  it('a load oscillating around one bound never flaps the state', () => {
    let state: 'active' | 'degraded' | 'offline' = 'active';
    const seen: string[] = [];
    for (let i = 0; i < 50; i++) {
      state = nextState(state, 0.6 + (i % 2 ? 0.05 : -0.05), i, DEFAULT_HEALTH);
      seen.push(state);
    }
    expect(new Set(seen.slice(1))).toEqual(new Set(['degraded']));
  });

  it('recruits a connected assembly of healthy nodes, least-loaded first', () => {
    const g = createFabric({ n: 100, m: 3, triadicP: 0.3, seed: 42 });
    const { nodes, component } = recruit(g, (v) => v % 10 !== 0, () => 0, 40);
    expect(component).toBeLessThanOrEqual(90);
    expect(nodes).toHaveLength(40);
    expect(nodes.some((v) => v % 10 === 0)).toBe(false);
    // connected: a search inside the recruits reaches them all
    const inside = new Set(nodes);
    const seen = new Set([nodes[0]!]);
    const queue = [nodes[0]!];
    while (queue.length) {
      const v = queue.shift()!;
      for (let i = g.offsets[v]!; i < g.offsets[v + 1]!; i++) {
        const w = g.targets[i]!;
        if (inside.has(w) && !seen.has(w)) {
          seen.add(w);
          queue.push(w);
        }
      }
    }
    expect(seen.size).toBe(40);
  });
});

describe('histogram quantile (as Prometheus histogram_quantile)', () => {
  it('interpolates inside the bucket; no data is null', () => {
    const bounds = [0.1, 0.5, 1, Number.POSITIVE_INFINITY];
    expect(histogramQuantile(0.95, bounds, [0, 0, 0, 0])).toBeNull();
    // 100 observations: 50 ≤ 0.1, 40 in (0.1, 0.5], 10 in (0.5, 1]
    expect(histogramQuantile(0.5, bounds, [50, 90, 100, 100])).toBeCloseTo(0.1, 12);
    expect(histogramQuantile(0.95, bounds, [50, 90, 100, 100])).toBeCloseTo(0.75, 12);
    expect(histogramQuantile(0.95, bounds, [0, 0, 0, 10])).toBe(1);
  });
});
