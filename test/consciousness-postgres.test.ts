import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { ArousalState, ConsciousnessState, EsgtEvent, EsgtEventList, Principal } from '@maximus/contracts';
import { loadConfig } from '@maximus/kit/config';
import { createPlatform, type Platform } from '@maximus/kit/platform';
import { createServer, prepareService, servicePlugin, type PreparedService } from '@maximus/kit/service';
import { consciousnessOf, createCoreService, type ConsciousnessRuntime } from '@maximus/core';
import { freshPostgresUrl, silentLog, TEST_DATABASE_URL } from './helpers.js';

const C = '/core/api/v1/consciousness';
const WORKER = new URL('../apps/core/dist/consciousness/worker.js', import.meta.url);
const who = (id: string, role: Principal['role']): Record<string, string> => ({ 'x-test-principal': JSON.stringify({ id, kind: 'user', role, via: 'api_key' }), 'content-type': 'application/json' });
const HIGH = { novelty: 0.95, relevance: 0.95, urgency: 0.95 };

interface Replica {
  app: FastifyInstance;
  platform: Platform;
  core: PreparedService;
  model: ConsciousnessRuntime;
}

/** A core replica in this process (its own platform and pool) on the shared database. */
async function inProcess(url: string): Promise<Replica> {
  const config = loadConfig({ DATABASE_URL: url, MAXIMUS_SECRET: 'a shared test secret of the platform' });
  const platform = await createPlatform({ config, log: silentLog });
  const core = await prepareService(
    createCoreService({ tickMs: 50, consciousness: { tickMs: 100, healthMs: 200, leaderPollMs: 200, worker: WORKER, gates: { refractoryMs: 0, maxRuns: 1000, windowMs: 10_000, minNodes: 20, staleMs: 30_000 } } }),
    platform,
  );
  const app = createServer({ log: silentLog, accessLog: false });
  app.addHook('onRequest', (request, _reply, done) => {
    const as = request.headers['x-test-principal'];
    if (typeof as === 'string') request.principal = JSON.parse(as) as Principal;
    done();
  });
  await app.register(servicePlugin(core.definition, core.ctx), { prefix: '/core' });
  await app.ready();
  await core.start();
  return { app, platform, core, model: consciousnessOf(core.ctx) };
}

/** A core replica in a process of its own, which the test kills. */
function child(url: string): Promise<{ process: ChildProcess; url: string; replica: string; lines: { leader: boolean }[] }> {
  const proc = spawn(process.execPath, [new URL('./fixtures/core-replica.mjs', import.meta.url).pathname, url], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: { url: string; replica: string; leader: boolean }[] = [];
  return new Promise((resolve, reject) => {
    createInterface({ input: proc.stdout }).on('line', (line) => {
      const info = JSON.parse(line) as { url: string; replica: string; leader: boolean };
      lines.push(info);
      if (lines.length === 1) resolve({ process: proc, url: info.url, replica: info.replica, lines });
    });
    proc.once('exit', (code) => reject(new Error(`core replica exited with ${code}`)));
  });
}

async function until<T>(read: () => Promise<T> | T, done: (value: T) => boolean, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > end) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.skipIf(!TEST_DATABASE_URL)('consciousness on PostgreSQL: two core replicas, one leader', () => {
  let database: { url: string; drop: () => Promise<void> };
  let a: Awaited<ReturnType<typeof child>>;
  let b: Replica;
  beforeAll(async () => {
    database = await freshPostgresUrl();
    a = await child(database.url);
    await until(() => a.lines.at(-1)!.leader, Boolean);
    b = await inProcess(database.url);
  });
  afterAll(async () => {
    if (a && a.process.exitCode === null) a.process.kill('SIGKILL');
    if (b) {
      await b.app.close();
      await b.core.stop();
      await b.platform.close();
    }
    await database?.drop();
  });

  const get = async <T>(path: string): Promise<T> => (await b.app.inject({ method: 'GET', url: `${C}${path}`, headers: who('user:r', 'readonly') })).json<T>();

  it('the first replica leads (advisory lock); the second follows and serves the leader\'s state from the database', async () => {
    expect(a.lines.at(-1)!.leader).toBe(true);
    expect(b.model.isLeader()).toBe(false);
    const state = await until(() => get<ConsciousnessState>('/state'), (s) => s.health.leader?.heartbeat_at != null);
    expect(state.health.leader).toMatchObject({ replica: a.replica, this_replica: false });
    const first = await get<ArousalState>('/arousal');
    const later = await until(() => get<ArousalState>('/arousal'), (x) => x.updated_at !== first.updated_at);
    expect(Date.parse(later.updated_at!)).toBeGreaterThan(Date.parse(first.updated_at!));
  });

  it('a modulation made on the follower is integrated by the leader and seen by both', async () => {
    const res = await b.app.inject({ method: 'POST', url: `${C}/arousal/adjust`, headers: who('user:op', 'operator'), payload: { delta: 0.3, duration_seconds: 60, source: 'replica test' } });
    expect(res.statusCode, res.body).toBe(201);
    const seen = await until(() => get<ArousalState>('/arousal'), (x) => x.target > 0.85 && x.value > 0.62);
    expect(seen.modulations.map((m) => m.source)).toContain('replica test');
    const fromLeader = (await (await fetch(`${a.url}${C}/arousal`, { headers: who('user:r', 'readonly') })).json()) as ArousalState;
    expect(fromLeader.modulations.map((m) => m.source)).toContain('replica test');
  });

  it('ignitions triggered on both replicas at once never overlap', async () => {
    const viaA = () => fetch(`${a.url}${C}/esgt/trigger`, { method: 'POST', headers: who('user:op-a', 'operator'), body: JSON.stringify(HIGH) }).then(async (r) => (await r.json()) as EsgtEvent);
    const viaB = async () => (await b.app.inject({ method: 'POST', url: `${C}/esgt/trigger`, headers: who('user:op-b', 'operator'), payload: HIGH })).json<EsgtEvent>();
    const events = await Promise.all([viaA(), viaB(), viaA(), viaB(), viaA(), viaB()]);
    const ran = events.filter((e) => e.outcome !== 'blocked').sort((x, y) => x.started_at.localeCompare(y.started_at));
    expect(ran.length).toBeGreaterThanOrEqual(1);
    for (let i = 1; i < ran.length; i++) expect(Date.parse(ran[i]!.started_at)).toBeGreaterThanOrEqual(Date.parse(ran[i - 1]!.finished_at));
    for (const e of events.filter((x) => x.outcome === 'blocked')) expect(e.gate).toBe('concurrency');
    const listed = await get<EsgtEventList>('/esgt/events?limit=50');
    for (const e of events) expect(listed.data.map((x) => x.id)).toContain(e.id);
  });

  it('a leader that dies is replaced within seconds, and the loop goes on from the shared state', async () => {
    const before = await get<ArousalState>('/arousal');
    const killedAt = Date.now();
    a.process.kill('SIGKILL');
    await until(() => b.model.isLeader(), Boolean, 10_000);
    const tookMs = Date.now() - killedAt;
    expect(b.model.isLeader()).toBe(true);
    expect(tookMs).toBeLessThan(5000);
    const state = await until(() => get<ConsciousnessState>('/state'), (s) => s.health.leader?.replica === b.model.replica && s.health.status !== 'degraded');
    expect(state.health.leader).toMatchObject({ replica: b.model.replica, this_replica: true });
    const after = await until(() => get<ArousalState>('/arousal'), (x) => Date.parse(x.updated_at!) > killedAt);
    expect(after.modulations.map((m) => m.source)).toContain('replica test');
    expect(Math.abs(after.value - before.value)).toBeLessThan(0.2); // continued from the stored value, not restarted at the baseline
  });
});
