import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance, InjectOptions } from 'fastify';
import type { Decision, DecisionDetail } from '@maximus/contracts';
import { loadConfig } from '@maximus/kit/config';
import { createPlatform, type Platform } from '@maximus/kit/platform';
import { prepareService, type PreparedService } from '@maximus/kit/service';
import { build, createGatewaySecurity, type GatewaySecurity } from '@maximus/gateway';
import { createCoreService, governanceOf } from '@maximus/core';
import { freshPgliteDir, sample, silentLog } from './helpers.js';

const LOW = { threat: 0.1, asset: 0.1, business: 0.1, action: 0.1, compliance: 0.1, environment: 0.1 };
const MEDIUM = { threat: 0.4, asset: 0.4, business: 0.4, action: 0.4, compliance: 0.4, environment: 0.4 };
const HIGH = { threat: 0.6, asset: 0.6, business: 0.6, action: 0.6, compliance: 0.6, environment: 0.6 };
const CRITICAL = { threat: 0.9, asset: 0.9, business: 0.9, action: 0.9, compliance: 0.9, environment: 0.9 };
const G = '/core/api/v1/governance';

interface Harness {
  app: FastifyInstance;
  platform: Platform;
  security: GatewaySecurity;
  core: PreparedService;
  clock: { now: () => number; advance: (ms: number) => void };
  keys: { admin: string; admin2: string; operator: string; operator2: string; readonly: string };
  close(): Promise<void>;
}

/** The embedded gateway with core alone, on a controllable clock, its loops running. */
async function harness(): Promise<Harness> {
  let now = Date.parse('2030-01-01T00:00:00Z');
  const clock = { now: () => now, advance: (ms: number) => void (now += ms) };
  const dataDir = freshPgliteDir();
  const config = loadConfig({ MAXIMUS_DATA_DIR: dataDir });
  const platform = await createPlatform({ config, log: silentLog, dataDir });
  const security = await createGatewaySecurity({ config, db: platform.db, bus: platform.bus, log: silentLog, dataDir, createFirstAdminKey: true });
  const core = await prepareService(createCoreService({ clock, tickMs: 25, overrideWindowMs: 5000 }), platform);
  const app = await build({ mode: 'embedded', services: [core], db: platform.db, config, security, log: silentLog });
  await core.start();
  security.startRelay();
  const key = async (role: 'admin' | 'operator' | 'readonly', name: string) => (await security.keys.create({ name, role, createdBy: null })).key;
  const keys = { admin: security.createdAdminKey!, admin2: await key('admin', 'admin2'), operator: await key('operator', 'op'), operator2: await key('operator', 'op2'), readonly: await key('readonly', 'ro') };
  return {
    app, platform, security, core, clock, keys,
    async close() {
      await app.close();
      await core.stop();
      await security.close();
      await platform.close();
    },
  };
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > end) return value;
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('governance through the embedded gateway', () => {
  let h: Harness;
  const call = (key: string, method: 'GET' | 'POST', url: string, payload?: object, remoteAddress?: string) => {
    const options: InjectOptions = { method, url, headers: { 'x-api-key': key } };
    if (payload !== undefined) options.payload = payload;
    if (remoteAddress) options.remoteAddress = remoteAddress;
    return h.app.inject(options);
  };
  const propose = async (key: string, body: Record<string, unknown>) => {
    const res = await call(key, 'POST', `${G}/decisions`, { reasoning: 'test', confidence: 0.7, risk_factors: LOW, ...body });
    expect(res.statusCode, res.body).toBe(201);
    return res.json<Decision>();
  };
  const detail = async (id: string) => (await call(h.keys.readonly, 'GET', `${G}/decisions/${id}`)).json<DecisionDetail>();
  const settled = (id: string) => until(() => detail(id), (d) => !['pending', 'approved', 'executing'].includes(d.status));

  beforeAll(async () => {
    h = await harness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('lists the catalogue; the four human-only actions are never FULL', async () => {
    const res = await call(h.keys.readonly, 'GET', `${G}/actions`);
    expect(res.statusCode).toBe(200);
    const actions = res.json<{ data: { action_type: string; never_full: boolean }[] }>().data;
    for (const t of ['block_ip', 'unblock_ip', 'revoke_api_key', 'tighten_rate_limit', 'apply_patch', 'quarantine_file', 'isolate_host', 'emergency_shutdown', 'run_scan', 'run_browser_task']) {
      expect(actions.map((a) => a.action_type)).toContain(t);
    }
    for (const t of ['apply_patch', 'revoke_api_key', 'isolate_host', 'quarantine_file']) expect(actions.find((a) => a.action_type === t)?.never_full).toBe(true);
  });

  it('validates params against the action schema, naming the field', async () => {
    const res = await call(h.keys.operator, 'POST', `${G}/decisions`, { action_type: 'block_ip', params: { address: 'not an ip!' }, reasoning: 'x', confidence: 0.5, risk_factors: LOW });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([expect.objectContaining({ pointer: '/body/params/address' })]);
    const unknown = await call(h.keys.operator, 'POST', `${G}/decisions`, { action_type: 'nope', params: {}, reasoning: 'x', confidence: 0.5, risk_factors: LOW });
    expect(unknown.json().code).toBe('CORE_ERR_GOVERNANCE_UNKNOWN_ACTION');
  });

  it('FULL executes at once: block_ip denies the address on every route until unblock_ip', async () => {
    const d = await propose(h.keys.operator, { action_type: 'block_ip', params: { address: '203.0.113.9' }, confidence: 0.995 });
    expect(d.automation_level).toBe('FULL');
    expect(d.status).toBe('executing');
    const done = await settled(d.id);
    expect(done.status).toBe('executed');
    expect(done.transitions.map((t) => t.kind)).toEqual(['created', 'approved', 'executing', 'executed']);
    expect(done.transitions[1]).toMatchObject({ actor: 'system', details: { rule: expect.stringContaining('FULL') } });
    for (const url of ['/health', '/core/health', `${G}/stats`, '/api/v1/keys', '/nothing/here']) {
      const res = await call(h.keys.admin, 'GET', url, undefined, '203.0.113.9');
      expect(res.statusCode, url).toBe(403);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json().code).toBe('GATEWAY_ERR_ADDRESS_BLOCKED');
    }
    expect((await call(h.keys.admin, 'GET', `${G}/stats`, undefined, '203.0.113.10')).statusCode).toBe(200);
    const lift = await propose(h.keys.operator, { action_type: 'unblock_ip', params: { address: '203.0.113.9' }, confidence: 0.995 });
    expect((await settled(lift.id)).status).toBe('executed');
    expect((await call(h.keys.admin, 'GET', `${G}/stats`, undefined, '203.0.113.9')).statusCode).toBe(200);
  });

  it('apply_patch is never FULL whatever the confidence; an action without an executor fails clearly', async () => {
    const d = await propose(h.keys.operator, { action_type: 'apply_patch', params: { patch_id: 'p1' }, confidence: 1 });
    expect(d.automation_level).toBe('SUPERVISED');
    expect(d.status).toBe('pending');
    const q = await propose(h.keys.operator, { action_type: 'quarantine_file', params: { host: 'h1', path: '/tmp/x' }, confidence: 0.7 });
    const approved = await call(h.keys.operator2, 'POST', `${G}/decisions/${q.id}/approve`, {});
    expect(approved.json().status).toBe('failed');
    expect(approved.json().error).toMatch(/no executor is registered for quarantine_file/);
    // (PENELOPE's executor is not part of this harness: withdraw the proposal; test/healing-sdk.test.ts applies patches.)
    expect((await call(h.keys.operator, 'POST', `${G}/decisions/${d.id}/cancel`, {})).json().status).toBe('cancelled');
  });

  it('checks roles: readonly reads but cannot approve; an operator cannot approve HIGH', async () => {
    const high = await propose(h.keys.operator, { action_type: 'block_ip', params: { address: '198.51.100.1' }, risk_factors: HIGH });
    expect(high.risk_level).toBe('HIGH');
    for (const url of [`${G}/decisions`, `${G}/decisions/${high.id}`, `${G}/stats`, `${G}/actions`]) expect((await call(h.keys.readonly, 'GET', url)).statusCode, url).toBe(200);
    for (const verb of ['approve', 'reject', 'escalate', 'cancel']) {
      const res = await call(h.keys.readonly, 'POST', `${G}/decisions/${high.id}/${verb}`, { reason: 'r' });
      expect(res.statusCode).toBe(403);
    }
    const op = await call(h.keys.operator2, 'POST', `${G}/decisions/${high.id}/approve`, {});
    expect(op.statusCode).toBe(403);
    expect(op.json().code).toBe('CORE_ERR_GOVERNANCE_NO_AUTHORITY');
    const cancel = await call(h.keys.operator2, 'POST', `${G}/decisions/${high.id}/cancel`, {});
    expect(cancel.json().code).toBe('CORE_ERR_GOVERNANCE_CANCEL_FORBIDDEN');
    const byProposer = await call(h.keys.operator, 'POST', `${G}/decisions/${high.id}/cancel`, { reason: 'changed my mind' });
    expect(byProposer.json().status).toBe('cancelled');
    expect((await call(h.keys.admin, 'POST', `${G}/decisions/${high.id}/approve`, {})).statusCode).toBe(409);
  });

  it('CRITICAL needs two distinct admins; a repeated vote is 409; the beneficiary cannot vote', async () => {
    const d = await propose(h.keys.admin, { action_type: 'block_ip', params: { address: '192.0.2.77' }, risk_factors: CRITICAL });
    expect(d).toMatchObject({ risk_level: 'CRITICAL', automation_level: 'MANUAL', approvals_required: 2, tier: 'admin' });
    expect((await call(h.keys.admin, 'POST', `${G}/decisions/${d.id}/approve`, {})).json().code).toBe('CORE_ERR_GOVERNANCE_BENEFICIARY_VOTE');
    const opKey = (await h.security.keys.create({ name: 'admin3', role: 'admin', createdBy: null })).key;
    const first = await call(h.keys.admin2, 'POST', `${G}/decisions/${d.id}/approve`, { comment: 'one' });
    expect(first.json()).toMatchObject({ status: 'pending', approvals_received: 1 });
    const again = await call(h.keys.admin2, 'POST', `${G}/decisions/${d.id}/approve`, {});
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('CORE_ERR_GOVERNANCE_ALREADY_VOTED');
    const second = await call(opKey, 'POST', `${G}/decisions/${d.id}/approve`, {});
    expect(second.json().status).toBe('executing');
    expect((await settled(d.id)).approvals.map((a) => a.comment)).toContain('one');
    expect((await call(h.keys.admin2, 'POST', `${G}/decisions/${d.id}/reject`, { reason: 'late' })).statusCode).toBe(409);
  });

  it('approve with edited params: diffed, recorded, validated again', async () => {
    const d = await propose(h.keys.operator, { action_type: 'run_scan', params: { targets: ['127.0.0.1'] }, confidence: 0.5, risk_factors: MEDIUM });
    const bad = await call(h.keys.operator2, 'POST', `${G}/decisions/${d.id}/approve`, { params: { targets: [] } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].pointer).toBe('/body/params/targets');
    await call(h.keys.operator2, 'POST', `${G}/decisions/${d.id}/approve`, { params: { targets: ['127.0.0.2'] } });
    const after = await detail(d.id);
    expect(after.params).toEqual({ targets: ['127.0.0.2'] });
    expect(after.transitions.find((t) => t.kind === 'approved')?.details).toMatchObject({ params_diff: [{ path: '/targets', from: ['127.0.0.1'], to: ['127.0.0.2'] }] });
    expect(after.status).toBe('failed'); // nis has no executor yet
  });

  it('revoke_api_key through governance: that key gets 401', async () => {
    const victim = await h.security.keys.create({ name: 'victim', role: 'operator', createdBy: null });
    expect((await call(victim.key, 'GET', `${G}/stats`)).statusCode).toBe(200);
    const d = await propose(h.keys.operator, { action_type: 'revoke_api_key', params: { key_id: victim.id }, confidence: 1 });
    expect(d.automation_level).toBe('SUPERVISED');
    await call(h.keys.operator2, 'POST', `${G}/decisions/${d.id}/approve`, {});
    expect((await settled(d.id)).status).toBe('executed');
    expect((await call(victim.key, 'GET', `${G}/stats`)).statusCode).toBe(401);
  });

  it('tighten_rate_limit through governance: the principal is held to the stricter limit', async () => {
    const target = await h.security.keys.create({ name: 'noisy', role: 'readonly', createdBy: null });
    const d = await propose(h.keys.operator, { action_type: 'tighten_rate_limit', params: { principal: `user:key-${target.id}`, limit: 2, window_seconds: 60 }, confidence: 0.995 });
    expect((await settled(d.id)).status).toBe('executed');
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await call(target.key, 'GET', `${G}/actions`)).statusCode);
    expect(statuses).toEqual([200, 200, 429]);
    expect((await call(h.keys.readonly, 'GET', `${G}/actions`)).statusCode).toBe(200);
  });

  it('SLA: escalates once at the deadline, expires at the next, never executes', async () => {
    const d = await propose(h.keys.operator, { action_type: 'block_ip', params: { address: '192.0.2.200' }, confidence: 0.5 });
    expect(d).toMatchObject({ risk_level: 'LOW', tier: 'operator' });
    expect(Date.parse(d.deadline_at) - Date.parse(d.created_at)).toBe(30 * 60_000);
    h.clock.advance(30 * 60_000 + 1);
    const escalated = await until(() => detail(d.id), (x) => x.escalations === 1);
    expect(escalated).toMatchObject({ status: 'pending', tier: 'admin' });
    expect(escalated.transitions.at(-1)).toMatchObject({ kind: 'escalated', actor: 'system' });
    expect((await call(h.keys.operator2, 'POST', `${G}/decisions/${d.id}/approve`, {})).statusCode).toBe(403);
    h.clock.advance(30 * 60_000 + 1);
    const expired = await until(() => detail(d.id), (x) => x.status === 'expired');
    expect(expired.status).toBe('expired');
    expect(expired.transitions.map((t) => t.kind)).toEqual(['created', 'escalated', 'expired']);
    expect((await call(h.keys.admin, 'POST', `${G}/decisions/${d.id}/approve`, {})).statusCode).toBe(409);
    expect((await call(h.keys.admin, 'GET', `${G}/stats`)).json().sla_violations).toMatchObject({ expired: 1 });
    expect((await call(h.keys.admin, 'GET', '/health', undefined, '192.0.2.200')).statusCode).toBe(200);
  });

  it('lists with filters and a cursor; stats count pending by risk; the metric counts transitions', async () => {
    for (let i = 0; i < 3; i++) await propose(h.keys.operator, { action_type: 'run_browser_task', params: { description: `t${i}`, url: 'https://example.org' }, confidence: 0.1 });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { data: Decision[]; next_cursor: string | null } = (await call(h.keys.readonly, 'GET', `${G}/decisions?action_type=run_browser_task&status=pending&limit=2${cursor ? `&cursor=${cursor}` : ''}`)).json<{ data: Decision[]; next_cursor: string | null }>();
      seen.push(...page.data.map((d) => d.id));
      cursor = page.next_cursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(3);
    expect((await call(h.keys.readonly, 'GET', `${G}/decisions?cursor=garbage`)).json().code).toBe('CORE_ERR_GOVERNANCE_CURSOR_INVALID');
    const stats = (await call(h.keys.readonly, 'GET', `${G}/stats`)).json();
    expect(stats.pending.LOW).toBeGreaterThanOrEqual(3);
    expect(stats.pending.total).toBe(stats.pending.LOW + stats.pending.MEDIUM + stats.pending.HIGH + stats.pending.CRITICAL);
    expect(stats.by_status.pending).toBe(stats.pending.total);
    // The oldest pending decision is the earliest created of the pending ones the list returns.
    const pendingNow = (await call(h.keys.readonly, 'GET', `${G}/decisions?status=pending&limit=100`)).json<{ data: Decision[] }>().data;
    expect(pendingNow).toHaveLength(stats.pending.total);
    const earliest = [...pendingNow].sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id))[0]!;
    expect(stats.oldest_pending).toMatchObject({ id: earliest.id, created_at: earliest.created_at });
    expect(stats.oldest_pending.age_seconds).toBeGreaterThanOrEqual(0);
    const metrics = (await h.app.inject({ method: 'GET', url: '/core/metrics' })).body;
    expect(sample(metrics, 'maximus_governance_decisions_total', { status: 'pending', risk_level: 'LOW' })).toBeGreaterThanOrEqual(3);
  });

  it('kill switch vetoed inside the window: nothing stops', async () => {
    const req = await call(h.keys.admin, 'POST', '/core/api/v1/consciousness/safety/emergency-shutdown', { reason: 'runaway loop detected' });
    expect(req.statusCode, req.body).toBe(202);
    const { decision } = req.json<{ decision: Decision }>();
    expect((await call(h.keys.admin, 'GET', '/core/api/v1/consciousness/safety/status')).json().pending).toMatchObject({ decision_id: decision.id });
    expect((await call(h.keys.admin2, 'POST', `${G}/decisions/${decision.id}/reject`, { reason: 'false alarm' })).json().status).toBe('rejected');
    h.clock.advance(6000);
    await new Promise((r) => setTimeout(r, 150));
    expect((await call(h.keys.admin, 'GET', '/core/api/v1/consciousness/safety/status')).json()).toMatchObject({ shut_down: false, pending: null });
    expect(governanceOf(h.core.ctx).safety.isShutDown()).toBe(false);
  });

  it('kill switch not vetoed: shut down after the window until resume', async () => {
    const short = await call(h.keys.admin, 'POST', '/core/api/v1/consciousness/safety/emergency-shutdown', { reason: 'short' });
    expect(short.statusCode).toBe(400);
    const req = await call(h.keys.admin, 'POST', '/core/api/v1/consciousness/safety/emergency-shutdown', { reason: 'runaway loop detected' });
    const { decision } = req.json<{ decision: Decision }>();
    h.clock.advance(1000);
    await new Promise((r) => setTimeout(r, 100));
    expect(governanceOf(h.core.ctx).safety.isShutDown()).toBe(false);
    h.clock.advance(4500);
    const status = await until(() => call(h.keys.readonly, 'GET', '/core/api/v1/consciousness/safety/status').then((r) => r.json<{ shut_down: boolean }>()), (s) => s.shut_down);
    expect(status).toMatchObject({ shut_down: true, decision_id: decision.id, reason: 'runaway loop detected' });
    expect(governanceOf(h.core.ctx).safety.isShutDown()).toBe(true);
    expect(() => governanceOf(h.core.ctx).safety.assertRunning()).toThrow(/emergency shutdown/);
    expect((await detail(decision.id)).status).toBe('executed');
    expect((await call(h.keys.operator, 'POST', '/core/api/v1/consciousness/safety/resume', {})).statusCode).toBe(403);
    const resumed = await call(h.keys.admin2, 'POST', '/core/api/v1/consciousness/safety/resume', { reason: 'fixed' });
    expect(resumed.json()).toMatchObject({ shut_down: false });
    expect(governanceOf(h.core.ctx).safety.isShutDown()).toBe(false);
    expect((await call(h.keys.admin2, 'POST', '/core/api/v1/consciousness/safety/resume', {})).statusCode).toBe(409);
  });

  it('the requester may cancel a kill switch inside the window', async () => {
    const { decision } = (await call(h.keys.admin, 'POST', '/core/api/v1/consciousness/safety/emergency-shutdown', { reason: 'pressed by mistake' })).json<{ decision: Decision }>();
    expect((await call(h.keys.admin, 'POST', `${G}/decisions/${decision.id}/cancel`, {})).json().status).toBe('cancelled');
    h.clock.advance(10_000);
    await new Promise((r) => setTimeout(r, 100));
    expect(governanceOf(h.core.ctx).safety.isShutDown()).toBe(false);
  });
});
