import { parentPort } from 'node:worker_threads';
import { backgroundThread } from '@maximus/kit/threads';
import { VerifyCore, type VerifyRequest } from './verify-core.js';

/** The forensics worker thread: one {@link VerifyCore} per worker (one worker per analysis), driven by {@link VerifyRequest}s. */

const core = new VerifyCore();
const port = parentPort;
if (!port) throw new Error('verify-worker.js runs in a worker thread');
// Re-hashing the log yields the CPU to the service's event loop when both want it.
backgroundThread();
port.on('message', (request: VerifyRequest) => {
  try {
    const result = request.op === 'entries' ? core.entries(request.rows) : request.op === 'nodes' ? core.nodes(request.rows, request.size) : core.finish(request.size);
    port.postMessage({ id: request.id, result });
  } catch (error) {
    port.postMessage({ id: request.id, error: error instanceof Error ? error.message : String(error) });
  }
});
