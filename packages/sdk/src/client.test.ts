import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Maximus, { DEFAULTS, MaximusError, SDK_ENV_VARS, TimeoutError } from './index.js';
import { sendJson, startProxy, startServer, type TestServer } from './testing/http-server.js';

const ENV_NAMES = Object.keys(SDK_ENV_VARS) as (keyof typeof SDK_ENV_VARS)[];
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function echoServer(): Promise<TestServer> {
  const server = await startServer((_req, res) => sendJson(res, 200, { ok: true }));
  cleanups.push(() => server.close());
  return server;
}

function track(client: Maximus): Maximus {
  cleanups.push(() => client.close());
  return client;
}

/** Sets the variables for one test and restores the previous values after it. */
function withEnv(values: Partial<Record<(typeof ENV_NAMES)[number], string>>): void {
  const saved = Object.fromEntries(ENV_NAMES.map((name) => [name, process.env[name]]));
  for (const name of ENV_NAMES) delete process.env[name];
  Object.assign(process.env, values);
  cleanups.push(() => {
    for (const name of ENV_NAMES) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
    return Promise.resolve();
  });
}

describe('options', () => {
  it('documents its defaults in the resolved options', () => {
    withEnv({});
    const client = track(new Maximus());
    expect(client.options).toMatchObject({
      baseURL: 'http://127.0.0.1:8000',
      apiKey: null,
      token: null,
      timeout: 60_000,
      deadline: 120_000,
      maxRetries: 2,
      retry: { baseDelayMs: 500, maxDelayMs: 8_000, maxRetryAfterMs: 60_000 },
      connections: 200,
    });
    expect(client.options.retry).toEqual(DEFAULTS.retry);
  });

  it('reads MAXIMUS_URL, MAXIMUS_API_KEY and MAXIMUS_TOKEN when the options are absent', async () => {
    const server = await echoServer();
    withEnv({ MAXIMUS_URL: server.url, MAXIMUS_API_KEY: 'key-from-env', MAXIMUS_TOKEN: 'token-from-env' });
    const client = track(new Maximus());
    await client.request({ method: 'GET', path: '/x' });
    expect(server.arrivals[0]!.headers['x-api-key']).toBe('key-from-env');
    expect(server.arrivals[0]!.headers.authorization).toBe('Bearer token-from-env');
  });

  it('prefers explicit options to the environment, and null sends no credential', async () => {
    const server = await echoServer();
    withEnv({ MAXIMUS_URL: 'http://127.0.0.1:1', MAXIMUS_API_KEY: 'key-from-env', MAXIMUS_TOKEN: 'token-from-env' });
    const client = track(new Maximus({ baseURL: server.url, apiKey: 'explicit', token: null }));
    await client.request({ method: 'GET', path: '/x' });
    expect(server.arrivals[0]!.headers['x-api-key']).toBe('explicit');
    expect(server.arrivals[0]!.headers.authorization).toBeUndefined();
  });

  it('reads MAXIMUS_TIMEOUT_MS and MAXIMUS_MAX_RETRIES', async () => {
    const server = await startServer(() => {}); // never answers
    cleanups.push(() => server.close());
    withEnv({ MAXIMUS_URL: server.url, MAXIMUS_TIMEOUT_MS: '80', MAXIMUS_MAX_RETRIES: '1' });
    const client = track(new Maximus({ retry: { baseDelayMs: 1 } }));
    expect(client.options).toMatchObject({ timeout: 80, maxRetries: 1 });
    const error = await client.request({ method: 'GET', path: '/x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(server.arrivals).toHaveLength(2);
  });

  it('reads the TLS files named by MAXIMUS_CA_FILE, MAXIMUS_CLIENT_CERT_FILE and MAXIMUS_CLIENT_KEY_FILE, and names a missing one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'maximus-sdk-tls-'));
    for (const name of ['ca.crt', 'client.crt', 'client.key']) writeFileSync(join(dir, name), `PEM of ${name}`);
    withEnv({ MAXIMUS_CA_FILE: join(dir, 'ca.crt'), MAXIMUS_CLIENT_CERT_FILE: join(dir, 'client.crt'), MAXIMUS_CLIENT_KEY_FILE: join(dir, 'client.key') });
    const client = track(new Maximus());
    expect(String(client.options.tls?.ca)).toBe('PEM of ca.crt');
    expect(String(client.options.tls?.cert)).toBe('PEM of client.crt');
    expect(String(client.options.tls?.key)).toBe('PEM of client.key');
    withEnv({ MAXIMUS_CA_FILE: join(dir, 'missing.crt') });
    expect(() => new Maximus()).toThrow(expect.objectContaining({ code: 'SDK_ERR_OPTIONS_INVALID', message: expect.stringContaining('MAXIMUS_CA_FILE') }));
  });

  it('goes through an HTTP proxy given as `proxy` or MAXIMUS_PROXY', async () => {
    const server = await echoServer();
    const proxy = await startProxy();
    cleanups.push(() => proxy.close());
    const client = track(new Maximus({ baseURL: server.url, proxy: proxy.url }));
    await expect(client.request({ method: 'GET', path: '/x' })).resolves.toEqual({ ok: true });
    expect(proxy.targets).toEqual([new URL(server.url).host]);
    withEnv({ MAXIMUS_PROXY: proxy.url });
    const fromEnv = track(new Maximus({ baseURL: server.url }));
    expect(fromEnv.options.proxy).toBe(proxy.url);
    await fromEnv.request({ method: 'GET', path: '/y' });
    expect(proxy.targets).toHaveLength(2);
    expect(server.arrivals.map((a) => a.url)).toEqual(['/x', '/y']);
  });

  it('keeps a path prefix of baseURL', async () => {
    const server = await echoServer();
    const client = track(new Maximus({ baseURL: `${server.url}/maximus/` }));
    await client.request({ method: 'GET', path: '/health' });
    expect(server.arrivals[0]!.url).toBe('/maximus/health');
  });

  it('sends default headers, which a call can override or remove', async () => {
    const server = await echoServer();
    const client = track(new Maximus({ baseURL: server.url, defaultHeaders: { 'X-Tenant': 'a', 'X-Trace': 't' } }));
    await client.request({ method: 'GET', path: '/x' }, { headers: { 'x-tenant': 'b', 'X-Trace': null } });
    expect(server.arrivals[0]!.headers['x-tenant']).toBe('b');
    expect(server.arrivals[0]!.headers['x-trace']).toBeUndefined();
    expect(server.arrivals[0]!.headers['user-agent']).toMatch(/^maximus-sdk\//);
  });

  it.each([
    [{ timeout: 0 }, 'timeout'],
    [{ maxRetries: 1.5 }, 'maxRetries'],
    [{ connections: 0 }, 'connections'],
    [{ retry: { baseDelayMs: -1 } }, 'retry.baseDelayMs'],
    [{ baseURL: 'ftp://host' }, 'baseURL'],
    [{ baseURL: 'not a url' }, 'baseURL'],
    [{ retry: { jitter: 'none' as 'full' } }, 'retry.jitter'],
    [{ retryBudget: { ratio: -1 } }, 'retryBudget.ratio'],
    [{ circuitBreaker: { failureRateThreshold: 2 } }, 'circuitBreaker.failureRateThreshold'],
    [{ circuitBreaker: { openMs: 10_000, maxOpenMs: 5_000 } }, 'circuitBreaker.maxOpenMs'],
    [{ batching: { maxBatchSize: 0 } }, 'batching.maxBatchSize'],
    [{ cache: { rules: [{ prefix: 'no-slash', ttlMs: 1 }] } }, 'cache.rules[0].prefix'],
    [{ cache: { redis: {} as never } }, 'cache.redis'],
    [{ proxy: 'socks5://proxy:1080' }, 'proxy'],
    [{ upstreamScope: 'host' as 'origin' }, 'upstreamScope'],
    [{ tracing: { tracer: {} } as never }, 'tracing'],
  ])('rejects %o', (options, name) => {
    expect(() => new Maximus(options)).toThrow(expect.objectContaining({ code: 'SDK_ERR_OPTIONS_INVALID', message: expect.stringContaining(name) }));
  });

  it('rejects an invalid per-call option as a rejected call', async () => {
    const client = track(new Maximus());
    const error: unknown = await client.request({ method: 'GET', path: '/x' }, { deadline: -1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MaximusError);
    expect((error as MaximusError).code).toBe('SDK_ERR_OPTIONS_INVALID');
  });
});

describe('withOptions and close', () => {
  it('clones with changed options, sharing the connection pool', async () => {
    const server = await echoServer();
    const client = track(new Maximus({ baseURL: server.url, defaultHeaders: { 'x-a': '1' } }));
    const clone = client.withOptions({ timeout: 5_000, defaultHeaders: { 'x-b': '2' } });
    expect(clone.options).toMatchObject({ timeout: 5_000, baseURL: server.url, deadline: client.options.deadline });
    expect(clone.options.dispatcher).toBe(client.options.dispatcher);
    await client.request({ method: 'GET', path: '/x' });
    await new Promise((resolve) => setTimeout(resolve, 20)); // undici frees the connection a tick after the answer
    await clone.request({ method: 'GET', path: '/x' });
    expect(server.arrivals[1]!.headers).toMatchObject({ 'x-a': '1', 'x-b': '2' });
    expect(server.connections).toBe(1); // the clone reused the original's keep-alive connection
    await clone.close(); // not its pool: a no-op
    await expect(client.request({ method: 'GET', path: '/x' })).resolves.toEqual({ ok: true });
  });

  it('gives the clone a pool of its own when connections change', async () => {
    const server = await echoServer();
    const client = track(new Maximus({ baseURL: server.url }));
    const clone = track(client.withOptions({ connections: 4 }));
    expect(clone.options.dispatcher).not.toBe(client.options.dispatcher);
    await client.close();
    await expect(clone.request({ method: 'GET', path: '/x' })).resolves.toEqual({ ok: true });
  });

  it('shares breakers, cache and in-flight reads with its clones, unless their options change', async () => {
    const server = await echoServer();
    const client = track(new Maximus({ baseURL: server.url, cache: { rules: [{ prefix: '/core', ttlMs: 60_000 }] } }));
    const clone = client.withOptions({ timeout: 5_000 });
    await client.request({ method: 'GET', path: '/core/api/v1/x' });
    await clone.request({ method: 'GET', path: '/core/api/v1/x' });
    expect(server.arrivals).toHaveLength(1); // the clone read the original's cache
    expect(clone.breakers()).toEqual(client.breakers());
    expect(clone.cacheStats()).toEqual(client.cacheStats());
    const own = client.withOptions({ cache: { rules: [{ prefix: '/core', ttlMs: 60_000 }] }, circuitBreaker: { minimumRequests: 5 } });
    await own.request({ method: 'GET', path: '/core/api/v1/x' });
    expect(server.arrivals).toHaveLength(2);
    expect(own.breakers()[0]!.requests).toBe(1);
    expect(client.breakers()[0]!.requests).toBe(1);
  });

  it('fails calls made after close() with SDK_ERR_CLIENT_CLOSED, without retrying', async () => {
    const server = await echoServer();
    const client = new Maximus({ baseURL: server.url });
    await client.close();
    const error: unknown = await client.request({ method: 'GET', path: '/x' }).catch((e: unknown) => e);
    expect((error as MaximusError).code).toBe('SDK_ERR_CLIENT_CLOSED');
    expect(server.arrivals).toHaveLength(0);
  });
});
