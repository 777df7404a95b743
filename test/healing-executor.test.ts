import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GovernanceResult, PatchAppliedEvent } from '@maximus/contracts';
import { loadConfig } from '@maximus/kit/config';
import { createPlatform, type Platform } from '@maximus/kit/platform';
import { prepareService, type PreparedService } from '@maximus/kit/service';
import { createPenelopeService, healingRuntime, type HealingRuntime } from '@maximus/penelope';
import { freshPgliteDir, silentLog } from './helpers.js';

// PENELOPE's apply_patch executor on its own (penelope alone on a fresh database): execute-once tokens, Sabbath mode with
// an injected clock, and the scheduled application on Monday 00:00 UTC.

const ORIGINAL = 'import os\nx = 1\n';
const FINAL = 'x = 1\n';

let platform: Platform;
let penelope: PreparedService;
let runtime: HealingRuntime;
let root: string;
const clock = { t: Date.parse('2026-01-03T10:00:00Z'), now: () => clock.t }; // a Saturday
const results: GovernanceResult[] = [];
const applied: PatchAppliedEvent[] = [];

async function seedPatch(workspace: string | null): Promise<{ patchId: string; decisionId: string }> {
  const diagnosisId = randomUUID();
  const patchId = randomUUID();
  const decisionId = randomUUID();
  await runtime.ctx.outbox.transaction(async (tx) => {
    await runtime.store.insertDiagnosis(tx, {
      id: diagnosisId, language: 'python', focus: 'all', files: [{ path: 'app.py', content: ORIGINAL, sha256: 'x', lines: 2 }], tests: [], issues: [], rules: ['F401'], file_names: ['app.py'],
      errors: 0, warnings: 1, infos: 0, total_issues: 1, fixable_issues: 1, analysers: [], queue_ms: 0, analysis_ms: 1, total_ms: 1, patches_status: 'ready', created_by: 'user:test',
    });
    await runtime.store.insertPatch(tx, {
      id: patchId, diagnosis_id: diagnosisId, origin: 'analyser', title: 'Remove unused import', rules: ['F401'], files: ['app.py'], safety_class: 'safe', diff: '', final_content: [{ path: 'app.py', content: FINAL }],
      confidence: 0.9, mansidao_score: 0.99, lines_changed: 1, functions_modified: 0, functions: [], reversibility: 1, breaking_change: false, breaking_changes: [], within_limits: true, requires_human_review: false,
      verified: true, verification_rejected: false, verification: { verified: true } as never, verification_ms: 1,
    });
    await runtime.store.updatePatch(tx, patchId, { status: 'apply_requested', decision_id: decisionId, workspace });
  });
  return { patchId, decisionId };
}

async function execute(decisionId: string, patchId: string, token: string, workspace: string | null): Promise<GovernanceResult> {
  const before = results.length;
  await runtime.ctx.outbox.transaction(async (_tx, emit) => {
    await emit('governance.execute.apply_patch', { decision_id: decisionId, action_type: 'apply_patch', params: { patch_id: patchId, ...(workspace ? { workspace } : {}) }, token, approved_by: ['user:approver'] });
  });
  const deadline = Date.now() + 10_000;
  while (results.length === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  return results.at(-1)!;
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'penelope-exec-'));
  const dataDir = freshPgliteDir();
  platform = await createPlatform({ config: loadConfig({ MAXIMUS_DATA_DIR: dataDir }), log: silentLog, dataDir });
  penelope = await prepareService(createPenelopeService({ clock, sabbath: true, workspaces: [root], warmOnStart: false, scheduleTickMs: 3_600_000 }), platform);
  await platform.bus.subscribe('governance.result', (e) => Promise.resolve(void results.push(e.payload as GovernanceResult)), { durable: 'test-results' });
  await platform.bus.subscribe('penelope.patch.applied', (e) => Promise.resolve(void applied.push(e.payload as PatchAppliedEvent)), { durable: 'test-applied' });
  await penelope.start();
  runtime = healingRuntime(penelope.ctx);
}, 60_000);

afterAll(async () => {
  await penelope?.stop();
  await platform?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('the apply_patch executor', () => {
  it('in Sabbath mode holds an approved patch until Monday 00:00 UTC, then writes it', async () => {
    const workspace = join(root, 'w1');
    mkdirSync(workspace);
    writeFileSync(join(workspace, 'app.py'), ORIGINAL);
    const { patchId, decisionId } = await seedPatch(workspace);
    const token = randomUUID();
    const result = await execute(decisionId, patchId, token, workspace);
    expect(result).toMatchObject({ decision_id: decisionId, token, ok: true, executor: 'penelope', result: { scheduled: true, executes_at: '2026-01-05T00:00:00.000Z' } });
    expect((await runtime.store.patch(patchId)).status).toBe('scheduled');
    expect(readFileSync(join(workspace, 'app.py'), 'utf8')).toBe(ORIGINAL);

    // A redelivery of the same token runs nothing and answers the same.
    const again = await execute(decisionId, patchId, token, workspace);
    expect(again).toEqual(result);
    const { rows } = await platform.db.query<{ n: string }>('SELECT count(*) AS n FROM penelope.patch_executions WHERE token = $1', [token]);
    expect(Number(rows[0]?.n)).toBe(1);

    clock.t = Date.parse('2026-01-04T23:59:00Z'); // still Sunday
    expect(await runtime.runScheduled()).toBe(0);
    clock.t = Date.parse('2026-01-05T00:00:01Z'); // Monday
    expect(await runtime.runScheduled()).toBe(1);
    expect(readFileSync(join(workspace, 'app.py'), 'utf8')).toBe(FINAL);
    const patch = await runtime.store.patch(patchId);
    expect(patch.status).toBe('applied');
    const deadline = Date.now() + 5000;
    while (!applied.some((a) => a.patch_id === patchId) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(applied.find((a) => a.patch_id === patchId)).toEqual({ patch_id: patchId, decision_id: decisionId, outcome: 'applied' });
    expect(await runtime.runScheduled()).toBe(0);
  }, 60_000);

  it('refuses a file that changed since the diagnosis, and a decision that did not request the patch', async () => {
    clock.t = Date.parse('2026-01-06T09:00:00Z'); // a Tuesday: no wait
    const workspace = join(root, 'w2');
    mkdirSync(workspace);
    writeFileSync(join(workspace, 'app.py'), 'import os\nx = 2\n');
    const { patchId, decisionId } = await seedPatch(workspace);
    const changed = await execute(decisionId, patchId, randomUUID(), workspace);
    expect(changed.ok).toBe(false);
    expect(changed.error).toMatch(/changed since it was diagnosed/);
    expect(readFileSync(join(workspace, 'app.py'), 'utf8')).toBe('import os\nx = 2\n');
    expect((await runtime.store.patch(patchId)).status).toBe('failed');

    const other = await seedPatch(null);
    const stranger = await execute(randomUUID(), other.patchId, randomUUID(), null);
    expect(stranger.ok).toBe(false);
    expect(stranger.error).toMatch(/was not requested by decision/);
    const unknown = await execute(randomUUID(), 'p1', randomUUID(), null);
    expect(unknown).toMatchObject({ ok: false, error: 'no patch with id p1' });
  }, 60_000);
});
