import type { GovernanceEvent, GovernanceExecuteCommand, GovernanceResult, PatchAppliedEvent, SourceFile } from '@maximus/contracts';
import { PENELOPE_TOPICS } from '@maximus/contracts';
import type { Subscription } from '@maximus/kit/bus';
import type { Queryable } from '@maximus/kit/db';
import type { Emit } from '@maximus/kit/outbox';
import { applyTime } from '../domain/sabbath.js';
import type { HealingRuntime } from './runtime.js';
import { diagnosisFiles, EXECUTIONS, PATCHES, type PatchRow } from './store.js';
import { resolveWorkspace, WorkspaceRefusal, writePatch } from './workspace.js';

const patchIdOf = (command: GovernanceExecuteCommand) => (typeof command.params.patch_id === 'string' ? command.params.patch_id : '');

/** A failure the decision should record (unknown patch, refused workspace), not a reason to redeliver. */
class ExecutorRefusal extends Error {
  override readonly name = 'ExecutorRefusal';
}

/** Writes (or records) an approved patch now; the row is locked by the caller. */
async function applyNow(runtime: HealingRuntime, tx: Queryable, emit: Emit, patch: PatchRow, decisionId: string): Promise<Record<string, unknown>> {
  const final = (typeof patch.final_content === 'string' ? JSON.parse(patch.final_content) : patch.final_content) as SourceFile[];
  let result: Record<string, unknown>;
  if (patch.workspace) {
    let workspace: string;
    try {
      workspace = await resolveWorkspace(patch.workspace, runtime.options.workspaces);
      const diagnosis = await runtime.store.diagnosis(patch.diagnosis_id, tx);
      const written = await writePatch(workspace, diagnosisFiles(diagnosis), final);
      result = { applied: true, workspace, files: written };
    } catch (error) {
      if (error instanceof WorkspaceRefusal) throw new ExecutorRefusal(`workspace ${patch.workspace}: ${error.message}`);
      throw error;
    }
  } else {
    result = { applied: true, recorded: true, files: final.map((f) => ({ path: f.path, bytes: Buffer.byteLength(f.content) })) };
  }
  const now = new Date(runtime.options.clock.now());
  await runtime.store.updatePatch(tx, patch.id, { status: 'applied', applied_at: now, apply_result: result, error: null });
  const event: PatchAppliedEvent = { patch_id: patch.id, decision_id: decisionId, outcome: 'applied' };
  await emit(PENELOPE_TOPICS.patchApplied, event);
  runtime.metrics.applied.inc({ outcome: 'applied' });
  return result;
}

async function markFailed(runtime: HealingRuntime, tx: Queryable, emit: Emit, patchId: string, decisionId: string, error: string): Promise<void> {
  const { rowCount } = await tx.query(`UPDATE ${PATCHES} SET status = 'failed', error = $2, updated_at = now() WHERE id::text = $1 AND decision_id = $3`, [patchId, error, decisionId]);
  if (!rowCount) return;
  const event: PatchAppliedEvent = { patch_id: patchId, decision_id: decisionId, outcome: 'failed', error };
  await emit(PENELOPE_TOPICS.patchApplied, event);
  runtime.metrics.applied.inc({ outcome: 'failed' });
}

/** Runs an approved `apply_patch`: now, or — Sabbath mode, on a rest day — scheduled for Monday 00:00 UTC. */
async function execute(runtime: HealingRuntime, tx: Queryable, emit: Emit, command: GovernanceExecuteCommand): Promise<unknown> {
  const patchId = patchIdOf(command);
  let patch: PatchRow;
  try {
    patch = await runtime.store.patch(patchId, tx, true);
  } catch {
    throw new ExecutorRefusal(`no patch with id ${patchId}`);
  }
  if (patch.decision_id !== command.decision_id) throw new ExecutorRefusal(`patch ${patchId} was not requested by decision ${command.decision_id} (apply it through POST /penelope/api/v1/healing/patches/{id}/apply)`);
  if (!patch.verified) throw new ExecutorRefusal(`patch ${patchId} failed verification`);
  if (patch.status === 'applied') return { applied: true, repeated: true };
  const workspace = typeof command.params.workspace === 'string' ? command.params.workspace : null;
  if (workspace !== patch.workspace) patch = await runtime.store.updatePatch(tx, patch.id, { workspace });
  const now = new Date(runtime.options.clock.now());
  const at = applyTime(now, runtime.options.sabbath);
  if (at > now) {
    if (workspace) {
      try {
        await resolveWorkspace(workspace, runtime.options.workspaces);
      } catch (error) {
        throw new ExecutorRefusal(`workspace ${workspace}: ${(error as Error).message}`);
      }
    }
    await runtime.store.updatePatch(tx, patch.id, { status: 'scheduled', scheduled_for: at });
    return { scheduled: true, executes_at: at.toISOString(), reason: 'Sabbath mode: approved patches wait until Monday 00:00 UTC' };
  }
  return applyNow(runtime, tx, emit, patch, command.decision_id);
}

/**
 * PENELOPE's executor of `governance.execute.apply_patch` (durable `penelope-executor-apply_patch`), like the gateway's:
 * the execute token is recorded in the transaction that runs the action, so a redelivery runs nothing and answers the
 * recorded result again on `governance.result`.
 */
export async function subscribeExecutor(runtime: HealingRuntime): Promise<Subscription[]> {
  const { ctx } = runtime;
  const executor = await ctx.bus.subscribe(
    'governance.execute.apply_patch',
    async (event) => {
      const command = event.payload as GovernanceExecuteCommand;
      await ctx.outbox.transaction(async (tx, emit) => {
        const claimed = await tx.query(`INSERT INTO ${EXECUTIONS} (token, decision_id, patch_id) VALUES ($1, $2, $3) ON CONFLICT (token) DO NOTHING RETURNING token`, [
          command.token,
          command.decision_id,
          patchIdOf(command),
        ]);
        if (!claimed.rows.length) {
          const { rows } = await tx.query<{ ok: boolean | null; result: unknown; error: string | null }>(`SELECT ok, result, error FROM ${EXECUTIONS} WHERE token = $1`, [command.token]);
          const row = rows[0];
          if (row && row.ok !== null) {
            await emit('governance.result', { decision_id: command.decision_id, token: command.token, action_type: command.action_type, ok: row.ok, executor: 'penelope', result: row.result ?? null, ...(row.error ? { error: row.error } : {}) });
          }
          return;
        }
        let result: GovernanceResult;
        try {
          const output = await execute(runtime, tx, emit, command);
          result = { decision_id: command.decision_id, token: command.token, action_type: command.action_type, ok: true, executor: 'penelope', result: output };
        } catch (error) {
          if (!(error instanceof ExecutorRefusal)) throw error;
          await markFailed(runtime, tx, emit, patchIdOf(command), command.decision_id, error.message);
          result = { decision_id: command.decision_id, token: command.token, action_type: command.action_type, ok: false, executor: 'penelope', error: error.message };
        }
        await tx.query(`UPDATE ${EXECUTIONS} SET ok = $2, result = $3, error = $4 WHERE token = $1`, [command.token, result.ok, JSON.stringify(result.result ?? null), result.error ?? null]);
        await emit('governance.result', result);
      });
      ctx.log.info({ decision_id: command.decision_id, patch_id: command.params.patch_id }, 'apply_patch executed');
    },
    { durable: 'penelope-executor-apply_patch' },
  );
  // Decisions that end without running: their patch is no longer waiting.
  const outcomes = await ctx.bus.subscribe(
    'governance.decision.*',
    async (event) => {
      const { decision } = event.payload as GovernanceEvent;
      if (decision.action_type !== 'apply_patch' || !['rejected', 'cancelled', 'expired', 'failed'].includes(decision.status)) return;
      const status = decision.status === 'failed' ? 'failed' : 'rejected';
      await ctx.db.query(`UPDATE ${PATCHES} SET status = $2, error = COALESCE(error, $3), updated_at = now() WHERE decision_id = $1 AND status = 'apply_requested'`, [
        decision.id,
        status,
        `decision ${decision.status}${decision.error ? `: ${decision.error}` : ''}`,
      ]);
    },
    { durable: 'penelope-governance-outcomes' },
  );
  return [executor, outcomes];
}

/** Applies the scheduled (Sabbath) patches whose time has come; each in its own transaction. Returns how many ran. */
export async function runScheduled(runtime: HealingRuntime): Promise<number> {
  const now = new Date(runtime.options.clock.now());
  if (runtime.options.sabbath && applyTime(now, true) > now) return 0;
  const { rows } = await runtime.ctx.db.query<{ id: string }>(`SELECT id FROM ${PATCHES} WHERE status = 'scheduled' AND scheduled_for <= $1 ORDER BY scheduled_for, id`, [now.toISOString()]);
  let ran = 0;
  for (const { id } of rows) {
    await runtime.ctx.outbox.transaction(async (tx, emit) => {
      const locked = await tx.query<PatchRow>(`SELECT * FROM ${PATCHES} WHERE id = $1 AND status = 'scheduled' FOR UPDATE SKIP LOCKED`, [id]);
      const patch = locked.rows[0];
      if (!patch) return;
      try {
        await applyNow(runtime, tx, emit, patch, patch.decision_id ?? '');
      } catch (error) {
        if (!(error instanceof ExecutorRefusal)) throw error;
        await markFailed(runtime, tx, emit, patch.id, patch.decision_id ?? '', error.message);
      }
      ran++;
    });
  }
  return ran;
}
