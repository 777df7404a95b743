import type { Graph } from './graph.js';

/**
 * Node health (docs/consciousness.md): every TIG node carries a load, a deterministic simulated figure. Each
 * ignition that recruits a node adds `perIgnition`; load decays exponentially with time constant `tauS`. States
 * follow the load with hysteresis and a minimum isolation time, so a node never flaps:
 *   active → degraded at load ≥ degradeAt; degraded → active below recoverAt;
 *   any → offline (isolated: its links leave the fabric) at load ≥ isolateAt;
 *   offline → active once load < reintegrateAt and it has been isolated for minIsolationS.
 */
export interface HealthParams {
  perIgnition: number;
  tauS: number;
  degradeAt: number;
  recoverAt: number;
  isolateAt: number;
  reintegrateAt: number;
  minIsolationS: number;
}

export const DEFAULT_HEALTH: HealthParams = {
  perIgnition: 0.15,
  tauS: 30,
  degradeAt: 0.6,
  recoverAt: 0.4,
  isolateAt: 1,
  reintegrateAt: 0.3,
  minIsolationS: 10,
};

export type HealthState = 'active' | 'degraded' | 'offline';

/** A load stored at `at` (ms), seen at `now` (ms). */
export function loadAt(load: number, at: number, now: number, p: HealthParams): number {
  return load * Math.exp(-Math.max(0, now - at) / 1000 / p.tauS);
}

/** The next state of a node (with its state's age) given its current load. */
export function nextState(state: HealthState, load: number, stateAgeS: number, p: HealthParams): HealthState {
  if (state === 'offline') return load < p.reintegrateAt && stateAgeS >= p.minIsolationS ? 'active' : 'offline';
  if (load >= p.isolateAt) return 'offline';
  if (state === 'active') return load >= p.degradeAt ? 'degraded' : 'active';
  return load < p.recoverAt ? 'active' : 'degraded';
}

/**
 * The ignition's recruits: a breadth-first search over healthy nodes from the healthy node with the lowest load
 * (ties: higher degree, then lower id), neighbours visited by (load, id), until `size` nodes — so the assembly is
 * connected and spreads work away from tired nodes. Returns the largest healthy component's size too.
 */
export function recruit(g: Graph, healthy: (v: number) => boolean, load: (v: number) => number, size: number): { nodes: number[]; component: number } {
  const seen = new Uint8Array(g.n);
  let bestStart = -1;
  let component = 0;
  const queue: number[] = [];
  // Largest healthy component (and a start inside it).
  for (let s = 0; s < g.n; s++) {
    if (seen[s] || !healthy(s)) continue;
    queue.length = 0;
    queue.push(s);
    seen[s] = 1;
    let start = s;
    for (let h = 0; h < queue.length; h++) {
      const v = queue[h]!;
      const better = load(v) < load(start) - 1e-12 || (Math.abs(load(v) - load(start)) <= 1e-12 && (deg(g, v) > deg(g, start) || (deg(g, v) === deg(g, start) && v < start)));
      if (better) start = v;
      for (let i = g.offsets[v]!; i < g.offsets[v + 1]!; i++) {
        const w = g.targets[i]!;
        if (!seen[w] && healthy(w)) {
          seen[w] = 1;
          queue.push(w);
        }
      }
    }
    if (queue.length > component) {
      component = queue.length;
      bestStart = start;
    }
  }
  if (bestStart < 0) return { nodes: [], component: 0 };
  const taken = new Uint8Array(g.n);
  const nodes = [bestStart];
  taken[bestStart] = 1;
  for (let h = 0; h < nodes.length && nodes.length < size; h++) {
    const v = nodes[h]!;
    const next: number[] = [];
    for (let i = g.offsets[v]!; i < g.offsets[v + 1]!; i++) {
      const w = g.targets[i]!;
      if (!taken[w] && healthy(w)) next.push(w);
    }
    next.sort((a, b) => load(a) - load(b) || a - b);
    for (const w of next) {
      if (nodes.length >= size) break;
      taken[w] = 1;
      nodes.push(w);
    }
  }
  return { nodes: nodes.sort((a, b) => a - b), component };
}

function deg(g: Graph, v: number): number {
  return g.offsets[v + 1]! - g.offsets[v]!;
}

/** The recruited subgraph with local ids (position in `nodes`), in CSR form. */
export function assemblyOf(g: Graph, nodes: readonly number[]): { n: number; offsets: Int32Array; targets: Int32Array } {
  const local = new Map<number, number>();
  nodes.forEach((v, i) => local.set(v, i));
  const offsets = new Int32Array(nodes.length + 1);
  const targets: number[] = [];
  nodes.forEach((v, i) => {
    for (let e = g.offsets[v]!; e < g.offsets[v + 1]!; e++) {
      const j = local.get(g.targets[e]!);
      if (j !== undefined) targets.push(j);
    }
    offsets[i + 1] = targets.length;
  });
  return { n: nodes.length, offsets, targets: Int32Array.from(targets) };
}
