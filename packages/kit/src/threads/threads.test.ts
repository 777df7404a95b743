import { readFileSync, readlinkSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { BACKGROUND_NICE, backgroundThread, workerExecArgv } from './index.js';

/** The nice value of a thread, field 19 of /proc/<pid>/task/<tid>/stat (after the parenthesised command name). */
function niceOf(tid: number): number {
  const stat = readFileSync(`/proc/${process.pid}/task/${tid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
}
const mainTid = (): number => Number(readlinkSync('/proc/thread-self').split('/').pop());

describe.runIf(process.platform === 'linux')('backgroundThread', () => {
  it('lowers the calling worker thread only, and leaves the main thread alone', async () => {
    const before = niceOf(mainTid());
    expect(backgroundThread()).toBe(false);
    const source = `
      const { parentPort } = require('node:worker_threads');
      const { readlinkSync } = require('node:fs');
      import(${JSON.stringify(new URL('../../dist/threads/index.js', import.meta.url).href)}).then((m) => {
        const lowered = m.backgroundThread();
        parentPort.postMessage({ lowered, tid: Number(readlinkSync('/proc/thread-self').split('/').pop()) });
        parentPort.once('message', () => process.exit(0));
      });`;
    // The built module (`npm test` builds first): a worker thread cannot load TypeScript on Node 20.
    const worker = new Worker(source, { eval: true });
    const { lowered, tid } = await new Promise<{ lowered: boolean; tid: number }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    expect(lowered).toBe(true);
    expect(niceOf(tid)).toBe(Math.min(19, before + BACKGROUND_NICE));
    expect(niceOf(mainTid())).toBe(before);
    worker.postMessage('done');
    await new Promise((resolve) => worker.once('exit', resolve));
  });
});

describe('workerExecArgv', () => {
  it('drops every spelling of --conditions and keeps the other flags in order', () => {
    expect(workerExecArgv(['--conditions', 'source', '--enable-source-maps', '--conditions=dev', '-C', 'x', '-C=y', '--max-old-space-size=512']))
      .toEqual(['--enable-source-maps', '--max-old-space-size=512']);
    expect(workerExecArgv([])).toEqual([]);
  });

  it('lets a worker started under vitest load built code that imports @maximus/kit', async () => {
    expect(process.execArgv.join(' ')).toMatch(/--conditions|-C/); // the situation this guards against
    const source = `
      const { parentPort } = require('node:worker_threads');
      import('@maximus/kit/threads').then((m) => parentPort.postMessage(typeof m.backgroundThread), (e) => parentPort.postMessage(String(e)));`;
    const worker = new Worker(source, { eval: true, execArgv: workerExecArgv() });
    const answer = await new Promise((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    expect(answer).toBe('function');
    await worker.terminate();
  });
});
