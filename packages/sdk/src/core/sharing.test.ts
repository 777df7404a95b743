import { afterEach, describe, expect, it } from 'vitest';
import { Maximus } from '../client.js';
import { APIUserAbortError, InternalServerError, MaximusError } from '../errors.js';
import { sendJson, sendProblem, startServer, type Handler, type TestServer } from '../testing/http-server.js';
import type { ClientOptions } from './options.js';

// Coalescing of identical reads and the L1 response cache, against a real local server.
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(handler: Handler, options: ClientOptions = {}): Promise<{ server: TestServer; client: Maximus }> {
  const server = await startServer(handler);
  cleanups.push(() => server.close());
  const client = new Maximus({ baseURL: server.url, apiKey: 'k1', token: null, retry: { baseDelayMs: 1 }, ...options });
  cleanups.push(() => client.close());
  return { server, client };
}

interface Thing {
  n: number;
  list: number[];
}
const get = (client: Maximus, path = '/core/api/v1/things/1', options = {}) => client.request<Thing>({ method: 'GET', path }, options);
const later = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('coalescing', () => {
  it('serves 1,000 concurrent identical reads with one upstream request, each caller its own copy', async () => {
    const { server, client } = await setup((_req, res, i) => setTimeout(() => sendJson(res, 200, { n: i, list: [1, 2] }, { 'x-request-id': 'r1' }), 50));
    const results = await Promise.all(Array.from({ length: 1_000 }, () => get(client).withResponse()));
    expect(server.arrivals).toHaveLength(1);
    expect(results.every((r) => r.data.n === 0 && r.response.requestId === 'r1')).toBe(true);
    results[0]!.data.list.push(3);
    (results[0]!.response.headers as Record<string, unknown>)['x-request-id'] = 'changed';
    expect(results[1]!.data.list).toEqual([1, 2]);
    expect(results[1]!.response.requestId).toBe('r1');
    expect(results[1]!.response.headers['x-request-id']).toBe('r1');
    expect(client.coalescingStats()).toEqual({ started: 1, joined: 999, inFlight: 0 });
  });

  it('keeps reads apart that differ in URL, credentials or headers, and never shares writes', async () => {
    const { server, client } = await setup((_req, res) => setTimeout(() => sendJson(res, 200, { n: 1, list: [] }), 30));
    const other = client.withOptions({ apiKey: 'k2' });
    await Promise.all([
      get(client),
      get(client),
      get(client, '/core/api/v1/things/2'),
      get(other),
      get(client, '/core/api/v1/things/1', { headers: { 'x-tenant': 'b' } }),
      get(client, '/core/api/v1/things/1', { headers: { 'x-request-id': 'mine' } }), // a volatile header: shares
      get(client, '/core/api/v1/things/1', { coalesce: false }),
      client.request({ method: 'PUT', path: '/core/api/v1/things/1', body: {} }),
      client.request({ method: 'PUT', path: '/core/api/v1/things/1', body: {} }),
    ]);
    expect(server.arrivals).toHaveLength(7);
  });

  it('shares an error only with the calls that joined the failed request; the next call starts afresh', async () => {
    const { server, client } = await setup((_req, res, i) => setTimeout(() => (i === 0 ? sendProblem(res, 500, 'KIT_ERR_INTERNAL_ERROR') : sendJson(res, 200, { n: i, list: [] })), 30), { maxRetries: 0 });
    const joined = await Promise.all(Array.from({ length: 10 }, () => get(client).then(() => undefined, (e: unknown) => e)));
    expect(joined.every((e) => e instanceof InternalServerError)).toBe(true);
    await expect(get(client)).resolves.toMatchObject({ n: 1 });
    expect(server.arrivals).toHaveLength(2);
  });

  it('lets one caller abort without cancelling the request the others wait for; the last to leave cancels it', async () => {
    let closed = 0;
    const { server, client } = await setup((req, res) => {
      req.socket.once('close', () => closed++);
      setTimeout(() => sendJson(res, 200, { n: 1, list: [] }), 150);
    });
    const quitter = new AbortController();
    const a = get(client, '/core/api/v1/things/1', { signal: quitter.signal });
    const b = get(client);
    await later(30);
    quitter.abort();
    await expect(a).rejects.toBeInstanceOf(APIUserAbortError);
    await expect(b).resolves.toMatchObject({ n: 1 });
    expect(server.arrivals).toHaveLength(1);

    const both = [new AbortController(), new AbortController()];
    const calls = both.map((c) => get(client, '/core/api/v1/things/9', { signal: c.signal }).catch((e: unknown) => e));
    await later(30);
    both.forEach((c) => c.abort());
    expect((await Promise.all(calls)).every((e) => e instanceof APIUserAbortError)).toBe(true);
    await later(50);
    expect(closed).toBeGreaterThanOrEqual(1); // the shared request was cancelled: its connection closed
  });
});

describe('cache', () => {
  const rules = [{ prefix: '/core/api/v1/things', ttlMs: 200, staleWhileRevalidateMs: 0 }];

  it('answers repeated reads from L1 within the TTL, then asks again', async () => {
    const { server, client } = await setup((_req, res, i) => sendJson(res, 200, { n: i, list: [] }), { cache: { rules } });
    const first = await get(client).withResponse();
    expect(first.response.cache).toEqual({ hit: false, source: undefined, stale: false, ageMs: 0 });
    for (let i = 0; i < 99; i++) expect((await get(client)).n).toBe(0);
    const hit = await get(client).withResponse();
    expect(hit.response.cache).toMatchObject({ hit: true, source: 'l1', stale: false });
    expect(server.arrivals).toHaveLength(1);
    expect(client.cacheStats()).toMatchObject({ hits: 100, misses: 1, l1Hits: 100 });
    expect(client.cacheStats().hitRatio).toBeCloseTo(100 / 101, 5);
    await later(230);
    expect((await get(client)).n).toBe(1);
    expect(server.arrivals).toHaveLength(2);
  });

  it('gives every caller its own copy of a cached answer', async () => {
    const { client } = await setup((_req, res) => sendJson(res, 200, { n: 1, list: [1] }), { cache: { rules } });
    const a = await get(client);
    a.list.push(2);
    expect((await get(client)).list).toEqual([1]);
  });

  it('serves a stale answer at once while one background refresh runs (stale-while-revalidate)', async () => {
    const { server, client } = await setup((_req, res, i) => setTimeout(() => sendJson(res, 200, { n: i, list: [] }), i === 0 ? 0 : 400), {
      cache: { rules: [{ prefix: '/core/api/v1/things', ttlMs: 300, staleWhileRevalidateMs: 5_000 }] },
    });
    await get(client);
    await later(350);
    const started = performance.now();
    const stale = await Promise.all(Array.from({ length: 20 }, () => get(client).withResponse()));
    expect(performance.now() - started).toBeLessThan(300); // did not wait for the 400 ms refresh
    expect(stale.every((r) => r.data.n === 0 && r.response.cache?.stale === true)).toBe(true);
    await later(500);
    expect(server.arrivals).toHaveLength(2); // one refresh for twenty stale hits
    expect((await get(client)).n).toBe(1);
    expect(client.cacheStats()).toMatchObject({ staleHits: 20, revalidations: 20, misses: 1 });
  });

  it('makes one request for concurrent misses of a key even without coalescing (the stampede lock)', async () => {
    const { server, client } = await setup((_req, res, i) => setTimeout(() => sendJson(res, 200, { n: i, list: [] }), 50), { cache: { rules }, coalesce: false });
    const results = await Promise.all(Array.from({ length: 200 }, () => get(client)));
    expect(results.every((r) => r.n === 0)).toBe(true);
    expect(server.arrivals).toHaveLength(1);
  });

  it('invalidates the cached reads of a resource when a write to it goes through the client', async () => {
    const { server, client } = await setup((req, res, i) => sendJson(res, 200, { n: i, list: [], method: req.method }), {
      cache: { rules: [{ prefix: '/core/api/v1/governance', ttlMs: 60_000 }, { prefix: '/eikos/api/v1/ledger', ttlMs: 60_000 }] },
    });
    const stats = () => client.request<Thing>({ method: 'GET', path: '/core/api/v1/governance/stats' });
    const root = () => client.request<Thing>({ method: 'GET', path: '/eikos/api/v1/ledger/root' });
    expect((await stats()).n).toBe(0);
    expect((await root()).n).toBe(1);
    expect((await stats()).n).toBe(0);
    await client.request({ method: 'POST', path: '/core/api/v1/governance/decisions/7/approve', body: {} });
    expect((await stats()).n).toBe(3); // asked again
    expect((await root()).n).toBe(1); // another resource: still cached
    expect(server.arrivals.map((a) => a.method)).toEqual(['GET', 'GET', 'POST', 'GET']);
    expect(client.cacheStats().invalidations).toBe(1);
  });

  it('keeps a read that started before a write out of the cache', async () => {
    const { server, client } = await setup((req, res, i) => setTimeout(() => sendJson(res, 200, { n: i, list: [] }), req.method === 'GET' ? 80 : 0), { cache: { rules: [{ prefix: '/core/api/v1/things', ttlMs: 60_000 }] } });
    const read = get(client);
    await later(20);
    await client.request({ method: 'DELETE', path: '/core/api/v1/things/1' });
    await read;
    await get(client);
    expect(server.arrivals).toHaveLength(3);
  });

  it('caches a read only when asked, by a rule or by the call, and never an error or a no-store answer', async () => {
    const { server, client } = await setup((req, res, i) => {
      if (req.url === '/core/api/v1/fails') return sendProblem(res, 404, 'KIT_ERR_HTTP_NOT_FOUND');
      sendJson(res, 200, { n: i, list: [] }, req.url === '/core/api/v1/private' ? { 'cache-control': 'no-store' } : {});
    });
    await get(client);
    await get(client);
    expect(server.arrivals).toHaveLength(2); // no rule, no call policy: not cached
    await get(client, '/core/api/v1/things/1', { cache: { ttlMs: 10_000 } });
    await get(client, '/core/api/v1/things/1', { cache: { ttlMs: 10_000 } });
    expect(server.arrivals).toHaveLength(3);
    await get(client, '/core/api/v1/private', { cache: { ttlMs: 10_000 } });
    await get(client, '/core/api/v1/private', { cache: { ttlMs: 10_000 } });
    expect(server.arrivals).toHaveLength(5);
    for (let i = 0; i < 2; i++) await get(client, '/core/api/v1/fails', { cache: { ttlMs: 10_000 } }).catch((e: unknown) => expect(e).toBeInstanceOf(MaximusError));
    expect(server.arrivals).toHaveLength(7);
    const off = client.withOptions({ cache: false });
    await get(off, '/core/api/v1/things/1', { cache: { ttlMs: 10_000 } });
    expect(server.arrivals).toHaveLength(8);
    expect(off.cacheStats().hitRatio).toBe(0);
  });
});
