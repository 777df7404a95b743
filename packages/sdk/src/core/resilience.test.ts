import * as promClient from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { Maximus } from '../client.js';
import { CircuitOpenError, ConnectionError, InternalServerError, RateLimitError, ServiceUnavailableError, TimeoutError, type MaximusError } from '../errors.js';
import { sendJson, sendProblem, startServer, type Handler, type TestServer } from '../testing/http-server.js';
import { CircuitBreaker } from './breaker.js';
import { RetryBudget } from './budget.js';
import type { ClientOptions } from './options.js';
import { backoffDelay } from './retry.js';

// The resilience machinery against a real local server that fails, stalls, rate-limits and resets on purpose.
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(handler: Handler, options: ClientOptions = {}): Promise<{ server: TestServer; client: Maximus }> {
  const server = await startServer(handler);
  cleanups.push(() => server.close());
  const client = new Maximus({ baseURL: server.url, apiKey: null, token: null, ...options });
  cleanups.push(() => client.close());
  return { server, client };
}

const failure = (promise: Promise<unknown>) => promise.then(() => undefined, (e: unknown) => e as MaximusError);
const get = (client: Maximus, path = '/core/api/v1/thing', options = {}) => client.request<{ ok: boolean }>({ method: 'GET', path }, options);

/** The worst lateness of this process's timers while it runs (a loaded machine delays them all), in ms. */
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

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('backoff distribution', () => {
  it('full jitter draws each retry uniformly from [0, base · 2^retry], capped', () => {
    const options = { baseDelayMs: 100, maxDelayMs: 2_000, maxRetryAfterMs: 60_000, jitter: 'full' } as const;
    for (let retry = 0; retry <= 5; retry++) {
      const bound = Math.min(2_000, 100 * 2 ** retry);
      const samples = Array.from({ length: 20_000 }, () => backoffDelay(retry, options));
      expect(Math.min(...samples)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...samples)).toBeLessThanOrEqual(bound);
      // Uniform on [0, bound]: mean bound/2, and each quarter holds a quarter of the draws.
      expect(mean(samples) / bound).toBeCloseTo(0.5, 1);
      const quarters = [0, 1, 2, 3].map((q) => samples.filter((s) => s >= (q * bound) / 4 && s < ((q + 1) * bound) / 4).length / samples.length);
      for (const share of quarters) expect(share).toBeGreaterThan(0.22);
    }
  });

  it('decorrelated jitter draws from [base, 3 · previous], capped', () => {
    const options = { baseDelayMs: 100, maxDelayMs: 5_000, maxRetryAfterMs: 60_000, jitter: 'decorrelated' } as const;
    for (let run = 0; run < 2_000; run++) {
      let previous: number | undefined;
      for (let retry = 0; retry <= 5; retry++) {
        const delay = backoffDelay(retry, options, Math.random, previous);
        expect(delay).toBeGreaterThanOrEqual(100);
        expect(delay).toBeLessThanOrEqual(Math.min(5_000, 3 * (previous ?? 100)));
        previous = delay;
      }
    }
  });

  it('spaces the attempts 0–5 of real calls within their jitter bounds, growing on average', async () => {
    const base = 40; // large enough that the jitter shows through a loaded machine's timer noise
    // Each call names itself, so that the gaps between its own arrivals can be measured.
    const { server, client } = await setup((_req, res) => sendProblem(res, 500, 'KIT_ERR_INTERNAL_ERROR'), {
      maxRetries: 5,
      retry: { baseDelayMs: base, maxDelayMs: 10_000 },
      retryBudget: false,
      circuitBreaker: false,
    });
    const lateness = watchTimerLateness();
    const calls = 40;
    await Promise.all(Array.from({ length: calls }, (_, i) => failure(get(client, '/core/api/v1/thing', { headers: { 'x-call': String(i) } }))));
    const slack = 25 + 2 * lateness.stop();
    const gaps: number[][] = [[], [], [], [], []];
    for (let i = 0; i < calls; i++) {
      const at = server.arrivals.filter((a) => a.headers['x-call'] === String(i)).map((a) => a.at);
      expect(at).toHaveLength(6);
      for (let retry = 0; retry < 5; retry++) gaps[retry]!.push(at[retry + 1]! - at[retry]!);
    }
    for (let retry = 0; retry < 5; retry++) {
      expect(Math.max(...gaps[retry]!)).toBeLessThanOrEqual(base * 2 ** retry + slack);
    }
    // The bound doubles at each retry: the mean wait of the fifth retry is well above the first's.
    expect(mean(gaps[4]!)).toBeGreaterThan(mean(gaps[0]!) + base * 2);
  });
});

describe('what is retried', () => {
  it('retries a POST that carries an Idempotency-Key (the default), and not one whose key was removed', async () => {
    const { server, client } = await setup((_req, res) => sendProblem(res, 503, 'CORE_ERR_DB_UNAVAILABLE'), { retry: { baseDelayMs: 1 } });
    await failure(client.request({ method: 'POST', path: '/core/api/v1/things', body: {} }));
    expect(server.arrivals).toHaveLength(3);
    const error = await failure(client.request({ method: 'POST', path: '/core/api/v1/things', body: {} }, { headers: { 'idempotency-key': null } }));
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect(server.arrivals).toHaveLength(4);
    expect(server.arrivals[3]!.headers['idempotency-key']).toBeUndefined();
  });

  it('obeys the server’s x-should-retry: a 503 marked false is not retried (the kill switch), a 400 marked true is', async () => {
    const { server, client } = await setup(
      (req, res) =>
        req.url!.includes('shut')
          ? sendProblem(res, 503, 'CORE_ERR_SAFETY_SHUT_DOWN', {}, { 'retry-after': '5', 'x-should-retry': 'false' })
          : sendProblem(res, 400, 'KIT_ERR_REQUEST_INVALID', {}, { 'x-should-retry': 'true' }),
      { retry: { baseDelayMs: 1 }, circuitBreaker: { minimumRequests: 5 } },
    );
    const started = performance.now();
    for (let i = 0; i < 10; i++) {
      expect(await failure(client.request({ method: 'POST', path: '/core/api/v1/shut', body: {} }))).toMatchObject({ status: 503, code: 'CORE_ERR_SAFETY_SHUT_DOWN' });
    }
    expect(performance.now() - started).toBeLessThan(2_000); // no 5 s Retry-After waited
    expect(server.arrivals).toHaveLength(10);
    // a deliberate answer: the breaker stays closed, so the call that lifts the kill switch still goes out
    expect(client.breakers()[0]).toMatchObject({ state: 'closed', failures: 0, requests: 10 });
    await failure(get(client, '/core/api/v1/odd'));
    expect(server.arrivals).toHaveLength(13);
  });

  it('retries a connection reset, then succeeds', async () => {
    const { server, client } = await setup((req, res, i) => (i === 0 ? req.socket.destroy() : sendJson(res, 200, { ok: true })), { retry: { baseDelayMs: 1 } });
    await expect(get(client)).resolves.toEqual({ ok: true });
    expect(server.arrivals).toHaveLength(2);
  });

  it('fails at once with a 503 carrying retryAfterMs when the server asks for a wait beyond the deadline', async () => {
    const { server, client } = await setup((_req, res) => sendProblem(res, 503, 'CORE_ERR_DB_UNAVAILABLE', {}, { 'retry-after-ms': '3000' }), { deadline: 1_000 });
    const started = performance.now();
    const error = await failure(get(client));
    expect(performance.now() - started).toBeLessThan(500);
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect((error as ServiceUnavailableError).retryAfterMs).toBe(3_000);
    expect(server.arrivals).toHaveLength(1);
  });

  it('waits a Retry-After that fits in the remaining deadline, then fails with the RateLimitError when the next one does not', async () => {
    const { server, client } = await setup((_req, res, i) => sendProblem(res, 429, 'KIT_ERR_RATE_LIMITED', {}, { 'retry-after-ms': i === 0 ? '100' : '5000' }), { deadline: 2_000 });
    const error = await failure(get(client));
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).retryAfterMs).toBe(5_000);
    expect(server.arrivals).toHaveLength(2);
    expect(server.arrivals[1]!.at - server.arrivals[0]!.at).toBeGreaterThanOrEqual(95);
  });
});

describe('the deadline', () => {
  it('holds against a server that stalls each attempt past its timeout', async () => {
    // The deadline falls in the middle of the third attempt (0–150, 150–300, 300–450 ms).
    const { server, client } = await setup(() => {}, { timeout: 150, deadline: 400, maxRetries: 10, retry: { baseDelayMs: 1 } });
    const lateness = watchTimerLateness();
    const started = performance.now();
    const error = await failure(get(client));
    const elapsed = performance.now() - started;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error!.code).toBe('SDK_ERR_REQUEST_DEADLINE_EXCEEDED');
    expect(elapsed).toBeGreaterThanOrEqual(395);
    expect(elapsed).toBeLessThanOrEqual(460 + lateness.stop());
    expect(server.arrivals.length).toBeGreaterThanOrEqual(3);
    expect(error!.cause).toBeInstanceOf(TimeoutError); // the last attempt's own timeout
  });
});

describe('retry budget', () => {
  it('keeps a 100% failing upstream at ≤ 1.2 × the calls made', async () => {
    const { server, client } = await setup((_req, res) => sendProblem(res, 503, 'CORE_ERR_DB_UNAVAILABLE'), {
      maxRetries: 3,
      retry: { baseDelayMs: 0, maxDelayMs: 0 },
      circuitBreaker: false, // the breaker would cut the traffic too; this measures the budget alone
      coalesce: false, // and concurrent identical reads would share one request
    });
    const calls = 600;
    for (let batch = 0; batch < calls / 50; batch++) {
      await Promise.all(Array.from({ length: 50 }, () => failure(get(client))));
    }
    expect(server.arrivals.length).toBeGreaterThan(calls); // some retries were made…
    expect(server.arrivals.length).toBeLessThanOrEqual(1.2 * calls); // …within the budget
    // Without a budget the same traffic would have been four times the calls.
    const unbounded = client.withOptions({ retryBudget: false });
    const before = server.arrivals.length;
    await Promise.all(Array.from({ length: 50 }, () => failure(get(unbounded))));
    expect(server.arrivals.length - before).toBe(200);
  });

  it('always allows minPerSecond retries, so a quiet client still retries', async () => {
    const { server, client } = await setup((_req, res, i) => (i % 2 === 0 ? sendProblem(res, 503, 'CORE_ERR_DB_UNAVAILABLE') : sendJson(res, 200, { ok: true })), {
      retry: { baseDelayMs: 0, maxDelayMs: 0 },
      retryBudget: { ratio: 0, minPerSecond: 1, windowMs: 5_000 },
    });
    for (let i = 0; i < 5; i++) await expect(get(client)).resolves.toEqual({ ok: true });
    expect(server.arrivals).toHaveLength(10);
    // The sixth retry in the window is beyond 1/s · 5 s: the call fails with its first error.
    await expect(get(client)).rejects.toBeInstanceOf(ServiceUnavailableError);
  });

  it('counts calls and retries over a sliding window', () => {
    let now = 0;
    const budget = new RetryBudget({ ratio: 0.2, minPerSecond: 0, windowMs: 1_000 }, () => now);
    for (let i = 0; i < 50; i++) budget.recordCall();
    let granted = 0;
    while (budget.tryRetry()) granted++;
    expect(granted).toBe(10);
    now = 1_200; // the window has moved past those calls
    expect(budget.tryRetry()).toBe(false);
    budget.recordCall();
    expect(budget.snapshot()).toEqual({ calls: 1, retries: 0, allowed: 0.2 });
  });
});

describe('circuit breaker', () => {
  it('opens after the failure rate, refuses calls without sending, half-opens, closes after its trials', async () => {
    let healthy = false;
    const registry = new promClient.Registry();
    const { server, client } = await setup((_req, res) => (healthy ? sendJson(res, 200, { ok: true }) : sendProblem(res, 500, 'KIT_ERR_INTERNAL_ERROR')), {
      maxRetries: 0,
      circuitBreaker: { minimumRequests: 10, failureRateThreshold: 0.5, openMs: 150, maxOpenMs: 1_000, halfOpenMaxCalls: 2, jitter: 0 },
      metrics: { registry, promClient },
    });
    const gauge = async () => (await registry.getSingleMetric('maximus_circuit_breaker_state')!.get()).values.find((v) => v.labels.upstream === `${server.url}/core`)?.value;
    for (let i = 0; i < 10; i++) expect(await failure(get(client))).toBeInstanceOf(InternalServerError);
    const [open] = client.breakers();
    expect(open).toMatchObject({ upstream: `${server.url}/core`, state: 'open', consecutiveOpens: 1 });
    expect(await gauge()).toBe(2);
    const refused = await failure(get(client));
    expect(refused).toBeInstanceOf(CircuitOpenError);
    expect(refused).toMatchObject({ code: 'SDK_ERR_CIRCUIT_OPEN', upstream: `${server.url}/core` });
    expect((refused as CircuitOpenError).retryAfterMs).toBeGreaterThan(0);
    expect(server.arrivals).toHaveLength(10); // not sent
    // Another service behind the same gateway has its own breaker.
    healthy = true;
    await expect(get(client, '/eikos/api/v1/thing')).resolves.toEqual({ ok: true });

    await new Promise((resolve) => setTimeout(resolve, 170));
    expect(client.breakers().find((b) => b.upstream.endsWith('/core'))!.state).toBe('half-open');
    expect(await gauge()).toBe(1);
    await expect(get(client)).resolves.toEqual({ ok: true });
    await expect(get(client)).resolves.toEqual({ ok: true });
    expect(client.breakers().find((b) => b.upstream.endsWith('/core'))).toMatchObject({ state: 'closed', consecutiveOpens: 0 });
    expect(await gauge()).toBe(0);
  });

  it('reopens on a failed trial, for twice as long, up to the cap', () => {
    let now = 0;
    const breaker = new CircuitBreaker('u', { failureRateThreshold: 0.5, minimumRequests: 2, windowMs: 10_000, openMs: 100, maxOpenMs: 300, halfOpenMaxCalls: 1, jitter: 0 }, { clock: () => now });
    const fail = () => breaker.record(breaker.acquire() as 'normal' | 'trial', 'failure');
    fail();
    fail();
    expect(breaker.snapshot()).toMatchObject({ state: 'open', openForMs: 100 });
    const durations: number[] = [];
    for (let round = 0; round < 4; round++) {
      const { openForMs } = breaker.snapshot();
      durations.push(openForMs);
      now += openForMs;
      expect(breaker.state).toBe('half-open');
      const trial = breaker.acquire();
      expect(trial).toBe('trial');
      expect(breaker.acquire()).toBeInstanceOf(CircuitOpenError); // one trial at a time
      breaker.record('trial', 'failure');
    }
    expect(durations).toEqual([100, 200, 300, 300]);
  });

  it('jitters the open duration downwards by at most `jitter`', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 200; i++) {
      const breaker = new CircuitBreaker('u', { failureRateThreshold: 0.5, minimumRequests: 1, windowMs: 10_000, openMs: 1_000, maxOpenMs: 60_000, halfOpenMaxCalls: 1, jitter: 0.2 }, { clock: () => 0 });
      breaker.record(breaker.acquire() as 'normal', 'failure');
      const { openForMs } = breaker.snapshot();
      expect(openForMs).toBeGreaterThanOrEqual(800);
      expect(openForMs).toBeLessThanOrEqual(1_000);
      seen.add(Math.round(openForMs));
    }
    expect(seen.size).toBeGreaterThan(50);
  });

  it('does not count 4xx answers as failures', async () => {
    const { client } = await setup((_req, res) => sendProblem(res, 404, 'KIT_ERR_HTTP_NOT_FOUND'), { circuitBreaker: { minimumRequests: 5 } });
    for (let i = 0; i < 20; i++) await failure(get(client));
    expect(client.breakers()[0]).toMatchObject({ state: 'closed', failures: 0, requests: 20 });
  });

  it('counts connection errors as failures, and a call may bypass the breaker', async () => {
    const { server, client } = await setup((req) => req.socket.destroy(), { maxRetries: 0, circuitBreaker: { minimumRequests: 3, openMs: 60_000 } });
    for (let i = 0; i < 3; i++) expect(await failure(get(client))).toBeInstanceOf(ConnectionError);
    expect(await failure(get(client))).toBeInstanceOf(CircuitOpenError);
    expect(await failure(get(client, '/core/api/v1/thing', { circuitBreaker: false }))).toBeInstanceOf(ConnectionError);
    expect(server.arrivals).toHaveLength(4);
  });
});
