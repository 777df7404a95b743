import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { SERVICE_NAMES } from '@maximus/contracts';
import { tempDir, TEST_REDIS_URL } from './helpers.js';
import { awayFromWindowEdge, freePort, REDIS_SERVER, sleep, startRedis, type PrivateRedis } from './fixtures/rate-limit-redis.js';

// End to end: real `maximus serve gateway` processes (the built CLI; `npm test` builds first).
const CLI = new URL('../apps/cli/bin/maximus.js', import.meta.url).pathname;
if (!existsSync(new URL('../apps/cli/dist/main.js', import.meta.url))) throw new Error('run `npm run build` first (npm test does)');

/** The rate-limit counters live in a Redis database of this suite's own, so its burst never starves other suites. */
const SUITE_DB = 15;
const LIMIT = 20;

interface Gateway {
  child: ChildProcess;
  url: string;
}

/** `maximus serve gateway --port 0` with MAXIMUS_AUTH=off (one anonymous admin subject) on its own PGlite copy. */
function startGateway(redisUrl: string): Promise<Gateway> {
  const dataDir = tempDir('rl-gateway');
  cpSync(inject('pgliteTemplate'), join(dataDir, 'gateway'), { recursive: true });
  const env: Record<string, string> = {
    ...process.env,
    MAXIMUS_LOG_LEVEL: 'warn',
    MAXIMUS_AUTH: 'off',
    MAXIMUS_DATA_DIR: dataDir,
    REDIS_URL: redisUrl,
    MAXIMUS_RATE_LIMITS: `read=${LIMIT}/60,write=${LIMIT}/60,expensive=${LIMIT}/60`,
  };
  for (const name of SERVICE_NAMES) env[`MAXIMUS_${name.toUpperCase()}_URL`] = 'http://127.0.0.1:1';
  const child = spawn(process.execPath, [CLI, 'serve', 'gateway', '--port', '0'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((resolve, reject) => {
    let banner = '';
    createInterface({ input: child.stderr }).on('line', (line) => {
      banner += line + '\n';
      const url = /(http:\/\/127\.0\.0\.1:\d+)/.exec(line)?.[1];
      if (url) resolve({ child, url });
    });
    child.once('exit', (code) => reject(new Error(`gateway exited with ${code}: ${banner}`)));
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGINT');
  });
}

interface Answer {
  status: number;
  headers: Headers;
  body: { code?: string; status?: number };
}

async function get(url: string): Promise<Answer> {
  const res = await fetch(`${url}/api/v1/keys`);
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as Answer['body']) : {} };
}

function expectLimitHeaders(answer: Answer): void {
  expect(answer.headers.get('ratelimit-policy')).toMatch(new RegExp(`^"(read|write|expensive)";q=${LIMIT};w=60$`));
  expect(answer.headers.get('ratelimit')).toMatch(/^"(read|write|expensive)";r=\d+;t=\d+$/);
  if (answer.status !== 429) return;
  expect(answer.headers.get('content-type')).toContain('application/problem+json');
  expect(answer.body).toMatchObject({ status: 429, code: 'GATEWAY_ERR_RATE_LIMITED' });
  expect(Number(answer.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  expect(answer.headers.get('ratelimit')).toMatch(/;r=0;/);
}

describe.skipIf(!TEST_REDIS_URL)('rate limits: three gateway processes share one Redis', () => {
  const redisUrl = (() => {
    const url = new URL(TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
    url.pathname = `/${SUITE_DB}`;
    return url.toString();
  })();
  let gateways: Gateway[] = [];

  beforeAll(async () => {
    // A previous run in the same minute left the anonymous subject's counters: start from zero.
    const raw = new Redis(redisUrl);
    try {
      const stale = await raw.keys('*:user:anonymous:*');
      if (stale.length) await raw.del(...stale);
    } finally {
      raw.disconnect();
    }
    gateways = await Promise.all([0, 1, 2].map(() => startGateway(redisUrl)));
  });
  afterAll(async () => {
    await Promise.all(gateways.map((g) => stop(g.child)));
  });

  it(`admit at most ${LIMIT} (+1%) of a burst of 90 together, with RateLimit headers on every answer`, async () => {
    await awayFromWindowEdge(60, 5000);
    const answers = await Promise.all(Array.from({ length: 90 }, (_, i) => get(gateways[i % 3]!.url)));
    const admitted = answers.filter((a) => a.status !== 429);
    expect(admitted.length).toBeGreaterThan(0);
    expect(admitted.length).toBeLessThanOrEqual(Math.floor(LIMIT * 1.01));
    expect(admitted.every((a) => a.status === 200)).toBe(true);
    for (const answer of answers) expectLimitHeaders(answer);
    // Alone, each replica would have admitted up to ${LIMIT}: the ≤ ${LIMIT} above holds only because the count is shared.
    const remaining = admitted.map((a) => Number(/;r=(\d+);/.exec(a.headers.get('ratelimit') ?? '')?.[1]));
    expect(new Set(remaining).size).toBe(admitted.length);
  });
});

describe.skipIf(!REDIS_SERVER)('rate limits: a gateway whose own Redis stops counts by itself meanwhile', () => {
  let redis: PrivateRedis | undefined;
  let gateway: Gateway | undefined;
  let port: number;
  let dir: string;

  beforeAll(async () => {
    port = await freePort();
    dir = tempDir('rl-redis');
    redis = await startRedis(port, dir);
    gateway = await startGateway(redis.url);
  });
  afterAll(async () => {
    if (gateway) await stop(gateway.child);
    await redis?.stop();
  });

  it('never answers 5xx, keeps the headers and the limit (per replica), and shares again once Redis is back', async () => {
    const url = gateway!.url;
    await awayFromWindowEdge(60, 8000);
    for (let i = 0; i < 3; i++) {
      const answer = await get(url);
      expect(answer.status).toBe(200);
      expectLimitHeaders(answer);
    }

    await redis!.stop();
    const during: Answer[] = [];
    for (let i = 0; i < LIMIT + 5; i++) {
      const started = performance.now();
      during.push(await get(url));
      expect(performance.now() - started).toBeLessThan(1000);
    }
    expect(during.map((a) => a.status).filter((s) => s !== 200 && s !== 429)).toEqual([]);
    for (const answer of during) expectLimitHeaders(answer);
    expect(during.filter((a) => a.status === 200).length).toBeLessThanOrEqual(LIMIT);
    expect(during.at(-1)!.status).toBe(429);
    expect((await fetch(`${url}/ready`)).status).toBe(200);
    const health = (await (await fetch(`${url}/health`)).json()) as { status: string; components: Record<string, { status: string; kind: string }> };
    expect(health.components.rate_limits).toMatchObject({ status: 'degraded', kind: 'redis' });
    expect(health.status).not.toBe('healthy');

    redis = await startRedis(port, dir);
    const raw = new Redis(redis.url);
    try {
      const deadline = Date.now() + 10_000;
      let counted: string[] = [];
      while (counted.length === 0 && Date.now() < deadline) {
        expect((await get(url)).status).not.toBeGreaterThanOrEqual(500);
        counted = await raw.keys('*user:anonymous*').catch(() => []);
        if (counted.length === 0) await sleep(200);
      }
      expect(counted.length).toBeGreaterThan(0);
    } finally {
      raw.disconnect();
    }
  });
});
