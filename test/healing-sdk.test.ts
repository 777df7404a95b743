import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BadRequestError, ConflictError, Maximus, NotFoundError, PermissionDeniedError } from '@maximus/sdk';
import type { Diagnosis, HealingCase, PatchSummary } from '@maximus/contracts';
import { embeddedGateway, runCli, type TestGateway } from './gateway-helpers.js';

// PENELOPE healing through the real embedded gateway with the SDK: diagnose → patches → apply → governance → executor.

const UTIL_PY = `import os
import sys


def first(items):
    if items == None:
        return None
    return items[0]


def name():
    return sys.argv[0]
`;
const TEST_UTIL_PY = `from app.util import first


def test_first():
    assert first([3, 4]) == 3
    assert first(None) is None
`;

let gateway: TestGateway;
let admin: Maximus;
let operator: Maximus;
let reader: Maximus;
let root: string;
let outside: string;
let url: string;

async function settled(client: Maximus, id: string): Promise<Diagnosis> {
  const deadline = Date.now() + 180_000;
  for (;;) {
    const d = await client.healing.retrieve(id);
    if (d.patches_status !== 'pending') return d;
    if (Date.now() > deadline) throw new Error(`patches of ${id} still pending`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function decisionStatus(id: string, wanted: string[]): Promise<string> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const d = await admin.governance.decisions.retrieve(id);
    if (wanted.includes(d.status) || Date.now() > deadline) return d.status;
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'penelope-workspaces-'));
  outside = mkdtempSync(join(tmpdir(), 'penelope-outside-'));
  process.env.MAXIMUS_PENELOPE_WORKSPACES = root;
  process.env.MAXIMUS_PENELOPE_ANALYSER_WORKERS = '1';
  gateway = await embeddedGateway({ MAXIMUS_RATE_LIMITS: 'read=100000/60,write=100000/60,expensive=10000/60' });
  for (const service of gateway.services) await service.start();
  url = await gateway.app.listen({ host: '127.0.0.1', port: 0 });
  const key = async (role: 'operator' | 'readonly') => (await gateway.security.keys.create({ name: role, role, createdBy: null })).key;
  admin = new Maximus({ baseURL: url, apiKey: gateway.adminKey, timeout: 240_000 });
  operator = new Maximus({ baseURL: url, apiKey: await key('operator'), timeout: 240_000 });
  reader = new Maximus({ baseURL: url, apiKey: await key('readonly'), timeout: 240_000 });
}, 300_000);

afterAll(async () => {
  await Promise.all([admin, operator, reader].map((c) => c?.close()));
  for (const service of gateway?.services ?? []) await service.stop();
  await gateway?.close();
  delete process.env.MAXIMUS_PENELOPE_WORKSPACES;
  delete process.env.MAXIMUS_PENELOPE_ANALYSER_WORKERS;
  rmSync(root, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

describe('PENELOPE healing through the SDK', () => {
  let diagnosis: Diagnosis;
  let best: PatchSummary;

  it('diagnoses Python with Ruff, then builds verified patches (tests run before and after)', async () => {
    diagnosis = await operator.healing.diagnose({ language: 'python', files: [{ path: 'app/util.py', content: UTIL_PY }], tests: [{ path: 'tests/test_util.py', content: TEST_UTIL_PY }] });
    expect(diagnosis.language).toBe('python');
    const rules = diagnosis.issues.map((i) => i.rule);
    expect(rules).toEqual(expect.arrayContaining(['F401', 'E711']));
    const unused = diagnosis.issues.find((i) => i.rule === 'F401')!;
    expect(unused).toMatchObject({ source: 'ruff', file: 'app/util.py', line: 1, fixable: true, fix_safety: 'safe' });
    expect(diagnosis.issues_by_severity.warning).toBeGreaterThan(0);
    expect(diagnosis.analysers.map((a) => a.name)).toContain('ruff');
    expect(diagnosis.tests).toEqual(['tests/test_util.py']);

    const done = await settled(operator, diagnosis.id);
    expect(done.patches_status).toBe('ready');
    const list = await reader.healing.patches.list({ diagnosis_id: diagnosis.id });
    expect(list.data.length).toBeGreaterThan(0);
    best = list.data[0]!;
    expect(best.verified).toBe(true);
    expect(best.verification.tests?.runner).toMatch(/pytest|unittest/);
    expect(best.verification.tests?.ok).toBe(true);
    expect(best.verification.tests_baseline?.ok).toBe(true);
    expect(best.diff).toMatch(/^--- a\/app\/util\.py/m);
    const unusedImport = list.data.find((p) => p.rules.includes('F401') && p.rules.length === 1)!;
    expect(unusedImport).toMatchObject({ safety_class: 'safe', verified: true });
    expect(unusedImport.diff).toContain('-import os');
    expect(unusedImport.mansidao).toMatchObject({ lines_changed: 1, functions_modified: 0, reversibility: 1, breaking_change: false, within_limits: true });
    expect(unusedImport.mansidao_score).toBeCloseTo(0.3 * (1 - 1 / 25) + 0.3 + 0.2 + 0.2, 4);
    const none = list.data.find((p) => p.rules.includes('E711') && p.rules.length === 1)!;
    expect(none.safety_class).toBe('unsafe');
    expect(none.mansidao.functions).toEqual(['first']);
    const full = await reader.healing.patches.retrieve(unusedImport.id);
    expect(full.final_content[0]?.content).toBe(UTIL_PY.replace('import os\n', ''));
  }, 300_000);

  it('refuses bad input with a 400 naming the field', async () => {
    const both = await operator.healing.diagnose({ language: 'python', code: 'x = 1\n', files: [{ path: 'a.py', content: 'x = 1\n' }] }).catch((e: unknown) => e);
    expect(both).toBeInstanceOf(BadRequestError);
    expect((both as BadRequestError).body).toMatchObject({ errors: [{ pointer: '/body/code' }] });
    const extension = await operator.healing.diagnose({ language: 'python', files: [{ path: 'a.ts', content: 'x = 1\n' }] }).catch((e: unknown) => e);
    expect((extension as BadRequestError).body).toMatchObject({ errors: [{ pointer: '/body/files/0/path' }] });
    const escape = await operator.healing.diagnose({ language: 'python', files: [{ path: '../a.py', content: 'x = 1\n' }] }).catch((e: unknown) => e);
    expect(escape).toBeInstanceOf(BadRequestError);
    await expect(reader.healing.diagnose({ language: 'python', code: 'x = 1\n' })).rejects.toBeInstanceOf(PermissionDeniedError);
    await expect(reader.healing.retrieve('00000000-0000-4000-8000-000000000000')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('applies a patch only through an approved governance decision: the executor writes it into the allowed workspace', async () => {
    const workspace = join(root, 'checkout');
    mkdirSync(join(workspace, 'app'), { recursive: true });
    writeFileSync(join(workspace, 'app/util.py'), UTIL_PY);
    const patch = (await reader.healing.patches.list({ diagnosis_id: diagnosis.id })).data.find((p) => p.rules.length === 1 && p.rules[0] === 'F401')!;

    await expect(reader.healing.patches.apply(patch.id, { workspace })).rejects.toBeInstanceOf(PermissionDeniedError);
    const refused = await operator.healing.patches.apply(patch.id, { workspace: outside }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(BadRequestError);
    expect((refused as BadRequestError).code).toBe('PENELOPE_ERR_HEALING_WORKSPACE_NOT_ALLOWED');

    const { decision, patch: requested } = await operator.healing.patches.apply(patch.id, { workspace });
    expect(decision).toMatchObject({ action_type: 'apply_patch', status: 'pending', proposed_by: 'service:penelope', params: { patch_id: patch.id, workspace } });
    expect(decision.automation_level).not.toBe('FULL');
    expect(requested).toMatchObject({ status: 'apply_requested', decision_id: decision.id });
    await expect(operator.healing.patches.apply(patch.id, { workspace })).rejects.toBeInstanceOf(ConflictError);
    // Nothing is written before a person approves.
    expect(readFileSync(join(workspace, 'app/util.py'), 'utf8')).toBe(UTIL_PY);

    await admin.governance.decisions.approve(decision.id, { comment: 'reviewed the diff' });
    expect(await decisionStatus(decision.id, ['executed', 'failed'])).toBe('executed');
    expect(readFileSync(join(workspace, 'app/util.py'), 'utf8')).toBe(UTIL_PY.replace('import os\n', ''));
    const applied = await reader.healing.patches.retrieve(patch.id);
    expect(applied).toMatchObject({ status: 'applied', decision_id: decision.id });
    expect(applied.applied_at).not.toBeNull();

    const cases: HealingCase[] = [];
    for await (const c of reader.healing.history({ status: 'applied', language: 'python' })) cases.push(c);
    expect(cases.map((c) => c.diagnosis_id)).toContain(diagnosis.id);
    await expect(operator.healing.patches.apply(patch.id)).rejects.toBeInstanceOf(ConflictError);
  }, 120_000);

  it('refuses a workspace that escapes the allow-list through a symbolic link, at request and at execution', async () => {
    const link = join(root, 'escape');
    symlinkSync(outside, link);
    const patch = (await reader.healing.patches.list({ diagnosis_id: diagnosis.id })).data.find((p) => p.status === 'proposed' && p.verified)!;
    const refused = await operator.healing.patches.apply(patch.id, { workspace: link }).catch((e: unknown) => e);
    expect((refused as BadRequestError).code).toBe('PENELOPE_ERR_HEALING_WORKSPACE_NOT_ALLOWED');
    const dotdot = await operator.healing.patches.apply(patch.id, { workspace: `${root}/../${outside.split('/').pop()!}` }).catch((e: unknown) => e);
    expect((dotdot as BadRequestError).code).toBe('PENELOPE_ERR_HEALING_WORKSPACE_NOT_ALLOWED');
    // An approver who edits the workspace to one outside: the executor refuses and the decision fails.
    const { decision } = await operator.healing.patches.apply(patch.id);
    await admin.governance.decisions.approve(decision.id, { params: { patch_id: patch.id, diagnosis_id: diagnosis.id, workspace: link } });
    expect(await decisionStatus(decision.id, ['executed', 'failed'])).toBe('failed');
    const failed = await reader.healing.patches.retrieve(patch.id);
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/outside every allowed workspace/);
  }, 120_000);

  it('records the final content when no workspace is given, and lists history with filters and a cursor', async () => {
    const d = await operator.healing.diagnose({ language: 'python', code: 'import json\n\nprint(1)\n' });
    expect((await settled(operator, d.id)).patches_status).toBe('ready');
    const patch = (await reader.healing.patches.list({ diagnosis_id: d.id })).data[0]!;
    const { decision } = await operator.healing.patches.apply(patch.id);
    await admin.governance.decisions.approve(decision.id);
    expect(await decisionStatus(decision.id, ['executed', 'failed'])).toBe('executed');
    const detail = await admin.governance.decisions.retrieve(decision.id);
    expect(detail.result).toMatchObject({ applied: true, recorded: true });
    const page = await reader.healing.history({ rule: 'F401', limit: 1 }).page();
    expect(page.data).toHaveLength(1);
    expect(page.next_cursor).not.toBeNull();
    const next = await reader.healing.history({ rule: 'F401', limit: 1 }).page(page.next_cursor!);
    expect(next.data[0]?.diagnosis_id).not.toBe(page.data[0]?.diagnosis_id);
  }, 300_000);

  it('finds precedents: a similar past case scores higher than a different one', async () => {
    const similar = await operator.healing.diagnose({ language: 'python', files: [{ path: 'lib/util.py', content: UTIL_PY.replace('first', 'head') }] });
    await settled(operator, similar.id);
    const { data, candidates_compared } = await reader.wisdom.precedents({ diagnosis_id: similar.id });
    expect(candidates_compared).toBeGreaterThanOrEqual(2);
    expect(data[0]?.diagnosis_id).toBe(diagnosis.id);
    expect(data[0]!.similarity).toBeGreaterThan(0.6);
    expect(data[0]!.components.rules).toBe(1);
    expect(data[0]!.outcome).toBe('applied');
  }, 300_000);

  it('diagnoses TypeScript with the compiler and ESLint, with code fixes and suggestions', async () => {
    const code = `import { readFileSync } from 'node:fs';
export async function load(): Promise<string> {
  return 'x';
}
export async function main(): Promise<number> {
  const data = load();
  if (typeof data == 'string') return 1;
  return data.length;
}
`;
    const d = await operator.healing.diagnose({ language: 'typescript', code });
    const byRule = new Map(d.issues.map((i) => [i.rule, i]));
    expect(byRule.get('TS6133')).toMatchObject({ source: 'typescript', fixable: true, fix_safety: 'safe' });
    expect(byRule.get('TS2339')).toMatchObject({ fixable: true, fix_safety: 'unsafe' });
    expect(byRule.get('eqeqeq')).toMatchObject({ source: 'eslint', fixable: true });
    expect(d.analysers.map((a) => a.name)).toEqual(['typescript', 'eslint']);
    expect((await settled(operator, d.id)).patches_status).toBe('ready');
    const patches = (await reader.healing.patches.list({ diagnosis_id: d.id })).data;
    const awaitFix = patches.find((p) => p.rules.includes('TS2339'))!;
    expect(awaitFix.diff).toContain('(await data).length');
    expect(awaitFix.verified).toBe(true);
  }, 300_000);

  it('maximus heal: progress, "Found N issues", the best verified patch as a diff with its mansidão; --apply waits for the decision', async () => {
    const dir = join(root, 'cli-project');
    mkdirSync(join(dir, 'app'), { recursive: true });
    writeFileSync(join(dir, 'app/util.py'), UTIL_PY);
    const run = (...argv: string[]) => runCli(url, gateway.adminKey, argv);
    const shown = await run('heal', dir);
    expect(shown.code).toBe(0);
    expect(shown.err).toMatch(/Analysing 1 python file/);
    expect(shown.out).toMatch(/Found \d+ issues/);
    expect(shown.out).toMatch(/Best patch: .*\n.*mansidão 0\.\d+/);
    expect(shown.out).toMatch(/^--- a\/app\/util\.py/m);

    const json = await run('heal', join(dir, 'app/util.py'), '--json');
    const parsed = JSON.parse(json.out) as { diagnosis: Diagnosis; best: PatchSummary };
    expect(parsed.best.verified).toBe(true);

    // --apply: approve the decision from elsewhere while the command waits for it.
    const approving = (async () => {
      for (let i = 0; i < 600; i++) {
        const pending = await admin.governance.decisions.list({ status: 'pending', action_type: 'apply_patch' }).page();
        const mine = pending.data.find((d) => (d.params as { workspace?: string }).workspace === dir);
        if (mine) return admin.governance.decisions.approve(mine.id, { comment: 'from the test' });
        await new Promise((r) => setTimeout(r, 200));
      }
      throw new Error('no decision appeared');
    })();
    const applied = await run('heal', dir, '--apply');
    await approving;
    expect(applied.err).toMatch(/Decision [0-9a-f-]+: pending/);
    expect(applied.out).toMatch(/Decision [0-9a-f-]+: executed/);
    expect(applied.code).toBe(0);
    expect(readFileSync(join(dir, 'app/util.py'), 'utf8')).not.toBe(UTIL_PY);
  }, 300_000);
});
