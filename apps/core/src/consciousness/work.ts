import { graphFromEdges } from './domain/graph.js';
import { runIgnition, type Assembly, type IgnitionParams, type IgnitionResult } from './domain/ignition.js';
import { structuralMetrics, type StructuralMetrics } from './domain/metrics.js';

/** The CPU-heavy calls, as messages: what the worker thread runs (or this thread, without a built worker). */
export type WorkRequest =
  | { op: 'ignite'; assembly: Assembly; salience: number; seed: number; params: IgnitionParams }
  | { op: 'metrics'; n: number; edges: Int32Array; denseEigenMax: number };

export type WorkResult<R extends WorkRequest> = R extends { op: 'ignite' } ? IgnitionResult : StructuralMetrics & { wall_ms: number };

export function perform(request: WorkRequest): IgnitionResult | (StructuralMetrics & { wall_ms: number }) {
  if (request.op === 'ignite') return runIgnition(request.assembly, request.salience, request.seed, request.params);
  const started = performance.now();
  const pairs: [number, number][] = [];
  for (let i = 0; i < request.edges.length; i += 2) pairs.push([request.edges[i]!, request.edges[i + 1]!]);
  const metrics = structuralMetrics(graphFromEdges(request.n, pairs), { denseEigenMax: request.denseEigenMax });
  return { ...metrics, wall_ms: performance.now() - started };
}
