import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Maximus } from '@maximus/sdk';
import { createCoreService } from '@maximus/core';
import type { Decision, FruitName, VirtueName } from '@maximus/contracts';
import { freshPgliteDir, sample } from './helpers.js';
import { spiritualPlatform, type SpiritualPlatform } from './spiritual-helpers.js';

const LOW = { threat: 0.1, asset: 0.1, business: 0.1, action: 0.1, compliance: 0.1, environment: 0.1 };
const MINUTE = 60_000;

/** Governance's clock, movable so that SLA deadlines pass (escalation, expiry) without waiting. */
let skewMs = 0;
const clock = { now: () => Date.now() + skewMs };
const core = () => createCoreService({ clock, tickMs: 25 });
/** readonly principals get 2 reads a minute: the self-control test is rate limited for real. */
const ENV = { MAXIMUS_RATE_LIMITS_READONLY: 'read=2/60' };

// Every fruit and virtue moves when its input moves: the inputs are driven for real (requests through the
// gateway, governance through the SDK, the events the producers publish, a restart, a tampered ledger), and
// each score is read back through the API after a sampling pass.
describe('fruits and virtues follow their measured inputs', () => {
  const dataDir = freshPgliteDir();
  let p: SpiritualPlatform;
  let admin: Maximus;
  let operator: Maximus;
  let readonlyKey: string;

  async function listen(): Promise<void> {
    const url = await p.app.listen({ host: '127.0.0.1', port: 0 });
    admin = new Maximus({ baseURL: url, apiKey: p.adminKey, maxRetries: 0 });
    operator = new Maximus({ baseURL: url, apiKey: (await p.security.keys.create({ name: 'operator', role: 'operator', createdBy: null })).key, maxRetries: 0 });
    readonlyKey = (await p.security.keys.create({ name: 'reader', role: 'readonly', createdBy: null })).key;
  }

  beforeAll(async () => {
    p = await spiritualPlatform(dataDir, ENV, { definitions: { core: core() } });
    await listen();
  });
  afterAll(async () => {
    await admin?.close();
    await operator?.close();
    await p?.close();
  });

  const fruit = (name: FruitName) => p.fruit(name);
  const virtue = (name: VirtueName) => p.virtue(name);
  const pass = () => p.spiritual.collectNow();
  /** Waits until penelope recorded `kind` for decision `id` (the event went core's outbox → bus → penelope). */
  const heard = (id: string, kind: string) =>
    p.until(`SELECT count(*) AS n FROM penelope.spiritual_events WHERE subject_id = $1 AND facts->>'kind' = $2`, [id, kind]);
  /** Holds the (single-connection) embedded database in a transaction until the returned function is called. */
  const holdDatabase = async (): Promise<() => Promise<void>> => {
    let release!: () => void;
    let began!: () => void;
    const started = new Promise<void>((resolve) => (began = resolve));
    const held = p.platform.db.transaction(async () => {
      began();
      await new Promise<void>((resolve) => (release = resolve));
    });
    await started;
    return async () => {
      release();
      await held;
    };
  };
  /** Appends evidence and waits until the signed root covers it. */
  const appendEvidence = async (subject: string) => {
    const entry = await admin.evidence.create({ type: 'spiritual.test', subject_id: subject, payload: { subject } });
    for (let i = 0; i < 200 && (await admin.ledger.root()).tree_size <= entry.index; i++) await new Promise((resolve) => setTimeout(resolve, 25));
  };
  const settled = async (id: string): Promise<Decision> => {
    for (let i = 0; i < 400; i++) {
      const d = await admin.governance.decisions.retrieve(id);
      if (['executed', 'failed', 'rejected', 'expired', 'cancelled'].includes(d.status)) return d;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`decision ${id} did not settle`);
  };

  it('says "no data" for every score before anything was measured', async () => {
    const fruits = await p.fruits();
    expect(fruits.fruits.map((f) => f.name)).toEqual(['love', 'joy', 'peace', 'patience', 'kindness', 'goodness', 'faithfulness', 'gentleness', 'self_control']);
    for (const f of fruits.fruits) {
      expect(f, f.name).toMatchObject({ score: null, status: 'no_data' });
      expect(f.no_data_reason).toBeTruthy();
      expect(f.formula).toBeTruthy();
      expect(f.inputs.length).toBeGreaterThan(0);
    }
    expect(fruits).toMatchObject({ overall_score: null, healthy_count: 0, scored_count: 0 });
    const virtues = await p.virtues();
    expect(virtues.virtues.map((v) => [v.name, v.score])).toEqual([['sophia', null], ['praotes', null], ['tapeinophrosyne', null]]);
    const text = (await p.app.inject({ method: 'GET', url: '/penelope/metrics' })).body;
    expect(text).not.toMatch(/^penelope_fruits_score\{/m);
  });

  it('measures the running platform: two passes give joy, patience, kindness, peace, faithfulness and self-control', async () => {
    const first = await pass();
    expect(first?.scraped.length).toBe(8);
    expect(first?.probes.every((x) => x.available)).toBe(true);
    expect(first?.ledger_checks.map((c) => [c.kind, c.passed])).toEqual([['signature', true]]);
    await appendEvidence('baseline');
    for (let i = 0; i < 5; i++) expect((await p.call('GET', '/core/api/v1/governance/decisions')).status).toBe(200);
    const second = await pass();
    expect(second?.ledger_checks.map((c) => [c.kind, c.passed])).toEqual([['signature', true], ['consistency', true]]);
    const report = await p.fruits();
    const score = (n: FruitName) => report.fruits.find((f) => f.name === n)!;
    expect(score('joy').score).toBe(1);
    expect(score('kindness').score).toBe(1);
    expect(score('faithfulness').score).toBe(1);
    expect(score('peace').score).toBe(1);
    expect(score('patience').score).toBeGreaterThan(0);
    expect(score('self_control').score).toBeGreaterThan(0);
    expect(score('love').score).toBeNull();
    expect(report.collector.passes_in_window).toBe(2);
    expect(report.scored_count).toBe(6);
    expect(report.overall_score).toBeCloseTo(report.fruits.filter((f) => f.score !== null).reduce((a, f) => a + f.score!, 0) / 6, 3);
    // The gauges carry the same numbers.
    const text = (await p.app.inject({ method: 'GET', url: '/penelope/metrics' })).body;
    expect(sample(text, 'penelope_fruits_score', { fruit: 'joy' })).toBe(1);
    expect(sample(text, 'penelope_fruits_score', { fruit: 'love' })).toBeUndefined();
  });

  it('joy falls when requests fail with a server error', async () => {
    const before = await fruit('joy');
    // The decisions table goes missing for a moment: reads of it fail with a 500.
    await p.platform.db.query('ALTER TABLE core.governance_decisions RENAME TO governance_decisions_away');
    try {
      for (let i = 0; i < 3; i++) expect((await p.call('GET', '/core/api/v1/governance/decisions')).status).toBe(500);
    } finally {
      await p.platform.db.query('ALTER TABLE core.governance_decisions_away RENAME TO governance_decisions');
    }
    await pass();
    expect(await fruit('joy')).toBeLessThan(before!);
  });

  it('patience falls when requests take longer than the latency SLO', async () => {
    const before = await fruit('patience');
    // The database is busy for 600 ms: reads that need it wait, and answer late.
    const release = await holdDatabase();
    const slow = Promise.all([0, 1, 2, 3, 4, 5].map(() => p.call('GET', '/core/api/v1/governance/decisions')));
    await new Promise((resolve) => setTimeout(resolve, 600));
    await release();
    expect((await slow).every((r) => r.status === 200)).toBe(true);
    await pass();
    expect(await fruit('patience')).toBeLessThan(before!);
  });

  it('self-control falls when requests are rate limited', async () => {
    const before = (await p.fruits()).fruits.find((f) => f.name === 'self_control')!;
    const statuses = [];
    for (let i = 0; i < 60; i++) statuses.push((await p.call('GET', '/core/api/v1/governance/decisions', undefined, readonlyKey)).status);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(50);
    await pass();
    const after = (await p.fruits()).fruits.find((f) => f.name === 'self_control')!;
    const restraint = (f: typeof after) => f.inputs.find((i) => i.name === 'restraint')!.value!;
    expect(restraint(after)).toBeLessThan(restraint(before));
    expect(after.score).toBeLessThan(before.score!);
  });

  it('love follows approvals and rejections by people', async () => {
    const approve = await operator.governance.decisions.create({ action_type: 'block_ip', params: { address: '203.0.113.41' }, reasoning: 'love 1', confidence: 0.7, risk_factors: LOW });
    await admin.governance.decisions.approve(approve.id, { comment: 'yes' });
    await heard(approve.id, 'approved');
    expect(await fruit('love')).toBe(1);
    const reject = await operator.governance.decisions.create({ action_type: 'block_ip', params: { address: '203.0.113.42' }, reasoning: 'love 2', confidence: 0.7, risk_factors: LOW });
    await admin.governance.decisions.reject(reject.id, { reason: 'not this one' });
    await heard(reject.id, 'rejected');
    expect(await fruit('love')).toBe(0.5);
  });

  it('tapeinophrosyne follows autonomous outcomes and escalations; sophia follows approvals, deferrals and precedents', async () => {
    // Leftover pending decisions would expire below too: withdraw them.
    for await (const d of admin.governance.decisions.list({ status: 'pending' })) await admin.governance.decisions.cancel(d.id);
    const full = await operator.governance.decisions.create({ action_type: 'block_ip', params: { address: '198.51.100.7' }, reasoning: 'autonomous', confidence: 0.995, risk_factors: LOW });
    expect(full.automation_level).toBe('FULL');
    expect((await settled(full.id)).status).toBe('executed');
    await heard(full.id, 'executed');
    expect(await virtue('tapeinophrosyne')).toBe(1);
    // An autonomous action whose execution fails (the executor refuses an address that is not one).
    const bad = await operator.governance.decisions.create({ action_type: 'block_ip', params: { address: '999.999.999.999' }, reasoning: 'autonomous, wrong', confidence: 0.995, risk_factors: LOW });
    expect((await settled(bad.id)).status).toBe('failed');
    await heard(bad.id, 'failed');
    expect(await virtue('tapeinophrosyne')).toBe(0.5);
    // An escalation a person then decides: a correct escalation.
    const asked = await operator.governance.decisions.create({ action_type: 'block_ip', params: { address: '203.0.113.43' }, reasoning: 'ask an admin', confidence: 0.7, risk_factors: LOW });
    await operator.governance.decisions.escalate(asked.id, { reason: 'not sure' });
    await admin.governance.decisions.approve(asked.id);
    await heard(asked.id, 'approved');
    expect(await virtue('tapeinophrosyne')).toBe(0.75);
    const sophiaBefore = await virtue('sophia');
    expect(sophiaBefore).toBe(1);
    // An escalation nobody decides: it expires at its deadline (governance's clock moves 31 minutes).
    const ignored = await operator.governance.decisions.create({ action_type: 'block_ip', params: { address: '203.0.113.44' }, reasoning: 'ignored', confidence: 0.7, risk_factors: LOW });
    await operator.governance.decisions.escalate(ignored.id, { reason: 'nobody will look' });
    skewMs += 31 * MINUTE;
    await heard(ignored.id, 'expired');
    expect(await virtue('tapeinophrosyne')).toBe(0.5 * 0.5 + 0.5 * 0.5);
    expect(await virtue('sophia')).toBeLessThan(sophiaBefore!);
    // Precedents: a search that finds past cases, then one that finds none.
    const approvedShare = (await virtue('sophia'))!;
    await p.ctx('penelope').outbox.transaction((_tx, emit) => emit('penelope.precedents.searched', { diagnosis_id: randomUUID(), found: 3 }));
    await p.until(`SELECT count(*) AS n FROM penelope.spiritual_events WHERE topic = 'penelope.precedents.searched'`, [], 1);
    const withFound = (await virtue('sophia'))!;
    expect(withFound).toBeGreaterThan(approvedShare);
    await p.ctx('penelope').outbox.transaction((_tx, emit) => emit('penelope.precedents.searched', { diagnosis_id: randomUUID(), found: 0 }));
    await p.until(`SELECT count(*) AS n FROM penelope.spiritual_events WHERE topic = 'penelope.precedents.searched'`, [], 2);
    expect(await virtue('sophia')).toBeLessThan(withFound);
  });

  it('goodness, gentleness and praotes follow the patches proposed', async () => {
    const propose = async (patch: Record<string, unknown>, count: number) => {
      await p.ctx('penelope').outbox.transaction((_tx, emit) => emit('penelope.patch.proposed', { patch_id: randomUUID(), diagnosis_id: randomUUID(), safety_class: 'safe', ...patch }));
      await p.until(`SELECT count(*) AS n FROM penelope.spiritual_events WHERE topic = 'penelope.patch.proposed'`, [], count);
    };
    await propose({ verified: true, verification_rejected: false, lines_changed: 4, functions_modified: 1, reversibility: 1, breaking_change: false, mansidao_score: 0.95, within_limits: true }, 1);
    expect(await fruit('goodness')).toBe(1);
    expect(await fruit('gentleness')).toBe(1);
    const meek = (await virtue('praotes'))!;
    expect(meek).toBeCloseTo((1 - 4 / 25 + 1) / 2, 4);
    await propose({ verified: false, verification_rejected: true, lines_changed: 60, functions_modified: 5, reversibility: 0.5, breaking_change: true, mansidao_score: 0, within_limits: false }, 2);
    expect(await fruit('goodness')).toBe(0.5);
    expect(await fruit('gentleness')).toBe(0.5);
    expect(await virtue('praotes')).toBeLessThan(meek);
  });

  it('peace falls when ESGT ignitions fail to synchronise', async () => {
    const emit = (outcome: string) => p.ctx('core').outbox.transaction((_tx, e) => e(`consciousness.esgt.${outcome}`, { id: randomUUID(), outcome, synchronized: outcome === 'ignited' }));
    await emit('ignited');
    await p.until(`SELECT count(*) AS n FROM penelope.spiritual_events WHERE topic LIKE 'consciousness.esgt.%'`, [], 1);
    expect(await fruit('peace')).toBe(1);
    await emit('failed');
    await p.until(`SELECT count(*) AS n FROM penelope.spiritual_events WHERE topic LIKE 'consciousness.esgt.%'`, [], 2);
    expect(await fruit('peace')).toBe(0.75);
  });

  it('after a restart without one service: the windows survive, kindness and peace fall', async () => {
    const before = await p.fruits();
    const value = (n: FruitName) => before.fruits.find((f) => f.name === n)!.score!;
    await admin.close();
    await operator.close();
    await p.close();
    p = await spiritualPlatform(dataDir, ENV, { definitions: { core: core() }, omit: ['maba'] });
    await listen();
    const report = await pass();
    expect(report?.probes.find((x) => x.service === 'maba')).toMatchObject({ available: false });
    expect(report?.probes.filter((x) => x.restarted).map((x) => x.service).sort()).toEqual(['adw', 'core', 'eikos', 'hermes', 'nis', 'penelope', 'thoth']);
    const after = await p.fruits();
    const now = (n: FruitName) => after.fruits.find((f) => f.name === n)!.score!;
    expect(after.collector.passes_in_window).toBe(before.collector.passes_in_window + 1);
    expect(now('love')).toBe(value('love'));
    expect(now('kindness')).toBeLessThan(value('kindness'));
    expect(now('peace')).toBeLessThan(value('peace'));
  });

  it('faithfulness falls when the ledger no longer proves what it signed', async () => {
    await appendEvidence('before-tamper');
    await pass();
    expect(await fruit('faithfulness')).toBe(1);
    // New evidence arrives, then someone rewrites the ledger's stored hashes: the proofs it serves no longer lead
    // from the root penelope verified before to the root it signs now.
    await appendEvidence('after-tamper');
    await p.platform.db.query(`UPDATE eikos.entries SET leaf_hash = sha256(leaf_hash)`);
    await p.platform.db.query(`UPDATE eikos.nodes SET hash = sha256(hash)`);
    const report = await pass();
    expect(report?.ledger_checks.find((c) => c.kind === 'consistency')).toMatchObject({ passed: false });
    expect(await fruit('faithfulness')).toBeLessThan(1);
  });
});
