import { degree, type Graph } from './graph.js';
import { algebraicConnectivity } from './spectral.js';

/** The structural metrics of a graph, each defined as networkx defines it (ARCHITECTURE.md's metric ↔ networkx table). */
export interface StructuralMetrics {
  node_count: number;
  edge_count: number;
  /** `nx.density`. */
  density: number;
  /** `nx.average_clustering` (nodes of degree < 2 count as 0). */
  avg_clustering_coefficient: number;
  /** `nx.average_shortest_path_length` of the largest connected component (of the whole graph when connected). */
  avg_path_length: number;
  /** `nx.algebraic_connectivity`: the second-smallest Laplacian eigenvalue; 0 when disconnected. */
  algebraic_connectivity: number;
  /** `nx.global_efficiency`. */
  effective_connectivity_index: number;
  /** `sorted(nx.articulation_points)`. */
  bottleneck_locations: number[];
  /** `nx.edge_connectivity`: the fewest edges whose removal disconnects the graph (0 when it is disconnected). */
  min_path_redundancy: number;
  components: number;
  largest_component_size: number;
  /** Which eigen solver gave the algebraic connectivity. */
  eigen_method: 'dense' | 'lanczos' | 'none';
}

/** Connected components: `label[v]` and each component's size. */
export function components(g: Graph): { label: Int32Array; sizes: number[] } {
  const label = new Int32Array(g.n).fill(-1);
  const sizes: number[] = [];
  const queue = new Int32Array(g.n);
  for (let s = 0; s < g.n; s++) {
    if (label[s] !== -1) continue;
    const c = sizes.length;
    let head = 0;
    let tail = 0;
    queue[tail++] = s;
    label[s] = c;
    while (head < tail) {
      const v = queue[head++]!;
      for (let i = g.offsets[v]!; i < g.offsets[v + 1]!; i++) {
        const w = g.targets[i]!;
        if (label[w] === -1) {
          label[w] = c;
          queue[tail++] = w;
        }
      }
    }
    sizes.push(tail);
  }
  return { label, sizes };
}

export function density(g: Graph): number {
  return g.n > 1 ? (2 * g.edges.length) / (g.n * (g.n - 1)) : 0;
}

export function averageClustering(g: Graph): number {
  if (g.n === 0) return 0;
  const mark = new Int32Array(g.n).fill(-1);
  let total = 0;
  for (let v = 0; v < g.n; v++) {
    const k = degree(g, v);
    if (k < 2) continue;
    for (let i = g.offsets[v]!; i < g.offsets[v + 1]!; i++) mark[g.targets[i]!] = v;
    let links = 0;
    for (let i = g.offsets[v]!; i < g.offsets[v + 1]!; i++) {
      const u = g.targets[i]!;
      for (let j = g.offsets[u]!; j < g.offsets[u + 1]!; j++) if (mark[g.targets[j]!] === v) links++;
    }
    total += links / (k * (k - 1)); // each triangle seen twice: links/2 over k(k-1)/2
  }
  return total / g.n;
}

/**
 * Breadth-first search from every node, 32 sources at a time (bit-parallel: each node keeps a 32-bit mask of the
 * sources that reached it), giving the average shortest path length of the largest component and the global
 * efficiency (mean of 1/d over all ordered pairs, 0 for unreachable ones). Distances are exact integers.
 */
export function pathMetrics(g: Graph, comp = components(g)): { avgPathLength: number; globalEfficiency: number } {
  const n = g.n;
  if (n < 2) return { avgPathLength: 0, globalEfficiency: 0 };
  let largest = 0;
  for (let c = 1; c < comp.sizes.length; c++) if (comp.sizes[c]! > comp.sizes[largest]!) largest = c;
  const visited = new Int32Array(n);
  let frontier = new Int32Array(n);
  let next = new Int32Array(n);
  let pathSum = 0;
  let efficiency = 0;
  for (let base = 0; base < n; base += 32) {
    const width = Math.min(32, n - base);
    visited.fill(0);
    frontier.fill(0);
    let inLargest = 0;
    for (let b = 0; b < width; b++) {
      visited[base + b] = frontier[base + b] = 1 << b;
      if (comp.label[base + b] === largest) inLargest |= 1 << b;
    }
    for (let level = 1; ; level++) {
      let reached = 0;
      let reachedLargest = 0;
      for (let v = 0; v < n; v++) {
        let mask = 0;
        for (let i = g.offsets[v]!; i < g.offsets[v + 1]!; i++) mask |= frontier[g.targets[i]!]!;
        mask &= ~visited[v]!;
        next[v] = mask;
        if (mask !== 0) {
          visited[v]! |= mask;
          reached += popcount(mask);
          reachedLargest += popcount(mask & inLargest);
        }
      }
      if (reached === 0) break;
      efficiency += reached / level;
      pathSum += reachedLargest * level;
      const swap = frontier;
      frontier = next;
      next = swap;
    }
  }
  const size = comp.sizes[largest]!;
  return { avgPathLength: size > 1 ? pathSum / (size * (size - 1)) : 0, globalEfficiency: efficiency / (n * (n - 1)) };
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/** Articulation points (cut vertices), ascending: iterative Hopcroft–Tarjan. */
export function articulationPoints(g: Graph): number[] {
  const n = g.n;
  const disc = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const parent = new Int32Array(n).fill(-1);
  const edgeAt = new Int32Array(n);
  const cut = new Uint8Array(n);
  const stack = new Int32Array(n);
  let time = 0;
  for (let root = 0; root < n; root++) {
    if (disc[root] !== -1) continue;
    let children = 0;
    let top = 0;
    stack[top++] = root;
    disc[root] = low[root] = time++;
    edgeAt[root] = g.offsets[root]!;
    while (top > 0) {
      const v = stack[top - 1]!;
      if (edgeAt[v]! < g.offsets[v + 1]!) {
        const w = g.targets[edgeAt[v]!++]!;
        if (disc[w] === -1) {
          parent[w] = v;
          disc[w] = low[w] = time++;
          edgeAt[w] = g.offsets[w]!;
          stack[top++] = w;
          if (v === root) children++;
        } else if (w !== parent[v]) {
          low[v] = Math.min(low[v]!, disc[w]!);
        }
      } else {
        top--;
        const p = parent[v]!;
        if (p !== -1) {
          low[p] = Math.min(low[p]!, low[v]!);
          if (p !== root && low[v]! >= disc[p]!) cut[p] = 1;
        }
      }
    }
    if (children > 1) cut[root] = 1;
  }
  const result: number[] = [];
  for (let v = 0; v < n; v++) if (cut[v]) result.push(v);
  return result;
}

/**
 * Edge connectivity λ(G), as `nx.edge_connectivity`: the fewest edges whose removal disconnects the graph (0 when
 * it is disconnected or n < 2). λ ≤ δ (the minimum degree), and when λ < δ both sides of a minimum cut hold a node of
 * any dominating set D (Esfahanian–Hakimi), so λ = min(δ, min over v ∈ D∖{s} of λ(s, v)) for s ∈ D. Each λ(s, v) is
 * found with unit-capacity augmenting paths searched from v towards the hub s (the highest-degree node: a search
 * from a small node reaches it within a few hops), never looking for more paths than the best so far.
 */
export function edgeConnectivity(g: Graph, comp = components(g)): number {
  const n = g.n;
  if (n < 2 || comp.sizes.length > 1) return 0;
  let best = Number.POSITIVE_INFINITY;
  for (let v = 0; v < n; v++) best = Math.min(best, degree(g, v));
  if (best === 0) return 0;
  // Greedy dominating set, highest degree first: a node joins when nothing in D covers it yet.
  const order = Array.from({ length: n }, (_, v) => v).sort((a, b) => degree(g, b) - degree(g, a) || a - b);
  const covered = new Uint8Array(n);
  const dominating: number[] = [];
  for (const v of order) {
    if (covered[v]) continue;
    dominating.push(v);
    covered[v] = 1;
    for (let i = g.offsets[v]!; i < g.offsets[v + 1]!; i++) covered[g.targets[i]!] = 1;
  }
  // Residual capacities per directed arc (each undirected edge is two arcs of capacity 1); reverse arc index.
  const rev = new Int32Array(g.targets.length);
  for (let v = 0; v < n; v++) {
    for (let i = g.offsets[v]!; i < g.offsets[v + 1]!; i++) {
      const w = g.targets[i]!;
      let lo = g.offsets[w]!;
      let hi = g.offsets[w + 1]! - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (g.targets[mid]! < v) lo = mid + 1;
        else hi = mid;
      }
      rev[i] = lo;
    }
  }
  const flow = new Int8Array(g.targets.length);
  const touched: number[] = [];
  const via = new Int32Array(n);
  const seen = new Int32Array(n);
  const queue = new Int32Array(n);
  let stamp = 0;
  const t = dominating[0]!;
  for (let k = 1; k < dominating.length && best > 0; k++) {
    const s = dominating[k]!;
    for (const i of touched) flow[i] = 0;
    touched.length = 0;
    let paths = 0;
    while (paths < best) {
      stamp++;
      let head = 0;
      let tail = 0;
      queue[tail++] = s;
      seen[s] = stamp;
      let found = false;
      while (head < tail && !found) {
        const v = queue[head++]!;
        for (let i = g.offsets[v]!; i < g.offsets[v + 1]!; i++) {
          const w = g.targets[i]!;
          if (seen[w] === stamp || flow[i]! >= 1) continue;
          seen[w] = stamp;
          via[w] = i;
          if (w === t) {
            found = true;
            break;
          }
          queue[tail++] = w;
        }
      }
      if (!found) break;
      for (let w = t; w !== s; ) {
        const i = via[w]!;
        flow[i]!++;
        flow[rev[i]!]!--;
        touched.push(i, rev[i]!);
        w = g.targets[rev[i]!]!;
      }
      paths++;
    }
    best = Math.min(best, paths);
  }
  return best;
}

export interface StructuralOptions {
  /** Graphs up to this many nodes get a dense eigendecomposition; larger ones Lanczos. @default 400 */
  denseEigenMax?: number;
}

/** Every structural metric of `g` (unweighted), as networkx computes them. */
export function structuralMetrics(g: Graph, options: StructuralOptions = {}): StructuralMetrics {
  const comp = components(g);
  const paths = pathMetrics(g, comp);
  const spectral = comp.sizes.length === 1 && g.n >= 2 ? algebraicConnectivity(g, { denseMax: options.denseEigenMax ?? 400 }) : { value: 0, method: 'none' as const };
  return {
    node_count: g.n,
    edge_count: g.edges.length,
    density: density(g),
    avg_clustering_coefficient: averageClustering(g),
    avg_path_length: paths.avgPathLength,
    algebraic_connectivity: spectral.value,
    effective_connectivity_index: paths.globalEfficiency,
    bottleneck_locations: articulationPoints(g),
    min_path_redundancy: edgeConnectivity(g, comp),
    components: comp.sizes.length,
    largest_component_size: comp.sizes.length ? Math.max(...comp.sizes) : 0,
    eigen_method: spectral.method,
  };
}
