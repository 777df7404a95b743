import { afterEach, describe, expect, it } from 'vitest';
import Maximus, { DEFAULTS, MaximusError } from './index.js';
import { sendJson, startServer, type TestServer } from './testing/http-server.js';

const ENV_NAMES = ['MAXIMUS_URL', 'MAXIMUS_API_KEY', 'MAXIMUS_TOKEN'] as const;
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

  it('fails calls made after close() with SDK_ERR_CLIENT_CLOSED, without retrying', async () => {
    const server = await echoServer();
    const client = new Maximus({ baseURL: server.url });
    await client.close();
    const error: unknown = await client.request({ method: 'GET', path: '/x' }).catch((e: unknown) => e);
    expect((error as MaximusError).code).toBe('SDK_ERR_CLIENT_CLOSED');
    expect(server.arrivals).toHaveLength(0);
  });
});
