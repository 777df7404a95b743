import { afterEach, describe, expect, it } from 'vitest';
import { Maximus } from '../client.js';
import type { ClientOptions } from './options.js';
import {
  APIUserAbortError,
  BadRequestError,
  ConflictError,
  ConnectionError,
  InternalServerError,
  MaximusError,
  NotFoundError,
  RateLimitError,
  ServiceUnavailableError,
  TimeoutError,
} from '../errors.js';
import { closedPortUrl, sendJson, sendProblem, startServer, type Handler, type TestServer } from '../testing/http-server.js';

const FAST_RETRY = { baseDelayMs: 5, maxDelayMs: 20 };
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(handler: Handler, options: ClientOptions = {}): Promise<{ server: TestServer; client: Maximus }> {
  const server = await startServer(handler);
  cleanups.push(() => server.close());
  const client = new Maximus({ baseURL: server.url, retry: FAST_RETRY, ...options });
  cleanups.push(() => client.close());
  return { server, client };
}

async function rejection(promise: Promise<unknown>): Promise<MaximusError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof MaximusError)) throw new Error(`expected a MaximusError, got ${String(error)}`);
  return error;
}

/**
 * Watches how late this process runs its timers (a loaded CI machine delays them all), so that the timing
 * assertions measure the SDK and not the machine. `stop()` gives the worst lateness seen, in ms.
 */
function watchTimerLateness(): { stop(): number } {
  let worst = 0;
  let last = performance.now();
  const interval = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last - 5);
    last = now;
  }, 5);
  return {
    stop() {
      clearInterval(interval);
      return worst;
    },
  };
}

/** Aborts after `ms`; resolves with the time it did. */
function abortAfter(controller: AbortController, ms: number): Promise<number> {
  return new Promise((resolve) =>
    setTimeout(() => {
      resolve(performance.now());
      controller.abort();
    }, ms),
  );
}

const get = (client: Maximus, options = {}) => client.request<{ ok: boolean }>({ method: 'GET', path: '/thing' }, options);

describe('retries', () => {
  it('retries 503 twice, then returns the third answer', async () => {
    const { server, client } = await setup((_req, res, i) => (i < 2 ? sendProblem(res, 503, 'CORE_ERR_DB_UNAVAILABLE') : sendJson(res, 200, { ok: true })));
    await expect(get(client)).resolves.toEqual({ ok: true });
    expect(server.arrivals).toHaveLength(3);
  });

  it('retries 408 and 429 as well', async () => {
    const { server, client } = await setup((_req, res, i) => (i === 0 ? sendProblem(res, 408, 'KIT_ERR_HTTP_TIMEOUT') : i === 1 ? sendProblem(res, 429, 'KIT_ERR_RATE_LIMITED') : sendJson(res, 200, { ok: true })));
    await expect(get(client)).resolves.toEqual({ ok: true });
    expect(server.arrivals).toHaveLength(3);
  });

  it('gives up on a persistent 500 after maxRetries + 1 attempts, with the code and request id of the problem', async () => {
    const { server, client } = await setup((_req, res) => sendProblem(res, 500, 'KIT_ERR_INTERNAL_ERROR'), { maxRetries: 3 });
    const error = await rejection(get(client));
    expect(error).toBeInstanceOf(InternalServerError);
    expect(error).toMatchObject({ status: 500, code: 'KIT_ERR_INTERNAL_ERROR', requestId: 'req-kit_err_internal_error' });
    expect(server.arrivals).toHaveLength(4);
  });

  it('never retries 409', async () => {
    const { server, client } = await setup((_req, res) => sendProblem(res, 409, 'CORE_ERR_DECISION_ALREADY_DECIDED'));
    const error = await rejection(get(client));
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.code).toBe('CORE_ERR_DECISION_ALREADY_DECIDED');
    expect(server.arrivals).toHaveLength(1);
  });

  it('exposes the validation errors of a 400, without retrying', async () => {
    const errors = [{ pointer: '/body/query', message: 'is required' }];
    const { server, client } = await setup((_req, res) => sendProblem(res, 400, 'KIT_ERR_REQUEST_VALIDATION', { errors }));
    const error = await rejection(get(client));
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as BadRequestError).errors).toEqual(errors);
    expect(server.arrivals).toHaveLength(1);
  });

  it('waits the Retry-After seconds of a 429', async () => {
    const { server, client } = await setup((_req, res, i) => (i === 0 ? sendProblem(res, 429, 'KIT_ERR_RATE_LIMITED', {}, { 'retry-after': '1' }) : sendJson(res, 200, { ok: true })));
    await expect(get(client)).resolves.toEqual({ ok: true });
    const [first, second] = server.arrivals;
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(950);
  });

  it('honours retry-after-ms instead of its own backoff', async () => {
    const { server, client } = await setup(
      (_req, res, i) => (i === 0 ? sendProblem(res, 503, 'CORE_ERR_DB_UNAVAILABLE', {}, { 'retry-after-ms': '50' }) : sendJson(res, 200, { ok: true })),
      { retry: { baseDelayMs: 0 } }, // its own backoff would be 0 ms
    );
    await get(client);
    const [first, second] = server.arrivals;
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(45);
    expect(second!.at - first!.at).toBeLessThan(500);
  });

  it('caps a long Retry-After at maxRetryAfterMs', async () => {
    const { server, client } = await setup(
      (_req, res, i) => (i === 0 ? sendProblem(res, 429, 'KIT_ERR_RATE_LIMITED', {}, { 'retry-after': '30' }) : sendJson(res, 200, { ok: true })),
      { retry: { maxRetryAfterMs: 100 } },
    );
    await expect(get(client)).resolves.toEqual({ ok: true });
    const [first, second] = server.arrivals;
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(95);
    expect(second!.at - first!.at).toBeLessThan(1000);
  });

  it('fails at once with RateLimitError when Retry-After (an HTTP date) lies beyond the deadline', async () => {
    const until = new Date(Date.now() + 30_000).toUTCString();
    const { server, client } = await setup((_req, res) => sendProblem(res, 429, 'KIT_ERR_RATE_LIMITED', {}, { 'retry-after': until }), { deadline: 5_000 });
    const started = performance.now();
    const error = await rejection(get(client));
    expect(performance.now() - started).toBeLessThan(500);
    expect(error).toBeInstanceOf(RateLimitError);
    // An HTTP date has one-second resolution.
    expect((error as RateLimitError).retryAfterMs).toBeGreaterThan(28_000);
    expect((error as RateLimitError).retryAfterMs).toBeLessThanOrEqual(30_000);
    expect(server.arrivals).toHaveLength(1);
  });

  it('fails at once with the status error when a 503 asks to wait beyond the deadline', async () => {
    const { server, client } = await setup((_req, res) => sendProblem(res, 503, 'CORE_ERR_DB_UNAVAILABLE', {}, { 'retry-after': '10' }), { deadline: 2_000 });
    const started = performance.now();
    const error = await rejection(get(client));
    expect(performance.now() - started).toBeLessThan(500);
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect(server.arrivals).toHaveLength(1);
  });
});

describe('connection errors', () => {
  it('retries a server that drops the connection, then throws ConnectionError', async () => {
    const { server, client } = await setup((req) => req.socket.destroy());
    const error = await rejection(get(client));
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.code).toBe('SDK_ERR_CONNECTION_FAILED');
    expect(error.cause).toBeDefined();
    expect(server.arrivals).toHaveLength(3);
  });

  it('throws ConnectionError when nothing listens on the port', async () => {
    const client = new Maximus({ baseURL: await closedPortUrl(), retry: FAST_RETRY });
    cleanups.push(() => client.close());
    const error = await rejection(get(client));
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error.cause as { code?: string }).code).toBe('ECONNREFUSED');
  });
});

describe('timeouts and the deadline', () => {
  it('rejects with TimeoutError at the deadline, aborting the attempt in flight', async () => {
    const { server, client } = await setup(() => {}, { deadline: 300, timeout: 1_000 });
    const lateness = watchTimerLateness();
    const started = performance.now();
    const error = await rejection(get(client));
    const elapsed = performance.now() - started;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.code).toBe('SDK_ERR_REQUEST_DEADLINE_EXCEEDED');
    expect(elapsed).toBeGreaterThanOrEqual(295);
    // 50 ms past the deadline at most, plus however late this process runs any timer (a loaded CI machine).
    expect(elapsed).toBeLessThanOrEqual(350 + lateness.stop());
    expect(server.arrivals).toHaveLength(1);
  });

  it('retries attempts that exceed the per-attempt timeout', async () => {
    const { server, client } = await setup((_req, res, i) => (i < 2 ? undefined : sendJson(res, 200, { ok: true })), { timeout: 100 });
    await expect(get(client)).resolves.toEqual({ ok: true });
    expect(server.arrivals).toHaveLength(3);
  });

  it('throws a per-attempt TimeoutError when every attempt times out', async () => {
    const { server, client } = await setup(() => {}, { timeout: 50, maxRetries: 1 });
    const error = await rejection(get(client));
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.code).toBe('SDK_ERR_REQUEST_TIMEOUT');
    expect(server.arrivals).toHaveLength(2);
  });

  it('lets a call override the client timeout', async () => {
    const { client } = await setup((_req, res) => setTimeout(() => sendJson(res, 200, { ok: true }), 150), { timeout: 50, maxRetries: 0 });
    await expect(get(client)).rejects.toBeInstanceOf(TimeoutError);
    await expect(get(client, { timeout: 1_000 })).resolves.toEqual({ ok: true });
  });
});

describe('backoff', () => {
  it('waits a full-jitter delay within [0, baseDelayMs · 2^retry] between attempts', async () => {
    const { server, client } = await setup((_req, res) => sendProblem(res, 500, 'KIT_ERR_INTERNAL_ERROR'), {
      maxRetries: 3,
      retry: { baseDelayMs: 100, maxDelayMs: 10_000 },
    });
    const lateness = watchTimerLateness();
    await rejection(get(client));
    const slack = 50 + 2 * lateness.stop(); // the loopback round trip, and timers fired late on a loaded machine
    const at = server.arrivals.map((a) => a.at);
    expect(at).toHaveLength(4);
    for (let retry = 0; retry < 3; retry++) {
      const gap = at[retry + 1]! - at[retry]!;
      expect(gap).toBeGreaterThanOrEqual(0);
      expect(gap).toBeLessThanOrEqual(100 * 2 ** retry + slack);
    }
  });
});

describe('user abort', () => {
  it('aborts an in-flight call promptly with APIUserAbortError', async () => {
    const { client } = await setup(() => {});
    const controller = new AbortController();
    const abortedAt = abortAfter(controller, 50);
    const error = await rejection(get(client, { signal: controller.signal }));
    expect(error).toBeInstanceOf(APIUserAbortError);
    expect(performance.now() - (await abortedAt)).toBeLessThan(50);
  });

  it('aborts a call waiting to retry', async () => {
    const { server, client } = await setup((_req, res) => sendProblem(res, 503, 'CORE_ERR_DB_UNAVAILABLE', {}, { 'retry-after': '5' }));
    const controller = new AbortController();
    const abortedAt = abortAfter(controller, 100);
    await expect(get(client, { signal: controller.signal })).rejects.toBeInstanceOf(APIUserAbortError);
    expect(performance.now() - (await abortedAt)).toBeLessThan(50);
    expect(server.arrivals).toHaveLength(1);
  });

  it('sends nothing when the signal is already aborted', async () => {
    const { server, client } = await setup((_req, res) => sendJson(res, 200, { ok: true }));
    await expect(get(client, { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(APIUserAbortError);
    expect(server.arrivals).toHaveLength(0);
  });
});

describe('responses', () => {
  it('gives status, headers and request id with withResponse()', async () => {
    const { client } = await setup((_req, res) => sendJson(res, 201, { ok: true }, { 'x-request-id': 'req-42', 'x-extra': 'yes' }));
    const { data, response } = await get(client).withResponse();
    expect(data).toEqual({ ok: true });
    expect(response.status).toBe(201);
    expect(response.requestId).toBe('req-42');
    expect(response.headers['x-extra']).toBe('yes');
  });

  it('is a real Promise: then, catch and finally work on it', async () => {
    const { client } = await setup((_req, res, i) => (i === 0 ? sendJson(res, 200, { ok: true }) : sendProblem(res, 404, 'KIT_ERR_HTTP_NOT_FOUND')));
    const call = get(client);
    expect(call).toBeInstanceOf(Promise);
    expect(await call.then((body) => body.ok)).toBe(true);
    let settled = false;
    const caught = await get(client, { maxRetries: 0 })
      .finally(() => (settled = true))
      .catch((e: unknown) => e);
    expect(caught).toBeInstanceOf(NotFoundError);
    expect(settled).toBe(true);
  });

  it('sends the body as JSON and the query string', async () => {
    const { server, client } = await setup((_req, res) => sendJson(res, 200, { ok: true }));
    await client.request({ method: 'POST', path: '/things', query: { limit: 5, cursor: undefined }, body: { name: 'x' } });
    expect(server.arrivals[0]).toMatchObject({ method: 'POST', url: '/things?limit=5', body: '{"name":"x"}' });
    expect(server.arrivals[0]!.headers['content-type']).toBe('application/json');
  });
});

describe('idempotency keys', () => {
  it('sends one Idempotency-Key per POST, the same on each retry', async () => {
    const { server, client } = await setup((_req, res, i) => (i === 1 || i === 2 ? sendJson(res, 200, { ok: true }) : sendProblem(res, 503, 'CORE_ERR_DB_UNAVAILABLE')));
    await client.request({ method: 'POST', path: '/things', body: { n: 1 } });
    await client.request({ method: 'POST', path: '/things', body: { n: 2 } });
    const keys = server.arrivals.map((a) => a.headers['idempotency-key']);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(keys[1]).toBe(keys[0]);
    expect(keys[2]).toMatch(/^[0-9a-f-]{36}$/);
    expect(keys[2]).not.toBe(keys[0]);
  });

  it('uses the caller’s key, and sends none on GET', async () => {
    const { server, client } = await setup((_req, res) => sendJson(res, 200, { ok: true }));
    await client.request({ method: 'PATCH', path: '/things/1', body: {} }, { idempotencyKey: 'mine-1' });
    await get(client);
    expect(server.arrivals[0]!.headers['idempotency-key']).toBe('mine-1');
    expect(server.arrivals[1]!.headers['idempotency-key']).toBeUndefined();
  });
});
