import { parentPort } from 'node:worker_threads';
import { AnalysisEngine } from './engine.js';
import type { WorkerRequest } from './protocol.js';

/** An analyser worker thread: one warm {@link AnalysisEngine}, one job at a time, driven by {@link WorkerRequest}s. */

const port = parentPort;
if (!port) throw new Error('worker.js runs in a worker thread');
const engine = new AnalysisEngine();
port.on('message', (request: WorkerRequest) => {
  try {
    let result: unknown;
    switch (request.op) {
      case 'warm':
        result = engine.warm();
        break;
      case 'analyse':
        result = engine.analyse(request.payload);
        break;
      case 'propose':
        result = engine.propose(request.payload);
        break;
      case 'transpile':
        result = engine.transpile(request.payload.files);
        break;
      case 'kinds':
        result = engine.kinds(request.payload.files);
        break;
    }
    port.postMessage({ id: request.id, result });
  } catch (error) {
    port.postMessage({ id: request.id, error: error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error) });
  }
});
