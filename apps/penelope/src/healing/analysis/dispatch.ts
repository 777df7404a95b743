import type { AnalysisEngine } from './engine.js';
import type { WorkerOp, WorkerPayload, WorkerResults } from './protocol.js';

/** Runs one worker operation on an engine (the worker thread does this for each message; benchmarks call it in process). */
export function dispatch<Op extends WorkerOp>(engine: AnalysisEngine, op: Op, payload: WorkerPayload<Op>): WorkerResults[Op] {
  const p = payload as never;
  switch (op) {
    case 'warm':
      return engine.warm() as WorkerResults[Op];
    case 'analyse':
      return engine.analyse(p) as WorkerResults[Op];
    case 'propose':
      return engine.propose(p) as WorkerResults[Op];
    case 'assess':
      return engine.assess(p) as WorkerResults[Op];
    case 'transpile':
      return engine.transpile((p as WorkerPayload<'transpile'>).files) as WorkerResults[Op];
    case 'kinds':
      return engine.kinds((p as WorkerPayload<'kinds'>).files) as WorkerResults[Op];
  }
  throw new Error(`unknown analyser operation ${String(op)}`);
}

/** Something that runs worker operations: the pool (worker threads) or {@link dispatch} in process. */
export type AnalyserRunner = <Op extends WorkerOp>(op: Op, payload: WorkerPayload<Op>) => Promise<WorkerResults[Op]>;
