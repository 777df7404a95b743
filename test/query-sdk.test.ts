import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BadRequestError, Maximus, PermissionDeniedError, type QueryStreamEvent } from '@maximus/sdk';
import { existingHealing } from '@maximus/penelope';
import { embeddedGateway, type TestGateway } from './gateway-helpers.js';

const LIMITS = { MAXIMUS_RATE_LIMITS: 'read=6000/60,write=1200/60,expensive=1000/60', MAXIMUS_QUERY_TOOL_TIMEOUT_MS: '60000' };

async function until<T>(probe: () => Promise<T | undefined>, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

// The query pipeline with the local provider, through the real embedded gateway, over HTTP with the SDK.
describe('query with the local provider, through the gateway and the SDK', () => {
  let gateway: TestGateway;
  let admin: Maximus;
  let operator: Maximus;
  let reader: Maximus;
  beforeAll(async () => {
    gateway = await embeddedGateway(LIMITS);
    for (const service of gateway.services) await service.start();
    const url = await gateway.app.listen({ host: '127.0.0.1', port: 0 });
    const key = async (role: 'operator' | 'readonly') => (await gateway.security.keys.create({ name: role, role, createdBy: null })).key;
    admin = new Maximus({ baseURL: url, apiKey: gateway.adminKey, maxRetries: 0 });
    operator = new Maximus({ baseURL: url, apiKey: await key('operator'), maxRetries: 0 });
    reader = new Maximus({ baseURL: url, apiKey: await key('readonly'), maxRetries: 0 });
    // PENELOPE's analysers warm after start; the diagnose tool should not spend its time limit on that.
    await existingHealing(gateway.services.find((s) => s.ctx.name === 'penelope')!.ctx)?.pool.start();
  }, 180_000);
  afterAll(async () => {
    await Promise.all([admin, operator, reader].map((c) => c?.close()));
    for (const service of gateway?.services ?? []) await service.stop();
    await gateway?.close();
  });

  it('answers a governance question from governance_stats, says no language model was used, and records the query', async () => {
    const answer = await operator.query({ query: 'How many governance decisions are pending?' });
    expect(answer.provider).toBe('local');
    expect(answer.model).toBeNull();
    expect(answer.final_response).toContain('no language model was used');
    const stats = answer.tool_execution_results.find((t) => t.tool === 'governance_stats');
    expect(stats).toMatchObject({ status: 'ok', error: null });
    expect((stats?.output as { pending: { total: number } }).pending.total).toBeTypeOf('number');
    expect(answer.final_response).toContain('governance_stats');
    expect(answer.confidence.tool_success).toBe(1);
    expect(answer.confidence.grounding).toBe(1);
    expect(answer.confidence_score).toBeGreaterThan(0.9);
    expect(answer.stages.map((s) => s.stage)).toEqual(['screening', 'context', 'provider', 'reflection', 'confidence', 'evidence']);
    expect(answer.stages[0]).toMatchObject({ status: 'skipped', note: expect.stringContaining('adw: not deployed') });
    expect(answer.reflection_notes.join(' ')).toContain('Not screened');
    const { rows } = await gateway.platform.db.query<{ principal: string; status: string; confidence_score: number; query_preview: string }>(
      'SELECT principal, status, confidence_score, query_preview FROM core.queries WHERE id = $1',
      [answer.id],
    );
    expect(rows[0]).toMatchObject({ status: 'answered', confidence_score: answer.confidence_score, query_preview: 'How many governance decisions are pending?' });
    expect(rows[0]?.principal).toMatch(/^user:key-/);
    // The evidence reaches the EIKOS ledger through core's outbox and the bus.
    const trail = await until(async () => {
      const t = await reader.audit.trail(answer.id);
      return t.data.length ? t : undefined;
    });
    expect(trail.data[0]).toMatchObject({ type: 'audit.query.answered', subject_id: answer.id });
    expect(JSON.stringify(trail.data[0]?.payload)).not.toContain('How many governance');
  });

  it('sends code to diagnose_code (PENELOPE, as service:core for the user) and reports what the analyser found', async () => {
    const answer = await operator.query({ query: 'What is wrong with this code?', context: { code: 'def f(:\n  return 1', language: 'python' } });
    const diagnose = answer.tool_execution_results.find((t) => t.tool === 'diagnose_code');
    expect(diagnose).toMatchObject({ status: 'ok', input: { code: 'def f(:\n  return 1', language: 'python' } });
    expect(answer.final_response).toContain('Code diagnosis');
    expect(answer.confidence.tool_success).toBe(1);
  });

  it("runs the consciousness tool through core's own route as service:core", async () => {
    const answer = await operator.query({ query: 'What is the current arousal state?' });
    const state = answer.tool_execution_results.find((t) => t.tool === 'consciousness_state');
    expect(state?.status).toBe('ok');
    expect(answer.final_response).toContain('Consciousness state');
  });

  it('says when no tool matches, with a low confidence', async () => {
    const answer = await operator.query({ query: 'Tell me a joke about penguins' });
    expect(answer.tool_execution_results).toEqual([]);
    expect(answer.final_response).toContain('No tool matches this question');
    expect(answer.confidence.grounding).toBe(0);
    expect(answer.confidence_score).toBeLessThan(0.5);
  });

  it('uses the caller\'s notes as context', async () => {
    const answer = await operator.query({ query: 'Any pending approvals?', context: { notes: 'maintenance window tonight between 22:00 and 23:00' } });
    expect(answer.final_response).toContain('maintenance window tonight');
    expect(answer.stages[1]?.note).toContain('1 item(s)');
  });

  it('streams stages, tool results, deltas and the final answer; the deltas make up the answer', async () => {
    const events: QueryStreamEvent[] = [];
    const stream = operator.query.stream({ query: 'pending decisions and approvals?' });
    for await (const event of stream) events.push(event);
    const final = await stream.finalResponse();
    const types = events.map((e) => e.type);
    expect(types[types.length - 1]).toBe('final');
    expect(types).toContain('tool');
    expect(types).toContain('stage');
    const text = events.flatMap((e) => (e.type === 'delta' ? [e.text] : [])).join('');
    expect(text).toBe(final.final_response);
    expect(final.tool_execution_results[0]?.tool).toBe('governance_stats');
    // The other form: `client.query({…, stream: true})` resolves once the stream has started.
    const started = await operator.query({ query: 'governance?', stream: true });
    expect((await started.finalResponse()).provider).toBe('local');
  });

  it('releases the Idempotency-Key of a streamed answer (not replayable), so a retry with it runs again', async () => {
    const url = `http://127.0.0.1:${(gateway.app.server.address() as { port: number }).port}/core/api/v1/query`;
    const headers = { 'x-api-key': gateway.adminKey, 'content-type': 'application/json', 'idempotency-key': `stream-${Date.now()}` };
    const body = JSON.stringify({ query: 'pending governance decisions?', stream: true });
    for (let attempt = 0; attempt < 2; attempt++) {
      const response = await fetch(url, { method: 'POST', headers, body });
      expect(response.status, `attempt ${attempt}`).toBe(200);
      expect(await response.text()).toContain('event: final');
      await new Promise((resolve) => setTimeout(resolve, 100)); // the claim is released when the stream closes
    }
  });

  it('records every one of many concurrent queries, row and evidence (written in shared transactions)', async () => {
    const answers = await Promise.all(Array.from({ length: 15 }, (_, i) => operator.query({ query: `governance question ${i}: pending decisions?` })));
    const ids = answers.map((a) => a.id);
    const { rows } = await gateway.platform.db.query<{ n: string }>('SELECT count(*) AS n FROM core.queries WHERE id = ANY($1::uuid[])', [ids]);
    expect(Number(rows[0]?.n)).toBe(15);
    for (const id of ids) {
      const trail = await until(async () => {
        const t = await reader.audit.trail(id);
        return t.data.length ? t : undefined;
      });
      expect(trail.data.map((e) => e.type)).toEqual(['audit.query.answered']);
    }
  });

  it('refuses bad input with a 400 naming the field, and readonly principals with a 403', async () => {
    const bad = await operator.query({ query: '' }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(BadRequestError);
    expect(JSON.stringify((bad as BadRequestError).body)).toContain('/body/query');
    const unknownField = await operator.query({ query: 'x', context: { nope: 1 } as never }).catch((e: unknown) => e);
    expect(unknownField).toBeInstanceOf(BadRequestError);
    await expect(reader.query({ query: 'governance?' })).rejects.toBeInstanceOf(PermissionDeniedError);
  });
});
