import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { APIError, Maximus } from '@maximus/sdk';
import type { Diagnosis, PatchSummary, ProposeFixParams, ProposeFixResponse } from '@maximus/contracts';
import type { PeerError } from '@maximus/kit/peers';
import type { ServiceContext } from '@maximus/kit/service';
import { existingHealing } from '@maximus/penelope';
import { embeddedGateway, runCli, type TestGateway } from './gateway-helpers.js';
import { sample } from './helpers.js';
import { scriptedFix, startFakeLlm, type FakeLlm } from './llm-fakes.js';

// PENELOPE's model patches through the real embedded gateway and SDK: after the analysers' patches, PENELOPE asks core
// (POST /query/propose-fix, as service:penelope) and core asks its model, here a local server speaking OpenAI's protocol.

const UTIL_PY = `import os


def first(items):
    if items == None:
        return None
    return items[0]
`;
const FIXED_PY = UTIL_PY.replace('items == None', 'items is None');
const TEST_UTIL_PY = `from app.util import first


def test_first():
    assert first([3, 4]) == 3
    assert first(None) is None
`;
const MODEL_TIMEOUT_MS = 5000;
const RATES = { MAXIMUS_RATE_LIMITS: 'read=100000/60,write=100000/60,expensive=10000/60' };

/** The diagnosis once its analysers' patches and its model patch are both settled. */
async function settled(client: Maximus, id: string): Promise<Diagnosis> {
  const deadline = Date.now() + 100_000;
  for (;;) {
    const d = await client.healing.retrieve(id);
    if (d.patches_status !== 'pending' && d.model_patch_status !== 'pending') return d;
    if (Date.now() > deadline) throw new Error(`patches of ${id} still pending: ${d.patches_status}, model ${d.model_patch_status}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

const ctxOf = (gateway: TestGateway, name: string): ServiceContext => gateway.services.find((s) => s.ctx.name === name)!.ctx;
const metrics = (gateway: TestGateway, name: string) => ctxOf(gateway, name).metrics.registry.metrics();

/** Calls core's internal route as PENELOPE does (its own peers, through the gateway in process). */
async function proposeFix(gateway: TestGateway, body: unknown): Promise<ProposeFixResponse | PeerError> {
  return ctxOf(gateway, 'penelope')
    .peers.request<ProposeFixResponse>('core', { method: 'POST', path: '/api/v1/query/propose-fix', body, timeoutMs: 30_000 })
    .then((r) => r.body, (e: unknown) => e as PeerError);
}

async function start(env: Record<string, string>): Promise<{ gateway: TestGateway; client: Maximus; url: string }> {
  const gateway = await embeddedGateway({ ...RATES, ...env });
  for (const service of gateway.services) await service.start();
  const url = await gateway.app.listen({ host: '127.0.0.1', port: 0 });
  const client = new Maximus({ baseURL: url, apiKey: gateway.adminKey, maxRetries: 0, timeout: 120_000 });
  await existingHealing(ctxOf(gateway, 'penelope'))?.pool.start();
  return { gateway, client, url };
}

describe('model patches with a language model configured (openai)', () => {
  let fake: FakeLlm;
  let gateway: TestGateway;
  let client: Maximus;
  let url: string;
  let root: string;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'penelope-model-'));
    fake = await startFakeLlm('openai');
    // PENELOPE gives up on the model before core does (the stalled-model test waits for it).
    process.env.MAXIMUS_PENELOPE_MODEL_TIMEOUT_MS = String(MODEL_TIMEOUT_MS);
    ({ gateway, client, url } = await start({ MAXIMUS_LLM_PROVIDER: 'openai', MAXIMUS_LLM_MODEL: 'test-model-1', MAXIMUS_LLM_BASE_URL: fake.baseUrl, MAXIMUS_LLM_API_KEY: 'sk-test-model-patches-0123456789' }));
  }, 120_000);
  afterAll(async () => {
    delete process.env.MAXIMUS_PENELOPE_MODEL_TIMEOUT_MS;
    await client?.close();
    for (const service of gateway?.services ?? []) await service.stop();
    await gateway?.close();
    await fake?.close();
    rmSync(root, { recursive: true, force: true });
  });
  beforeEach(() => {
    fake.mode = 'ok';
    fake.fixes.length = 0;
  });

  let withTests: { diagnosis: Diagnosis; model: PatchSummary };

  it('records the model\'s fix as a patch of origin model, verified by the tests given: unsafe', async () => {
    const d = await client.healing.diagnose({ language: 'python', files: [{ path: 'app/util.py', content: UTIL_PY }], tests: [{ path: 'tests/test_util.py', content: TEST_UTIL_PY }] });
    expect(d.model_patch_status).toBe('pending');
    const done = await settled(client, d.id);
    expect(done).toMatchObject({ patches_status: 'ready', model_patch_status: 'proposed', patches_error: null });
    const patches = (await client.healing.patches.list({ diagnosis_id: d.id })).data;
    expect(patches.filter((p) => p.origin === 'analyser').map((p) => p.rules.join(','))).toEqual(expect.arrayContaining(['F401', 'E711']));
    const model = patches.find((p) => p.origin === 'model')!;
    expect(model).toMatchObject({ title: 'Model patch (openai test-model-1): Compared to None with `is`, as E711 asks.', rules: ['E711', 'F401'], files: ['app/util.py'], safety_class: 'unsafe', verified: true });
    expect(model.diff).toMatch(/^--- a\/app\/util\.py\n\+\+\+ b\/app\/util\.py\n/m);
    expect(model.diff).toContain('-    if items == None:\n+    if items is None:\n');
    expect(model.diff.split('\n').filter((l) => /^[-+](?![-+])/.test(l))).toHaveLength(2);
    expect(model.verification).toMatchObject({ verified: true, parse_ok: true, targeted_before: 2, targeted_after: 1, introduced: [] });
    expect(model.verification.resolved.map((r) => r.rule)).toEqual(['E711']);
    expect(model.verification.tests).toMatchObject({ ok: true });
    expect(model.verification.tests_baseline).toMatchObject({ ok: true });
    expect((await client.healing.patches.retrieve(model.id)).final_content).toEqual([{ path: 'app/util.py', content: FIXED_PY }]);

    // What went to the model: one plain completion (no tools) with the file whole and the findings.
    expect(fake.fixes).toHaveLength(1);
    const body = fake.fixes[0]!.body as { model: string; max_tokens: number; tools?: unknown; messages: { role: string; content: string }[] };
    expect(body).toMatchObject({ model: 'test-model-1' });
    expect(body.tools).toBeUndefined();
    expect(body.max_tokens).toBeGreaterThanOrEqual(1024);
    expect(body.messages[0]?.content).toContain('Answer with one JSON object');
    expect(body.messages[1]?.content).toContain(`File app/util.py:\n\`\`\`python\n${UTIL_PY}\`\`\``);
    expect(body.messages[1]?.content).toMatch(/^- E711 app\/util\.py:5:\d+ /m);
    expect(sample(await metrics(gateway, 'core'), 'maximus_fix_proposals_total', { provider: 'openai', outcome: 'proposed' })).toBe(1);
    expect(sample(await metrics(gateway, 'penelope'), 'penelope_model_patches_total', { outcome: 'proposed' })).toBe(1);
    withTests = { diagnosis: done, model };
  }, 120_000);

  it('without tests, the model patch is only a suggestion', async () => {
    const d = await client.healing.diagnose({ language: 'python', files: [{ path: 'lib/first.py', content: UTIL_PY }] });
    expect((await settled(client, d.id)).model_patch_status).toBe('proposed');
    const model = (await client.healing.patches.list({ diagnosis_id: d.id })).data.find((p) => p.origin === 'model')!;
    expect(model).toMatchObject({ safety_class: 'suggestion-only', verified: true });
    expect(model.verification.tests).toBeNull();
    expect(model.diff).toContain('+    if items is None:');
  }, 120_000);

  it('an answer that is not a fix: no model patch, the analysers\' patches stand, the reason is recorded', async () => {
    fake.fixAnswer = () => 'The code looks fine to me.';
    try {
      const d = await client.healing.diagnose({ language: 'python', files: [{ path: 'app/garbage.py', content: UTIL_PY }] });
      const done = await settled(client, d.id);
      expect(done).toMatchObject({ patches_status: 'ready', model_patch_status: 'failed' });
      expect(done.patches_error).toMatch(/^model patch: CORE_ERR_QUERY_FIX_INVALID: The openai model did not answer with a usable fix: the answer is not the JSON object/);
      const patches = (await client.healing.patches.list({ diagnosis_id: d.id })).data;
      expect(patches.length).toBeGreaterThan(0);
      expect(patches.every((p) => p.origin === 'analyser')).toBe(true);
      expect(fake.fixes).toHaveLength(1);
      expect(sample(await metrics(gateway, 'penelope'), 'penelope_model_patches_total', { outcome: 'CORE_ERR_QUERY_FIX_INVALID' })).toBe(1);
    } finally {
      fake.fixAnswer = scriptedFix;
    }
  }, 120_000);

  it('a model that does not answer in time: the diagnosis records the timeout and keeps its analyser patches', async () => {
    fake.mode = 'stall';
    const t0 = Date.now();
    const d = await client.healing.diagnose({ language: 'python', files: [{ path: 'app/slow.py', content: UTIL_PY }] });
    const done = await settled(client, d.id);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(MODEL_TIMEOUT_MS - 100);
    expect(done).toMatchObject({ patches_status: 'ready', model_patch_status: 'failed' });
    expect(done.patches_error).toMatch(/^model patch: KIT_ERR_PEER_TIMEOUT: core did not answer POST \/api\/v1\/query\/propose-fix within 5000 ms/);
    expect((await client.healing.patches.list({ diagnosis_id: d.id })).data.every((p) => p.origin === 'analyser')).toBe(true);
    // Core stopped the model call when PENELOPE gave up (in process: no socket told it), not at its own limit (60 s).
    const call = fake.stalled.at(-1)!;
    const end = Date.now() + 5_000;
    while (call.closedAt === undefined && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    expect(call.closedAt! - call.at).toBeLessThan(MODEL_TIMEOUT_MS + 2_000);
  }, 60_000);

  it('applying a model patch goes through a governance decision that a person approves', async () => {
    const operator = new Maximus({ baseURL: url, apiKey: (await gateway.security.keys.create({ name: 'operator', role: 'operator', createdBy: null })).key, maxRetries: 0 });
    const { decision, patch } = await operator.healing.patches.apply(withTests.model.id).finally(() => operator.close());
    expect(patch).toMatchObject({ status: 'apply_requested', origin: 'model' });
    expect(decision).toMatchObject({ action_type: 'apply_patch', status: 'pending', proposed_by: 'service:penelope', params: { patch_id: withTests.model.id } });
    expect(decision.automation_level).not.toBe('FULL');
    expect(decision.reasoning).toContain('safety class unsafe');
    expect((await client.healing.patches.retrieve(withTests.model.id)).status).toBe('apply_requested');
    await client.governance.decisions.approve(decision.id, { comment: 'read the model\'s diff' });
    const deadline = Date.now() + 30_000;
    let status = '';
    while (Date.now() < deadline && !['executed', 'failed'].includes((status = (await client.governance.decisions.retrieve(decision.id)).status))) await new Promise((r) => setTimeout(r, 100));
    expect(status).toBe('executed');
    expect((await client.healing.patches.retrieve(withTests.model.id)).status).toBe('applied');
  }, 60_000);

  it('maximus heal shows the model\'s patch, marked as such', async () => {
    const dir = join(root, 'cli');
    mkdirSync(join(dir, 'app'), { recursive: true });
    writeFileSync(join(dir, 'app/util.py'), UTIL_PY);
    const { out, err, code } = await runCli(url, gateway.adminKey, ['heal', dir]);
    expect(code).toBe(0);
    expect(err).toMatch(/Analysing 1 python file/);
    expect(out).toMatch(/^Best patch: /m);
    expect(out).toMatch(/^Also proposed: Model patch \(openai test-model-1\): .*\n {2}proposed by a language model/m);
    expect(out).toMatch(/ model {2}safety suggestion-only {2}confidence/);
    expect(out).toContain('+    if items is None:');
  }, 120_000);

  it('the route: PENELOPE only, bounded input named, provider failures mapped as queries map them, out of the OpenAPI document', async () => {
    const params: ProposeFixParams = { language: 'python', files: [{ path: 'a.py', content: UTIL_PY }], issues: [{ rule: 'E711', message: 'Comparison to None', line: 5 }] };
    const answer = await proposeFix(gateway, params);
    expect(answer).toEqual({ files: [{ path: 'a.py', content: FIXED_PY }], explanation: 'Compared to None with `is`, as E711 asks.', provider: 'openai', model: 'test-model-1', stop_reason: 'stop' });

    const bad = (await proposeFix(gateway, { ...params, issues: [{ rule: 'E711', message: 'x', line: 5, file: 'b.py' }] })) as PeerError;
    expect(bad.peerStatus).toBe(400);
    expect(bad.problem).toMatchObject({ errors: [{ pointer: '/body/issues/0/file', message: 'b.py is not one of the files given' }] });
    const schema = (await proposeFix(gateway, { ...params, files: [] })) as PeerError;
    expect(schema.peerStatus).toBe(400);
    expect(JSON.stringify(schema.problem)).toContain('/body/files');

    fake.mode = 'error500';
    const upstream = (await proposeFix(gateway, params)) as PeerError;
    expect(upstream.peerStatus).toBe(502);
    expect(upstream.problem?.code).toBe('CORE_ERR_QUERY_UPSTREAM_FAILED');
    expect(JSON.stringify(upstream.problem)).not.toContain('sk-test-model-patches');
    fake.mode = 'ok';

    // A user, even an admin, is refused; the route is no public API.
    const user = await client.request({ method: 'POST', path: '/core/api/v1/query/propose-fix', body: params }).then(() => undefined, (e: unknown) => e);
    expect(user).toBeInstanceOf(APIError);
    expect(user).toMatchObject({ status: 403, code: 'KIT_ERR_AUTH_INTERNAL_ONLY' });
    const doc = await client.request<{ paths: Record<string, unknown> }>({ method: 'GET', path: '/core/openapi.json' });
    expect(Object.keys(doc.paths)).toContain('/api/v1/query');
    expect(Object.keys(doc.paths)).not.toContain('/api/v1/query/propose-fix');
  }, 60_000);
});

describe('model patches without a language model (the local provider)', () => {
  let gateway: TestGateway;
  let client: Maximus;
  beforeAll(async () => {
    ({ gateway, client } = await start({}));
  }, 120_000);
  afterAll(async () => {
    await client?.close();
    for (const service of gateway?.services ?? []) await service.stop();
    await gateway?.close();
  });

  it('no model patch, the analysers\' patches stand, and core is asked once in 5 minutes, not on every diagnosis', async () => {
    for (const path of ['one.py', 'two.py', 'three.py']) {
      const d = await client.healing.diagnose({ language: 'python', files: [{ path, content: UTIL_PY }] });
      const done = await settled(client, d.id);
      expect(done).toMatchObject({ patches_status: 'ready', model_patch_status: 'unavailable' });
      expect(done.patches_error).toBeNull(); // the default configuration is not an error
      const patches = (await client.healing.patches.list({ diagnosis_id: d.id })).data;
      expect(patches.length).toBeGreaterThan(0);
      expect(patches.every((p) => p.origin === 'analyser')).toBe(true);
    }
    const calls = sample(await metrics(gateway, 'core'), 'maximus_fix_proposals_total', { provider: 'local', outcome: 'CORE_ERR_QUERY_NO_MODEL' });
    expect(calls).toBe(1);
    expect(sample(await metrics(gateway, 'penelope'), 'penelope_model_patches_total', { outcome: 'skipped' })).toBe(2);
  }, 120_000);

  it('the route answers 409 CORE_ERR_QUERY_NO_MODEL', async () => {
    const error = (await proposeFix(gateway, { language: 'python', files: [{ path: 'a.py', content: UTIL_PY }], issues: [{ rule: 'E711', message: 'x', line: 5 }] })) as PeerError;
    expect(error.peerStatus).toBe(409);
    expect(error.problem).toMatchObject({ code: 'CORE_ERR_QUERY_NO_MODEL', status: 409 });
  });
});
