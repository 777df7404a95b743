import { freePort, REDIS_SERVER, sleep, startRedis, waitFor, type PrivateServer } from '../../../../test/servers.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLog, tempDir, TEST_REDIS_URL, uniqueName } from '../../../../test/helpers.js';
import { createMemoryCache, createRedisCache, type Cache } from './index.js';


function contract(kind: Cache['kind'], open: () => Cache) {
  let cache: Cache;
  beforeAll(() => {
    cache = open();
  });
  afterAll(async () => {
    await cache?.close();
  });

  it('is the kind it says and reports healthy', async () => {
    await waitFor(async () => (await cache.health()).status === 'healthy', 5000, 'the cache is healthy');
    expect(cache.kind).toBe(kind);
    expect(await cache.health()).toMatchObject({ status: 'healthy', kind });
  });

  it('returns what was set, as a copy of the JSON', async () => {
    const value = { name: 'x', n: 42, ok: true, list: [1, 'two', { three: null }], nested: { deep: { er: 'y' } } };
    await cache.set('obj', value, 60_000);
    const got = await cache.get<typeof value>('obj');
    expect(got).toEqual(value);
    expect(got).not.toBe(value);
    await cache.set('str', 'plain', 60_000);
    await cache.set('num', 0, 60_000);
    expect(await cache.get('str')).toBe('plain');
    expect(await cache.get('num')).toBe(0);
  });

  it('answers undefined for a key never set', async () => {
    expect(await cache.get('never-set')).toBeUndefined();
  });

  it('forgets an entry once its TTL has passed', async () => {
    await cache.set('short', { v: 1 }, 150);
    expect(await cache.get('short')).toEqual({ v: 1 });
    await sleep(400);
    expect(await cache.get('short')).toBeUndefined();
  });

  it('deletes an entry, and deleting a missing key is fine', async () => {
    await cache.set('gone', 'soon', 60_000);
    await cache.delete('gone');
    expect(await cache.get('gone')).toBeUndefined();
    await expect(cache.delete('gone')).resolves.toBeUndefined();
  });

  it('overwrites an entry, value and TTL', async () => {
    await cache.set('key', { v: 1 }, 150);
    await cache.set('key', { v: 2 }, 60_000);
    await sleep(300);
    expect(await cache.get('key')).toEqual({ v: 2 });
  });
}

describe('memory cache', () => {
  contract('memory', () => createMemoryCache());
});

describe.skipIf(!TEST_REDIS_URL)('redis cache (shared server)', () => {
  contract('redis', () => createRedisCache({ url: TEST_REDIS_URL ?? '', keyPrefix: `${uniqueName('maximus_test')}:`, log: silentLog }));

  it('keeps keys of different prefixes apart', async () => {
    const a = createRedisCache({ url: TEST_REDIS_URL ?? '', keyPrefix: `${uniqueName('maximus_test')}:`, log: silentLog });
    const b = createRedisCache({ url: TEST_REDIS_URL ?? '', keyPrefix: `${uniqueName('maximus_test')}:`, log: silentLog });
    try {
      await waitFor(async () => (await a.health()).status === 'healthy' && (await b.health()).status === 'healthy', 5000, 'both connect');
      await a.set('same', 'a', 60_000);
      expect(await b.get('same')).toBeUndefined();
      expect(await a.get('same')).toBe('a');
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

describe.skipIf(!REDIS_SERVER)('redis cache (private server that stops and starts)', () => {
  let server: PrivateServer | undefined;
  let cache: Cache | undefined;
  const unhandled: unknown[] = [];
  const record = (error: unknown) => void unhandled.push(error);

  beforeAll(() => {
    process.on('unhandledRejection', record);
    process.on('uncaughtException', record);
  });
  afterAll(async () => {
    process.off('unhandledRejection', record);
    process.off('uncaughtException', record);
    await cache?.close();
    await server?.stop();
  });

  it('fails fast while Redis is down, reports down, and works again once it is back', async () => {
    const port = await freePort();
    const dir = tempDir('redis');
    server = await startRedis(port, dir);
    cache = createRedisCache({ url: `redis://127.0.0.1:${port}`, keyPrefix: 'private:', log: silentLog });
    await waitFor(async () => (await cache!.health()).status === 'healthy', 5000, 'the cache connects');
    await cache.set('k', { v: 1 }, 60_000);
    expect(await cache.get('k')).toEqual({ v: 1 });

    await server.stop();
    const t0 = Date.now();
    const failure = await cache.get('k').catch((error: unknown) => error);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(failure).toMatchObject({ code: 'KIT_ERR_CACHE_UNAVAILABLE' });
    expect((failure as Error).cause).toBeDefined();
    await expect(cache.set('k', 1, 1000)).rejects.toMatchObject({ code: 'KIT_ERR_CACHE_UNAVAILABLE' });
    const health = await cache.health();
    expect(health).toMatchObject({ status: 'down', kind: 'redis' });
    expect(health.error).toBeTruthy();
    await sleep(1500); // a few reconnect attempts fail meanwhile; none may surface as an unhandled error

    server = await startRedis(port, dir);
    await waitFor(
      () =>
        cache!.set('k2', { v: 2 }, 60_000).then(
          () => true,
          () => false,
        ),
      8000,
      'set works again',
    );
    expect(await cache.get('k2')).toEqual({ v: 2 });
    expect((await cache.health()).status).toBe('healthy');
    expect(unhandled).toEqual([]);
  });

  it('never shows the password of the URL in its errors', async () => {
    const port = await freePort(); // nothing listens there
    const password = 'hunter2-very-secret';
    const noServer = createRedisCache({ url: `redis://user:${password}@127.0.0.1:${port}`, log: silentLog });
    try {
      const failure = (await noServer.get('x').catch((error: unknown) => error)) as Error;
      expect(failure).toMatchObject({ code: 'KIT_ERR_CACHE_UNAVAILABLE' });
      const health = await noServer.health();
      expect(health.status).toBe('down');
      expect(`${failure.message} ${String(failure.stack)} ${health.error}`).not.toContain(password);
    } finally {
      await noServer.close();
    }
  });
});
