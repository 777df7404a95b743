import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embeddedGateway, type TestGateway } from './gateway-helpers.js';
import { waitFor } from './servers.js';

const LOW = { threat: 0.1, asset: 0.1, business: 0.1, action: 0.1, compliance: 0.1, environment: 0.1 };

interface Entry {
  index: number;
  type: string;
  subject_id: string;
  actor: string;
}

// A person must be able to prove later what was decided, by whom: every step is in the ledger, under the right subject.
describe('the trust backbone end to end: a decision and the keys in the ledger', () => {
  let gateway: TestGateway;
  const admin = () => ({ 'x-api-key': gateway.adminKey });
  const entries = async (): Promise<Entry[]> => {
    const root = (await gateway.app.inject({ method: 'GET', url: '/eikos/api/v1/ledger/root', headers: admin() })).json<{ tree_size: number }>();
    if (root.tree_size === 0) return [];
    const ids = Array.from({ length: root.tree_size }, (_, i) => i).join(',');
    const res = await gateway.app.inject({ method: 'GET', url: `/eikos/api/v1/evidence?ids=${ids}`, headers: admin() });
    return res.json<{ data: { entry: Entry }[] }>().data.map((d) => d.entry);
  };
  beforeAll(async () => {
    gateway = await embeddedGateway();
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it('records the first admin key, created at the first start', async () => {
    const keyId = /^mxk_([0-9a-f]{12})_/.exec(gateway.adminKey)![1]!;
    await waitFor(async () => (await entries()).some((e) => e.type === 'audit.key.created'), 10_000, 'the first key reaches the ledger');
    expect((await entries()).find((e) => e.type === 'audit.key.created')).toMatchObject({ subject_id: keyId, actor: 'system' });
  });

  it('records each transition of a decision under the decision, with who did it', async () => {
    const created = await gateway.app.inject({
      method: 'POST',
      url: '/core/api/v1/governance/decisions',
      headers: admin(),
      payload: { action_type: 'block_ip', params: { address: '198.51.100.23' }, reasoning: 'scanner', confidence: 0.7, risk_factors: LOW },
    });
    expect(created.statusCode).toBe(201);
    const id = created.json<{ id: string }>().id;
    const approver = (await gateway.security.keys.create({ name: 'second', role: 'admin', createdBy: null })).key;
    expect((await gateway.app.inject({ method: 'POST', url: `/core/api/v1/governance/decisions/${id}/approve`, headers: { 'x-api-key': approver }, payload: {} })).statusCode).toBe(200);
    await waitFor(async () => (await entries()).some((e) => e.subject_id === id && e.type === 'governance.decision.executed'), 10_000, 'the execution reaches the ledger');
    const mine = (await entries()).filter((e) => e.subject_id === id).map((e) => e.type);
    expect(mine).toEqual(
      expect.arrayContaining(['governance.decision.pending', 'governance.decision.approved', 'governance.decision.executing', 'governance.result', 'governance.decision.executed']),
    );
    const approved = (await entries()).find((e) => e.subject_id === id && e.type === 'governance.decision.approved')!;
    expect(approved.actor).toBe(`user:key-${/^mxk_([0-9a-f]{12})_/.exec(approver)![1]}`);
    // The blocked address is refused on every route, public ones included.
    const blocked = await gateway.app.inject({ method: 'GET', url: '/health', remoteAddress: '198.51.100.23' });
    expect(blocked.statusCode).toBe(403);
  });
});
