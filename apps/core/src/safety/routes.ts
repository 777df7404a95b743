import type { FastifyInstance } from 'fastify';
import { EmergencyShutdownAccepted, EmergencyShutdownParams, SafetyResumeParams, SafetyStatus, type Principal, type SafetyViolation } from '@maximus/contracts';
import type { Outbox } from '@maximus/kit/outbox';
import { CoreErrors } from '../errors.js';
import type { GovernanceRuntime } from '../governance/runtime.js';

const tags = ['safety'];
const WORST = { threat: 1, asset: 1, business: 1, action: 1, compliance: 1, environment: 1 };

function requireAdmin(principal: Principal | undefined): void {
  if (principal?.role !== 'admin') throw new CoreErrors.NoAuthority(principal?.role ?? 'none', 'CRITICAL', 'admin');
}

/**
 * `/api/v1/consciousness/safety/*`: the kill switch (an `emergency_shutdown` decision with an override window), resume, status
 * (with the consciousness model's safety violations).
 */
export async function safetyRoutes(app: FastifyInstance, runtime: GovernanceRuntime, outbox: Outbox, violations: () => Promise<SafetyViolation[]> = () => Promise.resolve([])): Promise<void> {
  const { engine, safety, db } = runtime;

  async function pendingShutdown() {
    const { rows } = await db.query<{ id: string; auto_execute_at: Date | string; proposed_by: string }>(
      `SELECT id, auto_execute_at, proposed_by FROM core.governance_decisions WHERE action_type = 'emergency_shutdown' AND status IN ('pending', 'approved', 'executing') ORDER BY created_at DESC LIMIT 1`,
    );
    const row = rows[0];
    return row ? { decision_id: row.id, executes_at: new Date(row.auto_execute_at).toISOString(), requested_by: row.proposed_by } : null;
  }

  app.post(
    '/consciousness/safety/emergency-shutdown',
    { schema: { summary: 'Request the emergency shutdown: executes after the override window unless another admin rejects it', tags, body: EmergencyShutdownParams, response: { 202: EmergencyShutdownAccepted } } },
    async (request, reply) => {
      requireAdmin(request.principal);
      const { reason } = request.body as EmergencyShutdownParams;
      const state = await safety.refresh();
      if (state.shut_down) throw new CoreErrors.AlreadyShutDown(state.since ?? 'unknown');
      const pending = await pendingShutdown();
      if (pending) throw new CoreErrors.ShutdownPending(pending.decision_id);
      const window = runtime.overrideWindowMs;
      const executesAt = new Date(runtime.clock.now() + window);
      const decision = await engine.create(
        { action_type: 'emergency_shutdown', params: { reason }, reasoning: reason, confidence: 1, risk_factors: WORST },
        request.principal,
        { autoExecuteAt: executesAt, automation: { level: 'MANUAL', rule: `kill switch: executes after its ${window} ms override window unless another admin rejects it; the requester may cancel` } },
      );
      return reply.code(202).send({ decision, executes_at: executesAt.toISOString() });
    },
  );

  app.post('/consciousness/safety/resume', { schema: { summary: 'Lift the emergency shutdown', tags, body: SafetyResumeParams, response: { 200: SafetyStatus } } }, async (request) => {
    requireAdmin(request.principal);
    const state = await safety.refresh();
    if (!state.shut_down) throw new CoreErrors.NotShutDown();
    const actor = request.principal?.id ?? 'unknown';
    const reason = (request.body as SafetyResumeParams | undefined)?.reason ?? null;
    await outbox.transaction(async (tx, emit) => {
      await tx.query('UPDATE core.safety_state SET shut_down = false, since = NULL, reason = NULL, decision_id = NULL, updated_by = $1, updated_at = now() WHERE id', [actor]);
      await emit('governance.safety.resumed', { actor, reason, shutdown_decision_id: state.decision_id, shut_down_since: state.since });
    });
    return { ...(await safety.refresh()), pending: await pendingShutdown(), violations: await violations() };
  });

  app.get('/consciousness/safety/status', { schema: { summary: 'Whether the emergency shutdown holds, any pending request, and the safety violations', tags, response: { 200: SafetyStatus } } }, async () => ({
    ...(await safety.refresh()),
    pending: await pendingShutdown(),
    violations: await violations(),
  }));
  await Promise.resolve();
}
