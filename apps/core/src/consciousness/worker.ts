import { parentPort } from 'node:worker_threads';
import { backgroundThread } from '@maximus/kit/threads';
import { perform, type WorkRequest } from './work.js';

/** The consciousness worker thread: ignitions (Kuramoto) and TIG metrics, one request at a time, kept warm. */
const port = parentPort;
if (!port) throw new Error('worker.js runs in a worker thread');
// Ignitions and metrics yield the CPU to the service's event loop when both want it.
backgroundThread();
port.on('message', (message: WorkRequest & { id: number }) => {
  try {
    port.postMessage({ id: message.id, result: perform(message) });
  } catch (error) {
    port.postMessage({ id: message.id, error: error instanceof Error ? error.message : String(error) });
  }
});
