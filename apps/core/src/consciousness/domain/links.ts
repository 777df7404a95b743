import { degree, type Graph } from './graph.js';
import { nodePositions } from './graph.js';

/**
 * Our latency and bandwidth model (docs/consciousness.md): the fabric is a set of nodes placed at seeded positions in
 * a square hall; a link's latency is one switch hop plus propagation over the straight-line distance in fibre, and
 * doubles (queueing) while either end is degraded; a link's bandwidth is provisioned by the smaller degree of its
 * two ends (links between well-connected nodes carry more traffic).
 */
export const LINK_MODEL = {
  /** Side of the hall, metres. */
  hallSideM: 100,
  /** One switch hop, microseconds. */
  switchUs: 0.5,
  /** Propagation in fibre, microseconds per metre (5 ns/m). */
  propagationUsPerM: 0.005,
  /** Latency multiplier while an end is degraded. */
  degradedFactor: 2,
  /** [minimum of the two degrees below which, Gbps] tiers, the last one open-ended. */
  bandwidthTiers: [
    [4, 10],
    [8, 25],
    [16, 40],
    [Number.POSITIVE_INFINITY, 100],
  ] as const,
};

export interface Link {
  source: number;
  target: number;
  latency_us: number;
  bandwidth_gbps: number;
}

/** The per-link figures of `live` (whose degrees set the bandwidth); `degraded(v)` doubles the latency of v's links. */
export function links(full: Graph, live: Graph, seed: number, degraded: (v: number) => boolean): Link[] {
  const xy = nodePositions(full.n, seed, LINK_MODEL.hallSideM);
  return live.edges.map(([u, v]) => {
    const distance = Math.hypot(xy[2 * u]! - xy[2 * v]!, xy[2 * u + 1]! - xy[2 * v + 1]!);
    let latency = LINK_MODEL.switchUs + LINK_MODEL.propagationUsPerM * distance;
    if (degraded(u) || degraded(v)) latency *= LINK_MODEL.degradedFactor;
    const k = Math.min(degree(live, u), degree(live, v));
    const bandwidth = LINK_MODEL.bandwidthTiers.find(([below]) => k < below)![1];
    return { source: u, target: v, latency_us: Math.round(latency * 1000) / 1000, bandwidth_gbps: bandwidth };
  });
}

export function linkSummary(list: readonly Link[]): { avg_latency_us: number | null; max_latency_us: number | null; total_bandwidth_gbps: number } {
  if (!list.length) return { avg_latency_us: null, max_latency_us: null, total_bandwidth_gbps: 0 };
  let sum = 0;
  let max = 0;
  let bandwidth = 0;
  for (const l of list) {
    sum += l.latency_us;
    max = Math.max(max, l.latency_us);
    bandwidth += l.bandwidth_gbps;
  }
  return { avg_latency_us: sum / list.length, max_latency_us: max, total_bandwidth_gbps: bandwidth };
}
