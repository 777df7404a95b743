import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createFabric, graphFromEdges, type Graph } from './graph.js';
import { links } from './links.js';
import { structuralMetrics, type StructuralMetrics } from './metrics.js';
import { denseFiedler, lanczosFiedler } from './spectral.js';

// Reference values computed by networkx (scripts/tig-reference.py wrote them; the header of that script says how).
type Reference = Omit<StructuralMetrics, 'components' | 'largest_component_size' | 'eigen_method'> & { algebraic_connectivity_eigvalsh: number };
const fixture = <T>(name: string): T => JSON.parse(readFileSync(new URL(`../../../../../test/fixtures/tig/${name}.json`, import.meta.url), 'utf8')) as T;

function expectAgrees(ours: StructuralMetrics, ref: Reference): void {
  expect(ours.node_count).toBe(ref.node_count);
  expect(ours.edge_count).toBe(ref.edge_count);
  for (const key of ['density', 'avg_clustering_coefficient', 'avg_path_length', 'algebraic_connectivity', 'effective_connectivity_index'] as const) {
    expect(Math.abs(ours[key] - ref[key]), `${key}: ours ${ours[key]}, networkx ${ref[key]}`).toBeLessThan(1e-9);
  }
  expect(ours.bottleneck_locations).toEqual(ref.bottleneck_locations);
  expect(ours.min_path_redundancy).toBe(ref.min_path_redundancy);
}

describe('TIG metrics against networkx', () => {
  it("Zachary's karate club: the published density, clustering and path length, and every other metric", () => {
    const karate = fixture<{ nodes: number; edges: [number, number][]; reference: Reference }>('karate');
    const g = graphFromEdges(karate.nodes, karate.edges);
    const ours = structuralMetrics(g);
    expect(Math.abs(ours.density - 0.13903743315508021)).toBeLessThan(1e-9);
    expect(Math.abs(ours.avg_clustering_coefficient - 0.5706384782076823)).toBeLessThan(1e-9);
    expect(Math.abs(ours.avg_path_length - 2.408199643493761)).toBeLessThan(1e-9);
    expectAgrees(ours, karate.reference);
    expect(ours.bottleneck_locations).toEqual([0]); // the instructor's node holds the leaf 11 on
  });

  it('our 100-node fabric: the generator still makes the exported graph, and networkx agrees on every metric', () => {
    const ref = fixture<{ params: { n: number; m: number; triadic_p: number; seed: number }; export: { edges: unknown[] }; reference: Reference }>('fabric-100');
    const { n, m, triadic_p, seed } = ref.params;
    const g = createFabric({ n, m, triadicP: triadic_p, seed });
    expect(links(g, g, seed, () => false)).toEqual(ref.export.edges);
    expectAgrees(structuralMetrics(g), ref.reference);
  });

  it('our 1,000-node fabric through Lanczos: networkx agrees to 1e-9', () => {
    const ref = fixture<{ params: { n: number; m: number; triadic_p: number; seed: number }; edges_sha256: string; reference: Reference }>('fabric-1000');
    const { n, m, triadic_p, seed } = ref.params;
    const g = createFabric({ n, m, triadicP: triadic_p, seed });
    const edges = [...g.edges].map(([u, v]) => [u, v]);
    expect(createHash('sha256').update(JSON.stringify(edges)).digest('hex')).toBe(ref.edges_sha256);
    const ours = structuralMetrics(g, { denseEigenMax: 400 });
    expect(ours.eigen_method).toBe('lanczos');
    expectAgrees(ours, ref.reference);
  });

  it('a disconnected graph: path length of the largest component, Fiedler value and redundancy 0, stated in the counts', () => {
    // a triangle, a path of 4 and an isolated node
    const g = graphFromEdges(8, [[0, 1], [1, 2], [0, 2], [3, 4], [4, 5], [5, 6]]);
    const ours = structuralMetrics(g);
    expect(ours.components).toBe(3);
    expect(ours.largest_component_size).toBe(4);
    expect(ours.avg_path_length).toBeCloseTo((2 * (1 + 2 + 3 + 1 + 2 + 1)) / 12, 12); // path P4
    expect(ours.algebraic_connectivity).toBe(0);
    expect(ours.min_path_redundancy).toBe(0);
    expect(ours.bottleneck_locations).toEqual([4, 5]);
  });

  it('Lanczos and the dense solver agree on graphs of known spectrum', () => {
    const cycle = (n: number): Graph => graphFromEdges(n, Array.from({ length: n }, (_, i) => [i, (i + 1) % n] as [number, number]));
    // λ₂ of the cycle C_n is 2 − 2cos(2π/n); of the path P_n, 2 − 2cos(π/n).
    expect(Math.abs(denseFiedler(cycle(50)) - (2 - 2 * Math.cos((2 * Math.PI) / 50)))).toBeLessThan(1e-12);
    const path = graphFromEdges(60, Array.from({ length: 59 }, (_, i) => [i, i + 1] as [number, number]));
    expect(Math.abs(lanczosFiedler(path, 1e-11, 3) - (2 - 2 * Math.cos(Math.PI / 60)))).toBeLessThan(1e-10);
    const g = createFabric({ n: 300, m: 2, triadicP: 0.5, seed: 11 });
    expect(Math.abs(lanczosFiedler(g, 1e-11, 5) - denseFiedler(g))).toBeLessThan(1e-9);
  });

  it('the same seed makes the same fabric; another seed another one', () => {
    const a = createFabric({ n: 200, m: 3, triadicP: 0.3, seed: 1 });
    expect(createFabric({ n: 200, m: 3, triadicP: 0.3, seed: 1 }).edges).toEqual(a.edges);
    expect(createFabric({ n: 200, m: 3, triadicP: 0.3, seed: 2 }).edges).not.toEqual(a.edges);
    expect(a.edges.length).toBe(3 * (200 - 3)); // m edges per new node, no duplicates
  });
});
