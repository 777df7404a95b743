import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { workerExecArgv } from '@maximus/kit/threads';
import type { IgnitionResult } from './domain/ignition.js';
import type { StructuralMetrics } from './domain/metrics.js';
import type { WorkRequest } from './work.js';

/** The built worker beside this module (`dist/consciousness/worker.js`); test sources have none. */
const BUILT_WORKER = new URL('./worker.js', import.meta.url);

export function defaultWorker(): URL | false {
  return BUILT_WORKER.protocol === 'file:' && existsSync(fileURLToPath(BUILT_WORKER)) ? BUILT_WORKER : false;
}

interface Lane {
  run(request: WorkRequest): Promise<unknown>;
  close(): Promise<void>;
}

/** One worker thread, started on first use and kept warm; requests queue in order. A worker that dies is replaced on the next request. */
function workerLane(url: URL, name: string): Lane {
  let worker: Worker | undefined;
  let next = 0;
  const waiting = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  const start = () => {
    const w = new Worker(url, { name, execArgv: workerExecArgv() });
    w.unref();
    w.on('message', (message: { id: number; result?: unknown; error?: string }) => {
      const entry = waiting.get(message.id);
      if (!entry) return;
      waiting.delete(message.id);
      if (message.error !== undefined) entry.reject(new Error(`${name} worker: ${message.error}`));
      else entry.resolve(message.result);
    });
    const fail = (error: Error) => {
      if (worker === w) worker = undefined;
      for (const entry of waiting.values()) entry.reject(error);
      waiting.clear();
    };
    w.on('error', fail);
    w.on('exit', (code) => fail(new Error(`${name} worker exited with code ${code}`)));
    return w;
  };
  return {
    run(request) {
      worker ??= start();
      const w = worker;
      return new Promise((resolve, reject) => {
        const id = next++;
        waiting.set(id, { resolve, reject });
        w.postMessage({ ...request, id });
      });
    },
    async close() {
      const w = worker;
      worker = undefined;
      if (w) await w.terminate();
    },
  };
}

// Loaded on first use: a process whose work runs in the workers never loads the solvers on its main thread.
const inThread: Lane = {
  run: async (request) => (await import('./work.js')).perform(request),
  close: () => Promise.resolve(),
};

/**
 * Where the heavy work runs: two worker threads, started on first use and kept warm, one for ignitions and one for
 * metrics (a 10,000-node metrics run never holds an ignition up), or this thread when there is no built worker
 * (test sources). The runtime's start warms both.
 */
export class Compute {
  readonly threaded: boolean;
  readonly #ignitions: Lane;
  readonly #metrics: Lane;

  constructor(worker: URL | false) {
    this.threaded = worker !== false;
    this.#ignitions = worker ? workerLane(worker, 'esgt') : inThread;
    this.#metrics = worker ? workerLane(worker, 'tig-metrics') : inThread;
  }

  ignite(request: Extract<WorkRequest, { op: 'ignite' }>): Promise<IgnitionResult> {
    return this.#ignitions.run(request) as Promise<IgnitionResult>;
  }

  metrics(request: Extract<WorkRequest, { op: 'metrics' }>): Promise<StructuralMetrics & { wall_ms: number }> {
    return this.#metrics.run(request) as Promise<StructuralMetrics & { wall_ms: number }>;
  }

  async close(): Promise<void> {
    await Promise.all([this.#ignitions.close(), this.#metrics.close()]);
  }
}
