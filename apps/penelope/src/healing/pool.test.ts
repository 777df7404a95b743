import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createLogger } from '@maximus/kit/logger';
import { afterAll, describe, expect, it } from 'vitest';
import { AnalyserPool } from './pool.js';

const dir = mkdtempSync(join(tmpdir(), 'maximus-pool-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function workerFile(name: string, source: string): URL {
  const path = join(dir, name);
  writeFileSync(path, source);
  return pathToFileURL(path);
}

describe('AnalyserPool', () => {
  it('answers 503 instead of waiting forever when every worker dies before it is warm', async () => {
    const pool = new AnalyserPool({ workerUrl: workerFile('broken.mjs', 'throw new Error("cannot load the analysers");'), log: createLogger({ level: 'silent' }) });
    void pool.start();
    const started = performance.now();
    const error = await pool.run('analyse', {} as never).then(() => undefined, (e: unknown) => e);
    expect(error).toMatchObject({ code: 'PENELOPE_ERR_ANALYSER_UNAVAILABLE', statusCode: 503, retryAfterSeconds: 30 });
    expect(performance.now() - started).toBeLessThan(20_000);
    // While the workers keep failing, the next request fails at once.
    await expect(pool.run('analyse', {} as never)).rejects.toMatchObject({ code: 'PENELOPE_ERR_ANALYSER_UNAVAILABLE' });
    await pool.close();
  });

  it('runs jobs on a worker that answers, after its warm-up', async () => {
    const echo = workerFile('echo.mjs', `
      import { parentPort } from 'node:worker_threads';
      parentPort.on('message', (m) => parentPort.postMessage({ id: m.id, result: m.op === 'warm' ? {} : { echoed: m.payload } }));`);
    const pool = new AnalyserPool({ workerUrl: echo, log: createLogger({ level: 'silent' }) });
    await pool.start();
    expect(pool.warmMs).toBeGreaterThan(0);
    await expect(pool.run('analyse', { x: 1 } as never)).resolves.toEqual({ echoed: { x: 1 } });
    await pool.close();
  });
});
