import { mulberry32 } from './prng.js';

/** An undirected simple graph on nodes `0..n-1`: its edges (`u < v`, sorted) and the same in CSR form. */
export interface Graph {
  readonly n: number;
  readonly edges: readonly (readonly [number, number])[];
  /** `neighbours of v` = `targets[offsets[v] .. offsets[v + 1])`, ascending. */
  readonly offsets: Int32Array;
  readonly targets: Int32Array;
}

export function degree(g: Graph, v: number): number {
  return g.offsets[v + 1]! - g.offsets[v]!;
}

/** Builds the CSR form of an edge list (duplicates and self-loops dropped). */
export function graphFromEdges(n: number, list: Iterable<readonly [number, number]>): Graph {
  const seen = new Set<number>();
  const edges: [number, number][] = [];
  for (const [a, b] of list) {
    if (a === b || a < 0 || b < 0 || a >= n || b >= n) continue;
    const u = Math.min(a, b);
    const v = Math.max(a, b);
    const key = u * n + v;
    if (seen.has(key)) continue;
    seen.add(key);
    edges.push([u, v]);
  }
  edges.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  const offsets = new Int32Array(n + 1);
  for (const [u, v] of edges) {
    offsets[u + 1]!++;
    offsets[v + 1]!++;
  }
  for (let i = 0; i < n; i++) offsets[i + 1]! += offsets[i]!;
  const fill = offsets.slice(0, n);
  const targets = new Int32Array(edges.length * 2);
  for (const [u, v] of edges) {
    targets[fill[u]!++] = v;
    targets[fill[v]!++] = u;
  }
  for (let v = 0; v < n; v++) targets.subarray(offsets[v], offsets[v + 1]).sort();
  return { n, edges, offsets, targets };
}

/** The subgraph on `keep` (a mask over the nodes): same node ids, only edges with both ends kept. */
export function inducedEdges(g: Graph, keep: (v: number) => boolean): Graph {
  return graphFromEdges(
    g.n,
    g.edges.filter(([u, v]) => keep(u) && keep(v)),
  );
}

export interface FabricOptions {
  /** Nodes. */
  n: number;
  /** Edges each new node brings (Barabási–Albert m). */
  m: number;
  /** Probability of a triad-formation step after each preferential attachment (Holme–Kim). */
  triadicP: number;
  seed: number;
}

/**
 * The TIG fabric's topology: Barabási–Albert growth with triadic closure, i.e. the Holme–Kim model (networkx's
 * `powerlaw_cluster_graph(n, m, p)`): nodes 0..m-1 start unconnected; each new node links to one existing node
 * chosen with probability proportional to its degree, then makes m-1 more links, each with probability p to a
 * random neighbour of the node it just linked to (closing a triangle), else again by preferential attachment.
 * The result is scale-free (degree exponent ≈ 3) with tunable clustering; the same seed gives the same graph.
 */
export function createFabric(options: FabricOptions): Graph {
  const { n, m, triadicP: p, seed } = options;
  if (!Number.isInteger(n) || !Number.isInteger(m) || m < 1 || m >= n) throw new RangeError(`the fabric needs integers 1 ≤ m < n (got n=${n}, m=${m})`);
  const rng = mulberry32(seed);
  const adjacency: Set<number>[] = Array.from({ length: n }, () => new Set<number>());
  const edges: [number, number][] = [];
  const link = (u: number, v: number) => {
    adjacency[u]!.add(v);
    adjacency[v]!.add(u);
    edges.push([u, v]);
  };
  // Each node appears here once per edge end (plus the m seeds once each): a uniform pick is a preferential one.
  const repeated: number[] = Array.from({ length: m }, (_, i) => i);
  for (let source = m; source < n; source++) {
    const candidates = new Set<number>();
    while (candidates.size < m) candidates.add(repeated[rng.int(repeated.length)]!);
    const pool = [...candidates];
    let target = pool.pop()!;
    link(source, target);
    repeated.push(target);
    let count = 1;
    while (count < m) {
      if (rng.next() < p) {
        const neighbourhood = [...adjacency[target]!].filter((v) => v !== source && !adjacency[source]!.has(v)).sort((a, b) => a - b);
        if (neighbourhood.length) {
          const nbr = neighbourhood[rng.int(neighbourhood.length)]!;
          link(source, nbr);
          repeated.push(nbr);
          count++;
          continue;
        }
      }
      let next = pool.pop();
      while (next !== undefined && adjacency[source]!.has(next)) next = pool.pop();
      if (next === undefined) {
        // Every sampled target is already a neighbour (after triad steps): draw a fresh preferential one.
        do next = repeated[rng.int(repeated.length)]!;
        while (next === source || adjacency[source]!.has(next));
      }
      target = next;
      link(source, target);
      repeated.push(target);
      count++;
    }
    for (let i = 0; i < m; i++) repeated.push(source);
  }
  return graphFromEdges(n, edges);
}

/** Seeded node positions in a square hall of `side` metres (the latency model's geometry). */
export function nodePositions(n: number, seed: number, side: number): Float64Array {
  const rng = mulberry32(seed ^ 0x5bd1e995);
  const xy = new Float64Array(n * 2);
  for (let i = 0; i < n * 2; i++) xy[i] = rng.next() * side;
  return xy;
}
