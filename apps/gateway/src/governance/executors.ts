import type { GovernanceExecuteCommand, GovernanceResult } from '@maximus/contracts';
import type { Queryable } from '@maximus/kit/db';
import type { Emit } from '@maximus/kit/outbox';
import type { ApiKeyStore } from '../auth/api-keys.js';
import { normaliseAddress, type DenyList } from './deny-list.js';
import type { RateOverrides } from './rate-overrides.js';

/** What an action does inside the executor's transaction; throws an `ExecutorRefusal` for an expected failure. */
export type ActionRunner = (tx: Queryable, emit: Emit, command: GovernanceExecuteCommand) => Promise<unknown>;

/** A failure the decision should record (bad target, unknown key), not a reason to redeliver. */
export class ExecutorRefusal extends Error {
  override readonly name = 'ExecutorRefusal';
}

const expiry = (seconds: unknown) => (typeof seconds === 'number' ? new Date(Date.now() + seconds * 1000).toISOString() : null);
const text = (value: unknown) => (typeof value === 'string' ? value : null);

export interface ExecutorDeps {
  keys: ApiKeyStore;
  denyList: DenyList;
  overrides: RateOverrides;
}

/** The gateway's executors, by action type. Each runs in the transaction that records its token. */
export function gatewayActions({ keys }: ExecutorDeps): Record<string, ActionRunner> {
  return {
    async block_ip(tx, _emit, { params, decision_id }) {
      const address = normaliseAddress(String(params.address));
      if (!address) throw new ExecutorRefusal(`${String(params.address)} is not an IP address or CIDR block`);
      await tx.query(
        `INSERT INTO gateway.deny_list (address, reason, decision_id, expires_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (address) DO UPDATE SET reason = EXCLUDED.reason, decision_id = EXCLUDED.decision_id, expires_at = EXCLUDED.expires_at, created_at = now()`,
        [address, text(params.reason), decision_id, expiry(params.duration_seconds)],
      );
      return { blocked: address, expires_at: expiry(params.duration_seconds) };
    },
    async unblock_ip(tx, _emit, { params }) {
      const address = normaliseAddress(String(params.address));
      if (!address) throw new ExecutorRefusal(`${String(params.address)} is not an IP address or CIDR block`);
      const { rowCount } = await tx.query('DELETE FROM gateway.deny_list WHERE address = $1', [address]);
      return { unblocked: address, was_blocked: rowCount > 0 };
    },
    async revoke_api_key(tx, emit, { params, decision_id }) {
      const id = String(params.key_id);
      const revoked = await keys.revoke(id, tx);
      if (!revoked) throw new ExecutorRefusal(`no API key with id ${id}`);
      await emit('audit.key.revoked', { key_id: id, actor: `governance:${decision_id}` });
      return { revoked: id, name: revoked.name, role: revoked.role };
    },
    async tighten_rate_limit(tx, _emit, { params, decision_id }) {
      const routeClass = text(params.route_class) ?? '*';
      await tx.query(
        `INSERT INTO gateway.rate_limit_overrides (principal, route_class, "limit", window_seconds, decision_id, expires_at) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (principal, route_class) DO UPDATE SET "limit" = EXCLUDED."limit", window_seconds = EXCLUDED.window_seconds, decision_id = EXCLUDED.decision_id, expires_at = EXCLUDED.expires_at, created_at = now()`,
        [String(params.principal), routeClass, Number(params.limit), Number(params.window_seconds), decision_id, expiry(params.duration_seconds)],
      );
      return { principal: params.principal, route_class: routeClass, limit: params.limit, window_seconds: params.window_seconds };
    },
  };
}

/** The result row of a token already run (a redelivery), answered again unchanged. */
export async function priorResult(tx: Queryable, command: GovernanceExecuteCommand): Promise<GovernanceResult | undefined> {
  const { rows } = await tx.query<{ ok: boolean | null; result: unknown; error: string | null }>('SELECT ok, result, error FROM gateway.governance_executions WHERE token = $1', [command.token]);
  const row = rows[0];
  if (!row) return undefined;
  return { decision_id: command.decision_id, token: command.token, action_type: command.action_type, ok: row.ok === true, executor: 'gateway', result: row.result ?? null, ...(row.error ? { error: row.error } : {}) };
}
