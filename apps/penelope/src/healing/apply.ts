import type { Decision, DecisionCreateParams, Issue, PatchApplyParams, PatchApplyRequestedEvent, PatchApplyResult, Principal } from '@maximus/contracts';
import { PENELOPE_TOPICS } from '@maximus/contracts';
import { applyRiskFactors } from '../domain/apply-risk.js';
import { PenelopeErrors } from './errors.js';
import type { HealingRuntime } from './runtime.js';
import { PATCHES, toMansidao, toPatchSummary } from './store.js';
import { resolveWorkspace, WorkspaceRefusal } from './workspace.js';

/**
 * `POST /healing/patches/{id}/apply`: proposes a governance `apply_patch` decision in core (as `service:penelope` on
 * behalf of the caller) with risk factors from the patch's safety class, size and mansidão. The catalogue keeps it
 * from being FULL: a person decides; PENELOPE's executor applies it once approved.
 */
export async function requestApply(runtime: HealingRuntime, patchId: string, body: PatchApplyParams, principal: Principal | undefined): Promise<PatchApplyResult> {
  const { store } = runtime;
  const patch = await store.patch(patchId);
  if (!patch.verified) throw new PenelopeErrors.PatchNotVerified(patch.id, (typeof patch.verification === 'string' ? (JSON.parse(patch.verification) as { reasons: string[] }) : patch.verification).reasons.join('; '));
  if (['apply_requested', 'scheduled', 'applied'].includes(patch.status)) throw new PenelopeErrors.PatchBusy(patch.id, patch.status.replace('_', ' '), patch.decision_id ?? 'none');
  if (body.workspace !== undefined) {
    try {
      await resolveWorkspace(body.workspace, runtime.options.workspaces);
    } catch (error) {
      if (error instanceof WorkspaceRefusal) throw new PenelopeErrors.WorkspaceNotAllowed(body.workspace, error.message);
      throw error;
    }
  }
  const diagnosis = await store.diagnosis(patch.diagnosis_id);
  const issues = (typeof diagnosis.issues === 'string' ? JSON.parse(diagnosis.issues) : diagnosis.issues) as Issue[];
  const security = issues.some((i) => i.category === 'security' && patch.rules.includes(i.rule));
  const mansidao = toMansidao(patch);
  const proposal: DecisionCreateParams = {
    action_type: 'apply_patch',
    params: { patch_id: patch.id, diagnosis_id: patch.diagnosis_id, ...(body.workspace !== undefined ? { workspace: body.workspace } : {}) },
    reasoning:
      `PENELOPE patch "${patch.title}" (${patch.rules.join(', ')}) to ${patch.files.join(', ')}: safety class ${patch.safety_class}, ` +
      `${mansidao.lines_changed} line(s) in ${mansidao.functions_modified} function(s), mansidão ${mansidao.score}${mansidao.within_limits ? ' (within limits)' : ' (outside the limits)'}, ` +
      `confidence ${patch.confidence}, verified.${mansidao.breaking_change ? ` Breaking: ${mansidao.breaking_changes.join('; ')}.` : ''} ` +
      (body.workspace ? `Writes into ${body.workspace}.` : 'Records the final content (no workspace).'),
    confidence: patch.confidence,
    risk_factors: applyRiskFactors({ safety: patch.safety_class, mansidao, workspace: body.workspace !== undefined, security }),
  };
  // Claim the patch first, so that two concurrent requests cannot both propose a decision for it.
  const claimed = await runtime.ctx.db.query<{ id: string }>(
    `UPDATE ${PATCHES} SET status = 'apply_requested', decision_id = NULL, workspace = $2, requested_by = $3, error = NULL, updated_at = now() WHERE id = $1 AND status = $4 RETURNING id`,
    [patch.id, body.workspace ?? null, principal?.id ?? null, patch.status],
  );
  if (!claimed.rows.length) throw new PenelopeErrors.PatchBusy(patch.id, 'being requested', 'pending');
  let decision: Decision;
  try {
    const onBehalfOf = principal?.kind === 'user' ? principal.id : principal?.on_behalf_of;
    const response = await runtime.ctx.peers.request<Decision>('core', { method: 'POST', path: '/api/v1/governance/decisions', body: proposal, ...(onBehalfOf ? { onBehalfOf } : {}) });
    decision = response.body;
  } catch (error) {
    await runtime.ctx.db.query(`UPDATE ${PATCHES} SET status = $2, error = $3, updated_at = now() WHERE id = $1`, [patch.id, patch.status, `the governance decision could not be created: ${(error as Error).message}`]);
    throw error;
  }
  const updated = await runtime.ctx.outbox.transaction(async (tx, emit) => {
    const row = await store.updatePatch(tx, patch.id, { decision_id: decision.id });
    const event: PatchApplyRequestedEvent = { patch_id: patch.id, decision_id: decision.id };
    await emit(PENELOPE_TOPICS.patchApplyRequested, event);
    return row;
  });
  return { patch: toPatchSummary(updated), decision };
}
