import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Maximus } from '../client.js';
import { sendJson, startServer, type TestServer } from '../testing/http-server.js';
import type { ClientOptions } from './options.js';

/** A real Redis, as CI provides (`MAXIMUS_TEST_REDIS_URL`); the suite skips without one. */
const TEST_REDIS_URL = process.env.MAXIMUS_TEST_REDIS_URL;

// The SDK's L2 cache on a real Redis, shared by clients that stand for separate processes (each its own L1).
describe.skipIf(!TEST_REDIS_URL)('SDK L2 cache on Redis', () => {
  let redis: Redis;
  let server: TestServer;
  const clients: Maximus[] = [];
  const keyPrefix = `maximus:sdk-test:${randomUUID()}:`;

  beforeAll(async () => {
    redis = new Redis(TEST_REDIS_URL!, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    server = await startServer((req, res, i) => setTimeout(() => sendJson(res, 200, { n: i, url: req.url }), req.url?.includes('slow') ? 200 : 0));
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await server?.close();
    const keys = await redis.keys(`${keyPrefix}*`);
    if (keys.length) await redis.del(...keys);
    await redis?.quit();
  });

  /** A client as another process would have: its own L1, the shared Redis. */
  function process_(options: ClientOptions = {}): Maximus {
    const client = new Maximus({ baseURL: server.url, apiKey: 'k', token: null, cache: { redis, keyPrefix, lockMs: 2_000, rules: [{ prefix: '/core/api/v1/things', ttlMs: 60_000 }] }, ...options });
    clients.push(client);
    return client;
  }
  const read = (client: Maximus, path = '/core/api/v1/things/1') => client.request<{ n: number }>({ method: 'GET', path }).withResponse();

  it('serves a second process from L2, then from its own L1', async () => {
    const [a, b] = [process_(), process_()];
    const first = await read(a);
    expect(first.response.cache?.hit).toBe(false);
    const fromL2 = await read(b);
    expect(fromL2.data).toEqual(first.data);
    expect(fromL2.response.cache).toMatchObject({ hit: true, source: 'l2' });
    const fromL1 = await read(b);
    expect(fromL1.response.cache).toMatchObject({ hit: true, source: 'l1' });
    expect(server.arrivals.filter((x) => x.url === '/core/api/v1/things/1')).toHaveLength(1);
    expect(b.cacheStats()).toMatchObject({ l2Hits: 1, l1Hits: 1, misses: 0 });
  });

  it('lets one process refresh a key while the others wait for its answer (the SET NX PX lock)', async () => {
    const processes = Array.from({ length: 5 }, () => process_());
    const answers = await Promise.all(processes.map((p) => read(p, '/core/api/v1/things/slow')));
    expect(new Set(answers.map((x) => x.data.n)).size).toBe(1);
    expect(server.arrivals.filter((x) => x.url === '/core/api/v1/things/slow')).toHaveLength(1);
    expect(answers.filter((x) => x.response.cache?.source === 'l2')).toHaveLength(4);
  });

  it('invalidates every process’s L2 view of a resource when one writes to it', async () => {
    const [writer, other] = [process_(), process_()];
    const path = '/core/api/v1/things/2';
    await read(writer, path);
    expect((await read(other, path)).response.cache?.source).toBe('l2');
    await writer.request({ method: 'PATCH', path: '/core/api/v1/things/2', body: {} });
    // `other` has the old answer in its L1 until the TTL; a third process sees the invalidation in L2 at once.
    const third = process_();
    expect((await read(third, path)).response.cache?.hit).toBe(false);
    expect(server.arrivals.filter((x) => x.url === path && x.method === 'GET')).toHaveLength(2);
  });

  it('counts a Redis that fails as misses, never as failed calls', async () => {
    const broken = new Redis('redis://127.0.0.1:1', { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
    const client = new Maximus({ baseURL: server.url, apiKey: 'k', token: null, cache: { redis: broken, keyPrefix, rules: [{ prefix: '/core', ttlMs: 60_000 }] } });
    clients.push(client);
    await expect(client.request({ method: 'GET', path: '/core/api/v1/things/3' })).resolves.toMatchObject({ url: '/core/api/v1/things/3' });
    await expect(client.request({ method: 'GET', path: '/core/api/v1/things/3' })).resolves.toBeDefined();
    expect(client.cacheStats()).toMatchObject({ l1Hits: 1 });
    expect(client.cacheStats().l2Errors).toBeGreaterThan(0);
    broken.disconnect();
  });
});
