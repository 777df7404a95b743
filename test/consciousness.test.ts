import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance, InjectOptions } from 'fastify';
import type { ArousalAdjusted, ArousalState, ConsciousnessState, EsgtEvent, EsgtEventList, SafetyStatus, TigGraph, TigMetrics } from '@maximus/contracts';
import { loadConfig } from '@maximus/kit/config';
import { createPlatform, type Platform } from '@maximus/kit/platform';
import { prepareService, type PreparedService } from '@maximus/kit/service';
import { build, createGatewaySecurity, type GatewaySecurity } from '@maximus/gateway';
import { consciousnessOf, createCoreService, type ConsciousnessOptions, type ConsciousnessRuntime } from '@maximus/core';
import { freshPgliteDir, sample, silentLog } from './helpers.js';

const C = '/core/api/v1/consciousness';
// The built worker (npm test builds first): the ignitions and metrics of these tests run in real worker threads.
const WORKER = new URL('../apps/core/dist/consciousness/worker.js', import.meta.url);
if (!existsSync(WORKER)) throw new Error('run `npm run build` first (npm test does)');

interface Harness {
  app: FastifyInstance;
  platform: Platform;
  core: PreparedService;
  model: ConsciousnessRuntime;
  keys: { admin: string; admin2: string; operator: string; readonly: string };
  call<T = unknown>(key: string, method: 'GET' | 'POST', url: string, payload?: object): Promise<{ status: number; body: T; raw: string; headers: Record<string, unknown> }>;
  close(): Promise<void>;
}

/** The embedded gateway with core alone; the consciousness loops' timers are slow, and the tests drive the passes. */
async function harness(consciousness: ConsciousnessOptions = {}, overrideWindowMs = 5000): Promise<Harness> {
  const dataDir = freshPgliteDir();
  const config = loadConfig({ MAXIMUS_DATA_DIR: dataDir });
  const platform = await createPlatform({ config, log: silentLog, dataDir });
  const security: GatewaySecurity = await createGatewaySecurity({ config, db: platform.db, bus: platform.bus, log: silentLog, dataDir, createFirstAdminKey: true });
  const core = await prepareService(createCoreService({ tickMs: 25, overrideWindowMs, consciousness: { tickMs: 3_600_000, healthMs: 3_600_000, worker: WORKER, ...consciousness } }), platform);
  const app = await build({ mode: 'embedded', services: [core], db: platform.db, config, security, log: silentLog });
  await core.start();
  security.startRelay();
  const key = async (role: 'admin' | 'operator' | 'readonly', name: string) => (await security.keys.create({ name, role, createdBy: null })).key;
  const keys = { admin: security.createdAdminKey!, admin2: await key('admin', 'admin2'), operator: await key('operator', 'op'), readonly: await key('readonly', 'ro') };
  return {
    app,
    platform,
    core,
    model: consciousnessOf(core.ctx),
    keys,
    async call<T>(k: string, method: 'GET' | 'POST', url: string, payload?: object) {
      const options: InjectOptions = { method, url, headers: { 'x-api-key': k } };
      if (payload !== undefined) options.payload = payload;
      const res = await app.inject(options);
      return { status: res.statusCode, body: (res.headers['content-type']?.toString().includes('json') ? res.json() : res.body) as T, raw: res.body, headers: res.headers };
    },
    async close() {
      await app.close();
      await core.stop();
      await security.close();
      await platform.close();
    },
  };
}

const HIGH = { novelty: 0.95, relevance: 0.95, urgency: 0.95 };
const LOW = { novelty: 0.1, relevance: 0.1, urgency: 0.1, confidence: 0.2 };

const networkx = JSON.parse(readFileSync(new URL('./fixtures/tig/fabric-100.json', import.meta.url), 'utf8')) as { export: TigGraph; reference: Record<string, number | number[]> };

describe('consciousness: TIG, arousal, ignitions (embedded, default fabric)', () => {
  let h: Harness;
  beforeAll(async () => {
    // A refractory period long enough for a loaded machine to send the second trigger inside it.
    h = await harness({ gates: { refractoryMs: 1500, maxRuns: 1000, windowMs: 10_000, minNodes: 20, staleMs: 30_000 } });
  });
  afterAll(async () => h?.close());

  it('GET tig/graph exports the default fabric exactly as the networkx fixture was made from', async () => {
    const { status, body } = await h.call<TigGraph>(h.keys.readonly, 'GET', `${C}/tig/graph`);
    expect(status).toBe(200);
    expect(body).toEqual(networkx.export);
  });

  it('GET tig/metrics agrees with networkx on that graph to 1e-9, states its path-length policy, and defines the rest', async () => {
    const { status, body } = await h.call<TigMetrics>(h.keys.readonly, 'GET', `${C}/tig/metrics`);
    expect(status).toBe(200);
    const ref = networkx.reference;
    for (const key of ['density', 'avg_clustering_coefficient', 'avg_path_length', 'algebraic_connectivity', 'effective_connectivity_index'] as const) {
      expect(Math.abs(body[key] - (ref[key] as number)), key).toBeLessThan(1e-9);
    }
    expect(body.bottleneck_locations).toEqual(ref.bottleneck_locations);
    expect(body.has_feed_forward_bottlenecks).toBe((ref.bottleneck_locations as number[]).length > 0);
    expect(body.min_path_redundancy).toBe(ref.min_path_redundancy);
    expect(body).toMatchObject({ node_count: 100, edge_count: 291, path_length_policy: { connected: true, components: 1, measured_nodes: 100 }, eigen_method: 'dense', fabric: { nodes: 100, m: 3, triadic_p: 0.3, seed: 42 } });
    const edges = networkx.export.edges;
    expect(body.avg_latency_us).toBeCloseTo(edges.reduce((s, e) => s + e.latency_us, 0) / edges.length, 9);
    expect(body.max_latency_us).toBe(Math.max(...edges.map((e) => e.latency_us)));
    expect(body.total_bandwidth_gbps).toBe(edges.reduce((s, e) => s + e.bandwidth_gbps, 0));
    expect(body.nodes_by_state).toEqual({ active: 100, esgt_mode: 0, degraded: 0, offline: 0 });
  });

  it('arousal: the target is the baseline plus every contribution, each a measured signal with its pressure and weight', async () => {
    expect((await h.call<ArousalState>(h.keys.readonly, 'GET', `${C}/arousal`)).body).toMatchObject({ value: 0.6, level: 'relaxed', baseline: 0.6 });
    await h.model.run.report();
    await h.model.run.tick();
    const { body } = await h.call<ArousalState>(h.keys.readonly, 'GET', `${C}/arousal`);
    expect(body.contributions.map((c) => c.name)).toEqual(['error_rate', 'latency', 'pending_decisions', 'queue_depth', 'stress', 'modulations']);
    for (const c of body.contributions.slice(0, 5)) expect(c.value).toBeCloseTo(c.weight * c.pressure, 12);
    expect(body.target).toBeCloseTo(Math.min(1, 0.6 + body.contributions.reduce((s, c) => s + c.value, 0)), 12);
    // the requests so far were measured (the first ones waited for the workers to warm up)
    expect(body.contributions.find((c) => c.name === 'latency')!.signal).not.toBeNull();
    expect(body.esgt_threshold).toBeCloseTo(0.9 - 0.5 * body.value, 12);
    expect(body.updated_at).not.toBeNull();
  });

  it('a pending governance decision is a measured pressure that raises the target', async () => {
    const res = await h.call(h.keys.operator, 'POST', '/core/api/v1/governance/decisions', { action_type: 'block_ip', params: { address: '203.0.113.5' }, reasoning: 'pressure', confidence: 0.7, risk_factors: { threat: 0.1, asset: 0.1, business: 0.1, action: 0.1, compliance: 0.1, environment: 0.1 } });
    expect(res.status).toBe(201);
    await h.model.run.tick();
    const { body } = await h.call<ArousalState>(h.keys.readonly, 'GET', `${C}/arousal`);
    const pending = body.contributions.find((c) => c.name === 'pending_decisions')!;
    expect(pending.signal).toBe(1);
    expect(pending.pressure).toBeCloseTo(1 - Math.exp(-0.5 / 5), 12);
    expect(body.target).toBeGreaterThan(0.6);
  });

  it('arousal/adjust: validated, listed, decaying, and the value follows under the hard rate limit', async () => {
    const bad = await h.call<{ errors: { pointer: string }[] }>(h.keys.operator, 'POST', `${C}/arousal/adjust`, { delta: 0.7, duration_seconds: 10, source: 'test' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0]!.pointer).toBe('/body/delta');
    expect((await h.call(h.keys.readonly, 'POST', `${C}/arousal/adjust`, { delta: 0.1, duration_seconds: 10, source: 'test' })).status).toBe(403);
    await h.model.run.tick();
    const before = (await h.call<ArousalState>(h.keys.readonly, 'GET', `${C}/arousal`)).body;
    const { status, body } = await h.call<ArousalAdjusted>(h.keys.operator, 'POST', `${C}/arousal/adjust`, { delta: 0.4, duration_seconds: 120, source: 'incident drill' });
    expect(status).toBe(201);
    expect(body.modulation).toMatchObject({ delta: 0.4, duration_seconds: 120, source: 'incident drill' });
    expect(body.modulation.current).toBeCloseTo(0.4, 2);
    expect(body.arousal.modulations.map((m) => m.id)).toContain(body.modulation.id);
    await new Promise((r) => setTimeout(r, 300));
    await h.model.run.tick();
    const after = (await h.call<ArousalState>(h.keys.readonly, 'GET', `${C}/arousal`)).body;
    expect(after.target).toBeGreaterThan(0.95);
    expect(after.value).toBeGreaterThan(before.value);
    // 0.15 per second at most between the two integrations, whatever the target
    expect(after.value - before.value).toBeLessThanOrEqual((0.15 * (Date.parse(after.updated_at!) - Date.parse(before.updated_at!))) / 1000 + 1e-9);
  });

  it('ESGT gate: salience below the arousal-dependent threshold blocks, with its reason, and is recorded', async () => {
    const { status, body } = await h.call<EsgtEvent>(h.keys.operator, 'POST', `${C}/esgt/trigger`, LOW);
    expect(status).toBe(200);
    expect(body).toMatchObject({ outcome: 'blocked', gate: 'salience', nodes: [], coherence: null });
    expect(body.salience).toBeCloseTo(0.25 * 0.1 + 0.3 * 0.1 + 0.3 * 0.1 + 0.15 * 0.2, 12);
    expect(body.reason).toMatch(/salience .* < threshold/);
    expect(body.gates.find((g) => g.gate === 'salience')!.passed).toBe(false);
  });

  it('a salient ignition synchronises: phases timed, nodes recruited, recorded, counted; the next one inside the refractory period is blocked by it', async () => {
    const { body: event } = await h.call<EsgtEvent>(h.keys.operator, 'POST', `${C}/esgt/trigger`, { ...HIGH, context: { source: 'test' } });
    expect(event.outcome, event.reason).toBe('success');
    expect(event.gate).toBeNull();
    expect(event.phases.map((p) => p.name)).toEqual(['prepare', 'synchronize', 'broadcast', 'sustain', 'dissolve']);
    expect(event.coherence!.at_sync).toBeGreaterThanOrEqual(0.7);
    expect(event.coherence!.time_to_sync_ms).toBeLessThanOrEqual(300);
    expect(event.node_count).toBe(event.nodes.length);
    expect(event.node_count).toBeGreaterThanOrEqual(20);
    expect(event.seed).not.toBeNull();
    expect(event.context).toEqual({ source: 'test' });
    expect(event.arousal_after).not.toBeNull();
    const again = await h.call<EsgtEvent>(h.keys.operator, 'POST', `${C}/esgt/trigger`, HIGH);
    expect(again.body).toMatchObject({ outcome: 'blocked', gate: 'refractory' });
    const metrics = (await h.app.inject({ method: 'GET', url: '/core/metrics' })).body;
    expect(sample(metrics, 'maximus_esgt_triggers_total', { outcome: 'success' })).toBeGreaterThanOrEqual(1);
    expect(sample(metrics, 'maximus_esgt_triggers_total', { outcome: 'blocked' })).toBeGreaterThanOrEqual(2);
    expect(sample(metrics, 'maximus_consciousness_arousal_level')).toBeGreaterThan(0);
    const listed = await h.call<EsgtEventList>(h.keys.readonly, 'GET', `${C}/esgt/events?outcome=success`);
    expect(listed.body.data.map((e) => e.id)).toContain(event.id);
    expect((await h.call<EsgtEvent>(h.keys.readonly, 'GET', `${C}/esgt/events/${event.id}`)).body).toEqual(event);
  });

  it('esgt/events: filters by gate, pages with a cursor, refuses a forged cursor', async () => {
    for (let i = 0; i < 3; i++) await h.call(h.keys.operator, 'POST', `${C}/esgt/trigger`, LOW);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: EsgtEventList } = await h.call<EsgtEventList>(h.keys.readonly, 'GET', `${C}/esgt/events?gate=salience&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.body.data.length).toBeLessThanOrEqual(2);
      for (const e of page.body.data) expect(e.gate).toBe('salience');
      seen.push(...page.body.data.map((e) => e.id));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(seen.length).toBeGreaterThanOrEqual(4);
    expect(new Set(seen).size).toBe(seen.length);
    expect((await h.call(h.keys.readonly, 'GET', `${C}/esgt/events?cursor=bm9wZQ`)).status).toBe(400);
    expect((await h.call(h.keys.readonly, 'GET', `${C}/esgt/events?outcome=maybe`)).status).toBe(400);
  });

  it('GET state: arousal, TIG summary, recent attempts, this replica leads', async () => {
    await h.model.run.tick();
    const { body } = await h.call<ConsciousnessState>(h.keys.readonly, 'GET', `${C}/state`);
    expect(body.tig).toMatchObject({ node_count: 100, edge_count: 291, healthy_component: 100 });
    expect(body.esgt.active).toBe(false);
    expect(body.esgt.recent.success).toBeGreaterThanOrEqual(1);
    expect(body.esgt.recent.blocked).toBeGreaterThanOrEqual(4);
    expect(body.health.leader).toMatchObject({ this_replica: true });
    expect(body.shut_down).toBe(false);
    const snapshots = await h.platform.db.query<{ n: string }>('SELECT count(*)::text AS n FROM core.consciousness_snapshots');
    expect(Number(snapshots.rows[0]!.n)).toBeGreaterThanOrEqual(1);
  });

  it('SSE stream: a state snapshot, then each ignition attempt as it commits', async () => {
    const url = await h.app.listen({ host: '127.0.0.1', port: 0 });
    const controller = new AbortController();
    const response = await fetch(`${url}${C}/stream?interval_ms=250`, { headers: { 'x-api-key': h.keys.readonly }, signal: controller.signal });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const reader = response.body!.getReader();
    let text = '';
    const read = async (until: RegExp) => {
      const end = Date.now() + 5000;
      while (!until.test(text) && Date.now() < end) text += new TextDecoder().decode((await reader.read()).value);
    };
    await read(/event: state\ndata: /);
    await h.call(h.keys.operator, 'POST', `${C}/esgt/trigger`, LOW);
    await read(/event: esgt\.blocked\ndata: /);
    controller.abort();
    expect(text).toMatch(/(^|\n)id: \d+\n\n/); // where it started: a reconnection before any event resumes there
    expect(text).toMatch(/event: state\ndata: \{"arousal"/);
    expect(text).toMatch(/id: \d+\nevent: esgt\.blocked\ndata: \{/);
  });
});

describe('consciousness: one ignition at a time, frequency, node fatigue and isolation', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness({ gates: { refractoryMs: 0, maxRuns: 3, windowMs: 60_000, minNodes: 20, staleMs: 30_000 }, health: { perIgnition: 0.7 }, ignitionFeedback: { delta: 0 } });
  });
  afterAll(async () => h?.close());

  it('concurrent triggers: the ignitions that ran never overlap; the others are blocked by the concurrency gate', async () => {
    const results = await Promise.all(Array.from({ length: 6 }, () => h.call<EsgtEvent>(h.keys.operator, 'POST', `${C}/esgt/trigger`, HIGH)));
    const events = results.map((r) => r.body);
    const ran = events.filter((e) => e.outcome !== 'blocked').sort((a, b) => a.started_at.localeCompare(b.started_at));
    expect(ran.length).toBeGreaterThanOrEqual(1);
    for (let i = 1; i < ran.length; i++) expect(Date.parse(ran[i]!.started_at)).toBeGreaterThanOrEqual(Date.parse(ran[i - 1]!.finished_at));
    expect(events.filter((e) => e.gate === 'concurrency').length).toBeGreaterThanOrEqual(1);
    for (const e of events.filter((x) => x.outcome === 'blocked')) expect(['concurrency', 'frequency']).toContain(e.gate);
  });

  it('an ignition whose replica died (gate held past its stale time) is closed as failed, and the gate works again', async () => {
    const abandoned = '11111111-1111-4111-8111-111111111111';
    await h.platform.db.query(`UPDATE core.esgt_gate SET active_id = $1, active_nodes = '{1,2,3}', active_since = now() - interval '1 minute', active_replica = 'gone:1:abc' WHERE id`, [abandoned]);
    const { body } = await h.call<EsgtEvent>(h.keys.operator, 'POST', `${C}/esgt/trigger`, HIGH);
    expect(body.gate).not.toBe('concurrency');
    const closed = (await h.call<EsgtEvent>(h.keys.readonly, 'GET', `${C}/esgt/events/${abandoned}`)).body;
    expect(closed).toMatchObject({ outcome: 'failed', nodes: [1, 2, 3], triggered_by: 'system' });
    expect(closed.reason).toMatch(/abandoned: replica gone:1:abc stopped during the ignition/);
  });

  it('max frequency: once 3 ran in the window, the next is blocked by the frequency gate', async () => {
    let last: EsgtEvent | undefined;
    for (let i = 0; i < 5 && last?.gate !== 'frequency'; i++) last = (await h.call<EsgtEvent>(h.keys.operator, 'POST', `${C}/esgt/trigger`, HIGH)).body;
    expect(last).toMatchObject({ outcome: 'blocked', gate: 'frequency' });
    expect(last!.reason).toMatch(/3 ignitions in the last 60000 ms/);
  });

  it('recruited nodes tire: the health pass degrades them, the export doubles their latency, and metrics still match a recomputation', async () => {
    await h.model.run.health();
    const graph = (await h.call<TigGraph>(h.keys.readonly, 'GET', `${C}/tig/graph`)).body;
    const degraded = new Set(graph.nodes.filter((n) => n.state === 'degraded' || n.state === 'offline').map((n) => n.id));
    expect(degraded.size).toBeGreaterThan(0);
    const base = new Map(networkx.export.edges.map((e) => [`${e.source}-${e.target}`, e.latency_us]));
    for (const e of graph.edges) {
      const healthy = base.get(`${e.source}-${e.target}`)!;
      const expected = graph.nodes[e.source]!.state === 'degraded' || graph.nodes[e.target]!.state === 'degraded' ? Math.round(healthy * 2 * 1000) / 1000 : healthy;
      expect(Math.abs(e.latency_us - expected)).toBeLessThanOrEqual(0.0015);
    }
    const state = (await h.call<ConsciousnessState>(h.keys.readonly, 'GET', `${C}/state`)).body;
    expect(state.tig.nodes_by_state.active).toBeLessThan(100);
  });

  it('a node past the isolation load goes offline: its links leave the export and the metrics say how the split graph is measured', async () => {
    // Load the most-recruited nodes past 1.0 directly through the loads the ignitions left (0.7 each): one more ignition's worth.
    await h.platform.db.query(`UPDATE core.tig_nodes SET load = load + 1, load_at = now() WHERE state <> 'active'`);
    await h.model.run.health();
    const graph = (await h.call<TigGraph>(h.keys.readonly, 'GET', `${C}/tig/graph`)).body;
    const offline = new Set(graph.nodes.filter((n) => n.state === 'offline').map((n) => n.id));
    expect(offline.size).toBeGreaterThan(0);
    for (const e of graph.edges) expect(offline.has(e.source) || offline.has(e.target)).toBe(false);
    const metrics = (await h.call<TigMetrics>(h.keys.readonly, 'GET', `${C}/tig/metrics`)).body;
    expect(metrics.edge_count).toBe(graph.edges.length);
    expect(metrics.path_length_policy.connected).toBe(false);
    expect(metrics.algebraic_connectivity).toBe(0);
    expect(metrics.min_path_redundancy).toBe(0);
    expect(metrics.nodes_by_state.offline).toBe(offline.size);
    expect(metrics.path_length_policy.description).toMatch(/largest component/);
  });

  it('isolation holds (hysteresis): a second health pass right away changes nothing', async () => {
    const before = (await h.call<TigGraph>(h.keys.readonly, 'GET', `${C}/tig/graph`)).body.nodes;
    await h.model.run.health();
    expect((await h.call<TigGraph>(h.keys.readonly, 'GET', `${C}/tig/graph`)).body.nodes).toEqual(before);
  });

  it('ESGT gate: too few healthy connected nodes blocks', async () => {
    await h.platform.db.query(`UPDATE core.tig_nodes SET state = 'offline', state_since = now(), load = 5, load_at = now() WHERE id % 2 = 0 OR id < 30`);
    await h.platform.db.query(`DELETE FROM core.esgt_events`); // frees the frequency window
    const { body } = await h.call<EsgtEvent>(h.keys.operator, 'POST', `${C}/esgt/trigger`, HIGH);
    expect(body).toMatchObject({ outcome: 'blocked', gate: 'healthy_nodes' });
    expect(body.reason).toMatch(/connected healthy nodes \(at least 20\)/);
  });
});

describe('consciousness: kill switch and safety violations', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness({ gates: { refractoryMs: 0, maxRuns: 1000, windowMs: 10_000, minNodes: 20, staleMs: 30_000 } }, 100);
  });
  afterAll(async () => h?.close());

  it('an ignition storm is a violation in safety/status and degrades the state', async () => {
    for (let i = 0; i < 20; i++) await h.call(h.keys.operator, 'POST', `${C}/esgt/trigger`, LOW);
    await h.model.run.tick();
    const status = (await h.call<SafetyStatus>(h.keys.readonly, 'GET', `${C}/safety/status`)).body;
    expect(status.shut_down).toBe(false);
    const storm = status.violations.find((v) => v.kind === 'ignition_storm');
    expect(storm).toMatchObject({ active: true, threshold: 20 });
    expect(storm!.value).toBeGreaterThanOrEqual(20);
    const state = (await h.call<ConsciousnessState>(h.keys.readonly, 'GET', `${C}/state`)).body;
    expect(state.health.status).toBe('degraded');
    expect(state.health.active_violations).toBe(1);
  });

  it('while the kill switch holds, ignitions (recorded as blocked) and modulations are refused with 503; resume lifts it', async () => {
    const requested = await h.call<{ decision: { id: string } }>(h.keys.admin, 'POST', `${C}/safety/emergency-shutdown`, { reason: 'runaway ignitions in the test' });
    expect(requested.status).toBe(202);
    const end = Date.now() + 5000;
    while (!(await h.call<SafetyStatus>(h.keys.readonly, 'GET', `${C}/safety/status`)).body.shut_down && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    const refused = await h.call<{ code: string }>(h.keys.operator, 'POST', `${C}/esgt/trigger`, HIGH);
    expect(refused.status).toBe(503);
    expect(refused.body.code).toBe('CORE_ERR_SAFETY_SHUT_DOWN');
    expect(refused.headers['x-should-retry']).toBe('false'); // lasts until an admin resumes: clients must not retry
    const blocked = await h.call<EsgtEventList>(h.keys.readonly, 'GET', `${C}/esgt/events?gate=kill_switch`);
    expect(blocked.body.data.length).toBeGreaterThanOrEqual(1);
    const adjust = await h.call<{ code: string }>(h.keys.operator, 'POST', `${C}/arousal/adjust`, { delta: 0.2, duration_seconds: 5, source: 'test' });
    expect(adjust.status).toBe(503);
    expect((await h.call<ConsciousnessState>(h.keys.readonly, 'GET', `${C}/state`)).body.health.status).toBe('down');
    // the refusals are 5xx answers of core: the error-rate pressure measures them
    await h.model.run.report();
    await h.model.run.tick();
    const errors = (await h.call<ArousalState>(h.keys.readonly, 'GET', `${C}/arousal`)).body.contributions.find((c) => c.name === 'error_rate')!;
    expect(errors.signal).toBeGreaterThan(0);
    expect(errors.pressure).toBeGreaterThan(0);
    expect((await h.call(h.keys.admin, 'POST', `${C}/safety/resume`, { reason: 'done' })).status).toBe(200);
    expect((await h.call<EsgtEvent>(h.keys.operator, 'POST', `${C}/esgt/trigger`, HIGH)).body.gate).not.toBe('kill_switch');
  });
});
