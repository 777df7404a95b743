import { getEventListeners } from 'node:events';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Maximus } from '../client.js';
import { sendJson, startServer, type TestServer } from '../testing/http-server.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function settledHeap(): number {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
}

// 100k calls through one client with one long-lived AbortSignal: the signal's listeners and the heap must stay flat.
describe('no listener or memory leak', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer((req, res) => sendJson(res, 200, { ok: true, url: req.url }), { record: false });
  });
  afterAll(() => server?.close());

  it('after 100k calls sharing one AbortSignal', { timeout: 300_000 }, async () => {
    const client = new Maximus({ baseURL: server.url, apiKey: 'k', token: null, connections: 32 });
    const controller = new AbortController();
    const { signal } = controller;
    const total = 100_000;
    const concurrency = 64;
    let maxListeners = 0;
    let heapAt10k = 0;
    let done = 0;
    async function worker(id: number): Promise<void> {
      for (let i = id; i < total; i += concurrency) {
        // Distinct paths (no coalescing), a read and now and then a write, all with the same signal.
        if (i % 10 === 0) await client.request({ method: 'POST', path: '/core/api/v1/things', body: { i } }, { signal });
        else await client.request({ method: 'GET', path: `/core/api/v1/things/${i}` }, { signal });
        done += 1;
        if (done % 1_000 === 0) maxListeners = Math.max(maxListeners, getEventListeners(signal, 'abort').length);
        if (done === 10_000) heapAt10k = settledHeap();
      }
    }
    await Promise.all(Array.from({ length: concurrency }, (_, id) => worker(id)));
    const heapAt100k = settledHeap();
    expect(server.requests).toBe(total);
    // One listener however many calls wait on the signal, none left afterwards.
    expect(maxListeners).toBe(1);
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
    // 90k more calls may not keep their garbage: a few MB at most (a leak of one small object per call is 10+ MB).
    expect(heapAt100k - heapAt10k).toBeLessThan(8 * 1024 * 1024);
    await client.close();
  });
});
