/** Salience = 0.25·novelty + 0.30·relevance + 0.30·urgency + 0.15·confidence. */
export function salience(s: { novelty: number; relevance: number; urgency: number; confidence: number }): number {
  return 0.25 * s.novelty + 0.3 * s.relevance + 0.3 * s.urgency + 0.15 * s.confidence;
}

export interface ThresholdParams {
  /** The threshold at arousal 0. @default 0.9 */
  atZero: number;
  /** The threshold at arousal 1. @default 0.4 */
  atOne: number;
}

export const DEFAULT_THRESHOLD: ThresholdParams = { atZero: 0.9, atOne: 0.4 };

/** The salience an ignition needs: falls linearly with arousal, θ(a) = θ₀ − (θ₀ − θ₁)·a (0.9 − 0.5·a by default). */
export function salienceThreshold(arousal: number, p: ThresholdParams = DEFAULT_THRESHOLD): number {
  return p.atZero - (p.atZero - p.atOne) * Math.min(1, Math.max(0, arousal));
}

export type GateName = 'salience' | 'concurrency' | 'refractory' | 'frequency' | 'healthy_nodes';

export interface GateCheck {
  gate: GateName;
  passed: boolean;
  /** What was measured against what. */
  detail: string;
}

export interface GateInputs {
  salience: number;
  threshold: number;
  /** Another ignition is running (anywhere). */
  active: boolean;
  activeId?: string | null;
  /** ms since the last ignition that ran ended, or null when none has. */
  sinceLastMs: number | null;
  refractoryMs: number;
  /** Ignitions that ran within the frequency window. */
  recentRuns: number;
  maxRuns: number;
  windowMs: number;
  /** Size of the largest connected set of healthy (active) nodes. */
  healthyComponent: number;
  minNodes: number;
}

/** Every gate, in the order they are reported; the first failed one is the attempt's reason. */
export function evaluateGates(x: GateInputs): GateCheck[] {
  const f = (v: number) => v.toFixed(3);
  return [
    { gate: 'salience', passed: x.salience >= x.threshold, detail: `salience ${f(x.salience)} ${x.salience >= x.threshold ? '≥' : '<'} threshold ${f(x.threshold)}` },
    { gate: 'concurrency', passed: !x.active, detail: x.active ? `ignition ${x.activeId ?? '?'} is running (one at a time)` : 'no ignition running' },
    {
      gate: 'refractory',
      passed: x.sinceLastMs === null || x.sinceLastMs >= x.refractoryMs,
      detail: x.sinceLastMs === null ? 'no previous ignition' : `${Math.round(x.sinceLastMs)} ms since the last ignition ended (refractory ${x.refractoryMs} ms)`,
    },
    { gate: 'frequency', passed: x.recentRuns < x.maxRuns, detail: `${x.recentRuns} ignitions in the last ${x.windowMs} ms (at most ${x.maxRuns})` },
    { gate: 'healthy_nodes', passed: x.healthyComponent >= x.minNodes, detail: `${x.healthyComponent} connected healthy nodes (at least ${x.minNodes})` },
  ];
}

export const GATE_REASONS: Record<GateName, string> = {
  salience: 'salience below the arousal-dependent threshold',
  concurrency: 'another ignition is in progress',
  refractory: 'refractory period after the previous ignition',
  frequency: 'maximum ignition frequency reached',
  healthy_nodes: 'not enough healthy connected nodes',
};
