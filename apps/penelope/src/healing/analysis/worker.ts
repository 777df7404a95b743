import { parentPort } from 'node:worker_threads';
import { backgroundThread } from '@maximus/kit/threads';
import { dispatch } from './dispatch.js';
import { AnalysisEngine } from './engine.js';
import type { WorkerRequest } from './protocol.js';

/** An analyser worker thread: one warm {@link AnalysisEngine}, one job at a time, driven by {@link WorkerRequest}s. */

const port = parentPort;
if (!port) throw new Error('worker.js runs in a worker thread');
// Analysis yields the CPU to the service's event loop when both want it.
backgroundThread();
const engine = new AnalysisEngine();
port.on('message', (request: WorkerRequest) => {
  try {
    const result = dispatch(engine, request.op, ('payload' in request ? request.payload : undefined) as never);
    port.postMessage({ id: request.id, result });
  } catch (error) {
    port.postMessage({ id: request.id, error: error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error) });
  }
});
