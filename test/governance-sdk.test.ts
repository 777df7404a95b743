import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, Maximus, PermissionDeniedError, type GovernanceStreamEvent } from '@maximus/sdk';
import { embeddedGateway, runCli, type TestGateway } from './gateway-helpers.js';

const LOW = { threat: 0.1, asset: 0.1, business: 0.1, action: 0.1, compliance: 0.1, environment: 0.1 };

// The SDK's governance resource and the `maximus governance` command against the real platform (over HTTP).
describe('governance through the SDK and the CLI', () => {
  let gateway: TestGateway;
  let url: string;
  let admin: Maximus;
  let operator: Maximus;
  let reader: Maximus;
  beforeAll(async () => {
    gateway = await embeddedGateway();
    for (const service of gateway.services) await service.start();
    url = await gateway.app.listen({ host: '127.0.0.1', port: 0 });
    const key = async (role: 'operator' | 'readonly') => (await gateway.security.keys.create({ name: role, role, createdBy: null })).key;
    admin = new Maximus({ baseURL: url, apiKey: gateway.adminKey });
    operator = new Maximus({ baseURL: url, apiKey: await key('operator') });
    reader = new Maximus({ baseURL: url, apiKey: await key('readonly') });
  });
  afterAll(async () => {
    await Promise.all([admin, operator, reader].map((c) => c?.close()));
    for (const service of gateway?.services ?? []) await service.stop();
    await gateway?.close();
  });

  it('lists the catalogue, creates, retrieves, lists, approves and counts decisions', async () => {
    const actions = await reader.governance.actions();
    expect(actions.map((a) => a.action_type)).toEqual(expect.arrayContaining(['block_ip', 'apply_patch', 'emergency_shutdown']));
    const created = await operator.governance.decisions.create({ action_type: 'block_ip', params: { address: '203.0.113.9' }, reasoning: 'scanner', confidence: 0.7, risk_factors: LOW });
    expect(created).toMatchObject({ status: 'pending', risk_level: 'LOW', action_type: 'block_ip' });
    const listed: string[] = [];
    for await (const d of reader.governance.decisions.list({ status: 'pending' })) listed.push(d.id);
    expect(listed).toContain(created.id);
    await expect(reader.governance.decisions.approve(created.id)).rejects.toBeInstanceOf(PermissionDeniedError);
    const approved = await admin.governance.decisions.approve(created.id, { comment: 'checked' });
    expect(['approved', 'executing', 'executed']).toContain(approved.status);
    await expect(admin.governance.decisions.approve(created.id)).rejects.toBeInstanceOf(ConflictError);
    const detail = await reader.governance.decisions.retrieve(created.id);
    expect(detail.approvals.length).toBe(1);
    const stats = await reader.governance.stats();
    expect(stats).toBeDefined();
  });

  it('streams transitions as they happen', async () => {
    const stop = new AbortController();
    const seen: GovernanceStreamEvent[] = [];
    const reading = (async () => {
      for await (const event of reader.governance.stream({ signal: stop.signal })) {
        seen.push(event);
        if (seen.some((e) => e.event === 'rejected')) break;
      }
    })().catch(() => undefined);
    await new Promise((r) => setTimeout(r, 300));
    const d = await operator.governance.decisions.create({ action_type: 'block_ip', params: { address: '203.0.113.10' }, reasoning: 'stream me', confidence: 0.7, risk_factors: LOW });
    await admin.governance.decisions.reject(d.id, { reason: 'a test rejection' });
    await Promise.race([reading, new Promise((r) => setTimeout(r, 5000))]);
    stop.abort();
    expect(seen.map((e) => e.event)).toEqual(expect.arrayContaining(['pending', 'rejected']));
  });

  it('escalates and cancels through the SDK', async () => {
    const d = await operator.governance.decisions.create({ action_type: 'block_ip', params: { address: '203.0.113.12' }, reasoning: 'escalate me', confidence: 0.7, risk_factors: LOW });
    const escalated = await operator.governance.decisions.escalate(d.id, { reason: 'needs an admin eye' });
    expect(escalated).toMatchObject({ status: 'pending', tier: 'admin' });
    await expect(operator.governance.decisions.approve(d.id)).rejects.toBeInstanceOf(PermissionDeniedError);
    expect((await operator.governance.decisions.cancel(d.id)).status).toBe('cancelled');
    await expect(admin.governance.decisions.approve(d.id)).rejects.toBeInstanceOf(ConflictError);
  });

  it('drives the kill switch through the SDK: request, veto by another admin, status', async () => {
    await expect(operator.consciousness.safety.emergencyShutdown({ reason: 'an operator may not do this' })).rejects.toBeInstanceOf(PermissionDeniedError);
    const requested = await admin.consciousness.safety.emergencyShutdown({ reason: 'runaway ignitions since 03:10' });
    expect(requested.decision.action_type).toBe('emergency_shutdown');
    expect((await reader.consciousness.safety.status()).pending?.decision_id).toBe(requested.decision.id);
    const second = new Maximus({ baseURL: url, apiKey: (await gateway.security.keys.create({ name: 'veto', role: 'admin', createdBy: null })).key });
    try {
      expect((await second.governance.decisions.reject(requested.decision.id, { reason: 'false alarm, checked the graphs' })).status).toBe('rejected');
    } finally {
      await second.close();
    }
    const status = await reader.consciousness.safety.status();
    expect(status).toMatchObject({ shut_down: false, pending: null });
  });

  it('maximus governance lists pending decisions as panels and approves one', async () => {
    const d = await operator.governance.decisions.create({ action_type: 'unblock_ip', params: { address: '203.0.113.11' }, reasoning: 'false positive', confidence: 0.7, risk_factors: LOW });
    const run = (...argv: string[]) => runCli(url, gateway.adminKey, argv);
    const list = await run('governance');
    expect(list.out).toContain(d.id);
    expect(list.out).toContain('unblock_ip');
    expect(list.out).toContain('false positive');
    const approved = await run('governance', 'approve', d.id, '--comment', 'ok');
    expect(approved.code).toBe(0);
    expect((await admin.governance.decisions.retrieve(d.id)).status).not.toBe('pending');
  });
});
