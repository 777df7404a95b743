import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { isMainThread } from 'node:worker_threads';

/** The niceness `backgroundThread()` gives a worker: on Linux the main thread wins about 9 of 10 contended slices. */
export const BACKGROUND_NICE = 10;

/**
 * Marks the calling worker thread as background work: on Linux it lowers this thread's scheduling priority (its
 * nice value, like `nice -n 10`), so that when the cores are busy the service's event loop is scheduled first and
 * request latency does not pay for a long computation. The worker still gets every idle cycle. Elsewhere (another
 * OS, or a sandbox that refuses `setpriority`) it does nothing and says so by returning `false`.
 *
 * Call it once, at the top of a worker thread's module.
 * @example
 * // worker.ts
 * import { backgroundThread } from '@maximus/kit/threads';
 * backgroundThread();
 * parentPort!.on('message', (m) => parentPort!.postMessage(compute(m)));
 */
export function backgroundThread(nice = BACKGROUND_NICE): boolean {
  if (isMainThread || process.platform !== 'linux') return false;
  try {
    // `/proc/thread-self` → `<pid>/task/<tid>`: Linux schedules threads as tasks, and setpriority(2) takes a tid.
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (!Number.isInteger(tid) || tid <= 0) return false;
    setPriority(tid, nice);
    return true;
  } catch {
    return false;
  }
}

/**
 * The Node flags for a worker thread that runs built code (`dist/`): the parent's flags without `--conditions`.
 * A worker inherits its parent's `execArgv`; under vitest that includes `--conditions source`, which would resolve
 * `@maximus/kit/*` inside the worker to `.ts` sources that Node 20 cannot load (`ERR_UNKNOWN_FILE_EXTENSION`).
 * @example
 * new Worker(new URL('./worker.js', import.meta.url), { execArgv: workerExecArgv() });
 */
export function workerExecArgv(execArgv: readonly string[] = process.execArgv): string[] {
  const argv: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i]!;
    if (arg === '--conditions' || arg === '-C') i++;
    else if (!arg.startsWith('--conditions=') && !arg.startsWith('-C=')) argv.push(arg);
  }
  return argv;
}
