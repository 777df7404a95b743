import type { TigGraph, TigNodeState } from '@maximus/contracts';
import { createFabric, inducedEdges, type Graph } from './domain/graph.js';
import type { HealthState } from './domain/health.js';
import { links } from './domain/links.js';
import type { GateRow, NodeRow } from './store.js';

/** The node states as every replica sees them: stored health, overlaid by the running ignition's recruits. */
export interface NodeView {
  state: (v: number) => TigNodeState;
  health: (v: number) => HealthState;
  load: (v: number, now: number) => number;
  rows: Map<number, NodeRow>;
}

export function nodeView(n: number, rows: readonly NodeRow[], gate: GateRow | undefined, decay: (load: number, at: number, now: number) => number): NodeView {
  const byId = new Map(rows.map((r) => [r.id, r]));
  const esgt = new Set(gate?.active_id ? (gate.active_nodes ?? []) : []);
  const health = (v: number): HealthState => byId.get(v)?.state ?? 'active';
  return {
    rows: byId,
    health,
    state: (v) => (v >= 0 && v < n && esgt.has(v) && health(v) !== 'offline' ? 'esgt_mode' : health(v)),
    load(v, now) {
      const row = byId.get(v);
      return row ? decay(row.load, new Date(row.load_at).getTime(), now) : 0;
    },
  };
}

/** The live fabric: every node, and the links of nodes that are not isolated (offline). */
export function liveGraph(full: Graph, view: NodeView): Graph {
  return inducedEdges(full, (v) => view.health(v) !== 'offline');
}

export function exportGraph(full: Graph, live: Graph, view: NodeView, seed: number): TigGraph {
  return {
    nodes: Array.from({ length: full.n }, (_, id) => ({ id, state: view.state(id) })),
    edges: links(full, live, seed, (v) => view.health(v) === 'degraded'),
  };
}

export function countStates(n: number, view: NodeView): Record<TigNodeState, number> {
  const counts = { active: 0, esgt_mode: 0, degraded: 0, offline: 0 };
  for (let v = 0; v < n; v++) counts[view.state(v)]++;
  return counts;
}

export { createFabric };
