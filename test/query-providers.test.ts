import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { APIError, Maximus, type QueryStreamEvent } from '@maximus/sdk';
import type { ProposeFixResponse } from '@maximus/contracts';
import { existingHealing } from '@maximus/penelope';
import { embeddedGateway, type TestGateway } from './gateway-helpers.js';
import { startFakeLlm, type FakeLlm } from './llm-fakes.js';

const API_KEY = 'sk-test-secret-key-0123456789abcdef';
const TIMEOUT_MS = 1500;

async function failure(promise: Promise<unknown>): Promise<APIError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(APIError);
  return error as APIError;
}

// Each remote provider through the real embedded gateway, against a local server that speaks its wire protocol.
describe.each(['anthropic', 'openai'] as const)('query with the %s provider', (kind) => {
  let fake: FakeLlm;
  let gateway: TestGateway;
  let client: Maximus;
  beforeAll(async () => {
    fake = await startFakeLlm(kind);
    gateway = await embeddedGateway({
      MAXIMUS_RATE_LIMITS: 'read=6000/60,write=1200/60,expensive=1000/60',
      MAXIMUS_LLM_PROVIDER: kind,
      MAXIMUS_LLM_MODEL: 'test-model-1',
      MAXIMUS_LLM_BASE_URL: fake.baseUrl,
      MAXIMUS_LLM_API_KEY: API_KEY,
      MAXIMUS_LLM_TIMEOUT_MS: String(TIMEOUT_MS),
      MAXIMUS_QUERY_TOOL_TIMEOUT_MS: '60000',
    });
    for (const service of gateway.services) await service.start();
    const url = await gateway.app.listen({ host: '127.0.0.1', port: 0 });
    client = new Maximus({ baseURL: url, apiKey: gateway.adminKey, maxRetries: 0 });
    // PENELOPE's analysers warm after start; the diagnose tool should not spend its time limit on that.
    await existingHealing(gateway.services.find((s) => s.ctx.name === 'penelope')!.ctx)?.pool.start();
  }, 180_000);
  afterAll(async () => {
    await client?.close();
    for (const service of gateway?.services ?? []) await service.stop();
    await gateway?.close();
    await fake?.close();
  });
  beforeEach(() => {
    fake.mode = 'ok';
    fake.requests.length = 0;
    fake.fixes.length = 0;
  });

  it('proposes a fix for PENELOPE (POST /query/propose-fix): one plain completion, the corrected files back', async () => {
    const code = 'def first(items):\n    if items == None:\n        return None\n    return items[0]\n';
    const penelope = gateway.services.find((s) => s.ctx.name === 'penelope')!.ctx;
    const { body } = await penelope.peers.request<ProposeFixResponse>('core', {
      method: 'POST',
      path: '/api/v1/query/propose-fix',
      body: { language: 'python', files: [{ path: 'util.py', content: code }], issues: [{ rule: 'E711', message: 'Comparison to None', line: 2 }] },
    });
    expect(body).toMatchObject({ provider: kind, model: 'test-model-1', stop_reason: kind === 'anthropic' ? 'end_turn' : 'stop', files: [{ path: 'util.py', content: code.replace('== None', 'is None') }] });
    expect(fake.fixes).toHaveLength(1);
    const sent = fake.fixes[0]!.body;
    expect(sent).toMatchObject({ model: 'test-model-1' });
    expect(sent.tools).toBeUndefined();
    expect(sent.stream).toBeFalsy();
    if (kind === 'anthropic') {
      expect(String(sent.system)).toContain('Answer with one JSON object');
      expect(sent.messages).toEqual([{ role: 'user', content: expect.stringContaining('File util.py:') }]);
    } else {
      expect((sent.messages as { role: string }[]).map((m) => m.role)).toEqual(['system', 'user']);
    }
  });

  it('runs the tool the model asks for, hands its result back, and answers from it', async () => {
    const answer = await client.query({ query: 'How many decisions wait for a human?', max_tokens: 300 });
    expect(answer).toMatchObject({ provider: kind, model: 'test-model-1', stop_reason: kind === 'anthropic' ? 'end_turn' : 'stop' });
    const [call] = answer.tool_execution_results;
    expect(call).toMatchObject({ tool: 'governance_stats', status: 'ok' });
    expect(call?.call_id).toMatch(kind === 'anthropic' ? /^toolu_0\d+$/ : /^call_0\d+$/);
    const pending = (call?.output as { pending: { total: number } }).pending.total;
    expect(answer.final_response).toContain(`**${pending}** decisions are pending`);
    expect(answer.final_response).toContain('Let me check the platform.');
    expect(answer.raw_reasoning_output).toContain('governance_stats');
    expect(answer.confidence).toMatchObject({ tool_success: 1, completion: 1, grounding: 1 });
    expect(answer.confidence_score).toBeGreaterThan(0.9);
    // What went over the wire: two calls, the tools declared, the key in its header, the result handed back.
    expect(fake.requests).toHaveLength(2);
    const [first, second] = fake.requests;
    expect(first?.body).toMatchObject({ model: 'test-model-1', max_tokens: 300 });
    if (kind === 'anthropic') {
      // The SDK sends the key as `x-api-key` or, in its recent versions, as a bearer token.
      expect([first?.headers['x-api-key'], first?.headers.authorization]).toContain(first?.headers['x-api-key'] ? API_KEY : `Bearer ${API_KEY}`);
      expect(first?.headers['anthropic-version']).toBeTruthy();
      expect((first?.body.tools as { name: string }[]).map((t) => t.name)).toEqual(['diagnose_code', 'consciousness_state', 'governance_stats']);
      const messages = second?.body.messages as { role: string; content: { type: string; tool_use_id?: string; content?: string }[] }[];
      expect(messages[1]?.content.some((b) => b.type === 'tool_use')).toBe(true);
      expect(messages[2]?.content[0]).toMatchObject({ type: 'tool_result', tool_use_id: call?.call_id });
      expect(JSON.parse(messages[2]?.content[0]?.content ?? '{}')).toEqual(call?.output);
    } else {
      expect(first?.headers.authorization).toBe(`Bearer ${API_KEY}`);
      expect((first?.body.tools as { type: string; function: { name: string } }[]).map((t) => `${t.type}:${t.function.name}`)).toContain('function:governance_stats');
      const messages = second?.body.messages as { role: string; tool_call_id?: string; content: string; tool_calls?: unknown[] }[];
      expect(messages[2]?.tool_calls).toHaveLength(1);
      expect(messages[3]).toMatchObject({ role: 'tool', tool_call_id: call?.call_id });
      expect(JSON.parse(messages[3]?.content ?? '{}')).toEqual(call?.output);
    }
  });

  it('streams the provider\'s deltas through the gateway, tool call included, and ends with the final answer', async () => {
    const events: QueryStreamEvent[] = [];
    const stream = client.query.stream({ query: 'pending decisions?' });
    for await (const event of stream) events.push(event);
    const final = await stream.finalResponse();
    expect(fake.requests.every((r) => r.body.stream === true)).toBe(true);
    const deltas = events.flatMap((e) => (e.type === 'delta' ? [e.text] : []));
    expect(deltas.length).toBeGreaterThan(3);
    expect(deltas.join('')).toBe(final.final_response);
    expect(events.find((e) => e.type === 'tool')).toMatchObject({ result: { tool: 'governance_stats', status: 'ok' } });
    expect(final.tool_execution_results[0]?.call_id).toMatch(kind === 'anthropic' ? /^toolu_/ : /^call_/);
    expect(final.final_response).toContain('decisions are pending');
  });

  it('a client that leaves mid-stream: the query still ends and is recorded', async () => {
    const count = async () => Number((await gateway.platform.db.query<{ n: string }>(`SELECT count(*) AS n FROM core.queries WHERE status = 'answered'`)).rows[0]?.n);
    const before = await count();
    const stream = client.query.stream({ query: 'pending decisions?' });
    for await (const event of stream) {
      if (event.type === 'delta') {
        stream.abort();
        break;
      }
    }
    const end = Date.now() + 5000;
    while ((await count()) === before && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    expect(await count()).toBe(before + 1);
    // And the service goes on answering.
    expect((await client.query({ query: 'pending decisions?' })).provider).toBe(kind);
  });

  it('runs diagnose_code on the code of the context (the model gives only the language), streamed or not', async () => {
    const params = { query: 'Review this:\n```python\ndef f(:\n```', context: { code: 'def f(:', language: 'python' as const } };
    const answer = await client.query(params);
    const [call] = answer.tool_execution_results;
    expect(call?.tool).toBe('diagnose_code');
    expect(call?.input).toEqual({ language: 'python' });
    // Streamed, the tool's input arrives in JSON pieces (input_json_delta / function.arguments) and is put together.
    const streamed = await client.query.stream(params).finalResponse();
    expect(streamed.tool_execution_results[0]).toMatchObject({ tool: 'diagnose_code', input: { language: 'python' }, status: call?.status });
    // The model gave only the language: the pipeline adds the code of the context, and PENELOPE diagnoses it.
    expect(call?.status).toBe('ok');
    expect(answer.confidence.tool_success).toBe(1);
  });

  it('answers a tool the model invents with an error result, which goes back to the model', async () => {
    const answer = await client.query({ query: 'Ask the flux_capacitor how it is' });
    const [call] = answer.tool_execution_results;
    expect(call).toMatchObject({ tool: 'flux_capacitor', status: 'error', output: null });
    expect(call?.error).toContain('no tool named flux_capacitor');
    expect(answer.final_response).toContain('The tool failed');
    expect(answer.confidence.tool_success).toBe(0);
    expect(answer.reflection_notes.some((n) => n.startsWith('Tool flux_capacitor failed'))).toBe(true);
    const second = fake.requests[1]?.body.messages as { role: string; content: unknown }[];
    if (kind === 'anthropic') expect((second[2]?.content as { is_error?: boolean }[])[0]?.is_error).toBe(true);
    else expect(String(second[3]?.content)).toContain('no tool named flux_capacitor');
  });

  it('maps a provider 500 to 502, without the API key anywhere', async () => {
    fake.mode = 'error500';
    const error = await failure(client.query({ query: 'governance?' }));
    expect(error.status).toBe(502);
    expect(error.code).toBe('CORE_ERR_QUERY_UPSTREAM_FAILED');
    expect(JSON.stringify(error.body)).not.toContain(API_KEY);
    expect(error.message).toContain(kind);
  });

  it('maps an answer that is not the protocol\'s to 502', async () => {
    fake.mode = 'garbage';
    const error = await failure(client.query({ query: 'governance?' }));
    expect(error.status).toBe(502);
    expect(error.code).toBe('CORE_ERR_QUERY_UPSTREAM_FAILED');
  });

  it('maps a 429 to 503 with the provider\'s Retry-After', async () => {
    fake.mode = 'rate-limited';
    const error = await failure(client.query({ query: 'governance?' }));
    expect(error.status).toBe(503);
    expect(error.code).toBe('CORE_ERR_QUERY_PROVIDER_UNAVAILABLE');
    expect(error.headers['retry-after']).toBe('7');
  });

  it('maps a provider that is down (connection refused) to 503 with Retry-After', async () => {
    await fake.down();
    try {
      const error = await failure(client.query({ query: 'governance?' }));
      expect(error.status).toBe(503);
      expect(error.code).toBe('CORE_ERR_QUERY_PROVIDER_UNAVAILABLE');
      expect(Number(error.headers['retry-after'])).toBeGreaterThan(0);
      expect(error.message).toContain('ECONNREFUSED');
    } finally {
      await fake.restart();
    }
  });

  it('maps a stalled provider to 504 after the configured timeout', async () => {
    fake.mode = 'stall';
    const t0 = Date.now();
    const error = await failure(client.query({ query: 'governance?' }));
    expect(error.status).toBe(504);
    expect(error.code).toBe('CORE_ERR_QUERY_PROVIDER_TIMEOUT');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
    expect(Date.now() - t0).toBeLessThan(TIMEOUT_MS + 3000);
  });

  it('streaming: a failure before the first piece is a plain HTTP problem; one after it ends the stream with an error event', async () => {
    fake.mode = 'error500';
    const early = await failure(client.query({ query: 'governance?', stream: true }));
    expect(early.status).toBe(502);
    fake.mode = 'stall-mid-stream';
    const events: QueryStreamEvent[] = [];
    const stream = client.query.stream({ query: 'governance?' });
    const late = await failure(
      (async () => {
        for await (const e of stream) events.push(e);
      })(),
    );
    expect(late.status).toBe(504);
    expect(late.code).toBe('CORE_ERR_QUERY_PROVIDER_TIMEOUT');
    expect(events.some((e) => e.type === 'delta')).toBe(true);
    // The failure is recorded, and its evidence written.
    const { rows } = await gateway.platform.db.query<{ status: string; error_code: string }>(`SELECT status, error_code FROM core.queries WHERE status = 'failed' ORDER BY created_at DESC LIMIT 1`);
    expect(rows[0]).toEqual({ status: 'failed', error_code: 'CORE_ERR_QUERY_PROVIDER_TIMEOUT' });
  });
});
