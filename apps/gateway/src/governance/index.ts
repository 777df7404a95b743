import type { FastifyInstance } from 'fastify';
import { GOVERNANCE_EXECUTE_REPLAY_SECONDS, type GovernanceExecuteCommand, type GovernanceResult } from '@maximus/contracts';
import type { Bus, Subscription } from '@maximus/kit/bus';
import type { Database } from '@maximus/kit/db';
import { createError } from '@maximus/kit/errors';
import type { Logger } from '@maximus/kit/logger';
import type { Outbox } from '@maximus/kit/outbox';
import type { ApiKeyStore } from '../auth/api-keys.js';
import { rateLimitedError, rateLimitHeaders, type RateLimiter } from '../rate-limit/index.js';
import { DenyList } from './deny-list.js';
import { ExecutorRefusal, gatewayActions, priorResult } from './executors.js';
import { RateOverrides } from './rate-overrides.js';

export { DenyList, normaliseAddress } from './deny-list.js';
export { RateOverrides } from './rate-overrides.js';

export const GovernanceErrors = {
  AddressBlocked: createError('GATEWAY_ERR_ADDRESS_BLOCKED', 'Requests from %s are denied by a governance decision', 403),
} as const;

export interface GovernanceExecutorOptions {
  db: Database;
  bus: Bus;
  keys: ApiKeyStore;
  limiter: RateLimiter;
  /** The gateway's outbox: results go out through it, in the transaction that records the token. */
  outbox: Outbox;
  log: Logger;
}

/**
 * The gateway's part of governance, registered on the root before authentication:
 * - an onRequest hook that answers 403 to a denied address on every route (public ones included);
 * - a preValidation hook that applies a principal's tightened rate limit on top of the role's;
 * - consumers of `governance.execute.{block_ip,unblock_ip,revoke_api_key,tighten_rate_limit}` (durable
 *   `gateway-executor-<type>`): each runs once per execute token and answers on `governance.result`.
 */
export async function registerGovernanceExecutors(app: FastifyInstance, options: GovernanceExecutorOptions): Promise<void> {
  const { db, bus, outbox, log, limiter } = options;
  const denyList = new DenyList(db, log);
  const overrides = new RateOverrides(db, log);
  const actions = gatewayActions({ keys: options.keys, denyList, overrides });

  app.addHook('onRequest', async (request) => {
    if (await denyList.blocks(request.socket.remoteAddress)) throw new GovernanceErrors.AddressBlocked(request.socket.remoteAddress ?? 'this address');
  });
  app.addHook('preValidation', async (request, reply) => {
    const principal = request.principal;
    const rule = request.permission;
    if (!principal || !rule) return;
    const policy = await overrides.policyFor(principal.id, rule.class);
    if (!policy) return;
    const decision = await limiter.check(principal.id, `override-${policy.windowSeconds}s-${rule.class}`, policy);
    void reply.headers({ ...rateLimitHeaders(decision) });
    if (!decision.allowed) throw rateLimitedError(decision);
  });

  const subscriptions: Subscription[] = [];
  for (const [type, run] of Object.entries(actions)) {
    subscriptions.push(
      await bus.subscribe(
        `governance.execute.${type}`,
        async (event) => {
          const command = event.payload as GovernanceExecuteCommand;
          await outbox.transaction(async (tx, emit) => {
            const claimed = await tx.query('INSERT INTO gateway.governance_executions (token, decision_id, action_type) VALUES ($1, $2, $3) ON CONFLICT (token) DO NOTHING RETURNING token', [
              command.token,
              command.decision_id,
              command.action_type,
            ]);
            if (!claimed.rows.length) {
              const prior = await priorResult(tx, command);
              if (prior) await emit('governance.result', prior);
              return;
            }
            let result: GovernanceResult;
            try {
              const output = await run(tx, emit, command);
              result = { decision_id: command.decision_id, token: command.token, action_type: type, ok: true, executor: 'gateway', result: output };
            } catch (error) {
              if (!(error instanceof ExecutorRefusal)) throw error;
              result = { decision_id: command.decision_id, token: command.token, action_type: type, ok: false, executor: 'gateway', error: error.message };
            }
            await tx.query('UPDATE gateway.governance_executions SET ok = $2, result = $3, error = $4 WHERE token = $1', [command.token, result.ok, JSON.stringify(result.result ?? null), result.error ?? null]);
            await emit('governance.result', result);
          });
          await Promise.all([denyList.reload(), overrides.reload()]);
          log.info({ decision_id: command.decision_id, action_type: type }, 'governance action executed');
        },
        { durable: `gateway-executor-${type}`, replaySeconds: GOVERNANCE_EXECUTE_REPLAY_SECONDS },
      ),
    );
  }
  app.addHook('onClose', async () => {
    await Promise.all(subscriptions.map((s) => s.unsubscribe()));
  });
}
