import { GOVERNANCE_EXECUTE_REPLAY_SECONDS, type GovernanceExecuteCommand, type GovernanceResult } from '@maximus/contracts';
import type { Subscription } from '@maximus/kit/bus';
import type { ServiceContext } from '@maximus/kit/service';
import type { SafetyState } from '../safety/state.js';
import type { Engine } from './engine.js';

/**
 * core's consumers: `governance.result` (every executor's answer, recorded on its decision) and the one action
 * core executes itself, `governance.execute.emergency_shutdown`. Durable names: one delivery per replica group.
 */
export async function subscribeConsumers(ctx: ServiceContext, engine: Engine, safety: SafetyState): Promise<Subscription[]> {
  const results = await ctx.bus.subscribe(
    'governance.result',
    async (event) => {
      await engine.recordResult(event.payload as GovernanceResult);
    },
    { durable: 'core-governance-results', replaySeconds: 24 * 3600 },
  );
  const shutdown = await ctx.bus.subscribe(
    'governance.execute.emergency_shutdown',
    async (event) => {
      await executeShutdown(ctx, event.payload as GovernanceExecuteCommand);
      await safety.refresh();
    },
    { durable: 'core-executor-emergency_shutdown', replaySeconds: GOVERNANCE_EXECUTE_REPLAY_SECONDS },
  );
  return [results, shutdown];
}

/** Runs a shutdown once per token (the token is recorded in the same transaction) and answers on `governance.result`. */
async function executeShutdown(ctx: ServiceContext, command: GovernanceExecuteCommand): Promise<void> {
  await ctx.outbox.transaction(async (tx, emit) => {
    const claimed = await tx.query('INSERT INTO core.governance_executions (token, decision_id, action_type, ok) VALUES ($1, $2, $3, true) ON CONFLICT (token) DO NOTHING RETURNING token', [
      command.token,
      command.decision_id,
      command.action_type,
    ]);
    let result: GovernanceResult;
    if (claimed.rows.length) {
      const reason = typeof command.params.reason === 'string' ? command.params.reason : 'emergency shutdown';
      await tx.query('UPDATE core.safety_state SET shut_down = true, since = now(), reason = $1, decision_id = $2, updated_by = $3, updated_at = now() WHERE id', [
        reason,
        command.decision_id,
        command.approved_by.join(',') || 'system',
      ]);
      result = { decision_id: command.decision_id, token: command.token, action_type: command.action_type, ok: true, executor: 'core', result: { shut_down: true } };
      ctx.log.warn({ decision_id: command.decision_id, reason }, 'EMERGENCY SHUTDOWN in force: ignitions and modulations are refused until resumed');
    } else {
      // A redelivery: answer again (the first answer may have been lost), change nothing.
      result = { decision_id: command.decision_id, token: command.token, action_type: command.action_type, ok: true, executor: 'core', result: { shut_down: true, repeated: true } };
    }
    await emit('governance.result', result);
  });
}
