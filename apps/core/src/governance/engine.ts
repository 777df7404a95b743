import { randomUUID } from 'node:crypto';
import type { Decision, DecisionApproveParams, DecisionCreateParams, DecisionStatus, GovernanceResult, Principal, RiskLevel, TransitionKind } from '@maximus/contracts';
import type { Database, Queryable } from '@maximus/kit/db';
import type { Emit, Outbox } from '@maximus/kit/outbox';
import { actionDefinition } from '../domain/catalogue.js';
import { approvalsRequired, diffParams, initialTier, isExcludedBeneficiary, mayDecide, type QuorumOptions, type Voter } from '../domain/policy.js';
import { automationLevel, riskLevel, riskScore, slaMs } from '../domain/risk.js';
import { paramIssues } from '../domain/validate.js';
import { CoreErrors, paramsValidationError } from '../errors.js';
import { APPROVALS, DECISIONS, SELECT_DECISION, TRANSITIONS, toDecision, toTransition, type DecisionRow, type TransitionRow } from './rows.js';

/** Where governance reads the time: injectable, so that tests can move it (SLA deadlines, override windows). */
export interface Clock {
  now(): number;
}

export interface EngineOptions {
  db: Database;
  outbox: Outbox;
  clock: Clock;
  quorum: QuorumOptions;
  /** An `executing` decision without a result after this long is `failed`. */
  executeTimeoutMs: number;
  /** Called after commit for each status a decision enters (the metric). */
  onStatus: (status: DecisionStatus, risk: RiskLevel) => void;
}

interface Tx {
  tx: Queryable;
  emit: Emit;
  now: Date;
  entered: [DecisionStatus, RiskLevel][];
}

/** Extra rules of a decision the platform creates itself (the kill switch). */
export interface CreateExtras {
  autoExecuteAt?: Date;
  automation?: { level: 'MANUAL'; rule: string };
}

const JSON_COLUMNS = new Set(['params', 'result', 'risk_factors']);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function voterOf(principal: Principal | undefined): Voter {
  return principal ? { id: principal.id, role: principal.role } : { id: 'user:anonymous', role: 'readonly' };
}

/**
 * The decision state machine. Every change runs in one transaction that locks the decision's row
 * (`SELECT … FOR UPDATE`), so concurrent votes on one decision serialise across replicas; every change
 * writes a transition row and emits `governance.decision.<status>` through core's outbox in that transaction.
 */
export function createEngine(options: EngineOptions) {
  const { db, outbox, clock, quorum } = options;

  async function run<T>(fn: (t: Tx) => Promise<T>): Promise<T> {
    const entered: Tx['entered'] = [];
    const result = await outbox.transaction((tx, emit) => fn({ tx, emit, now: new Date(clock.now()), entered }));
    for (const [status, risk] of entered) options.onStatus(status, risk);
    return result;
  }

  async function lock(t: Tx, id: string, skipLocked = false): Promise<DecisionRow | undefined> {
    if (!UUID.test(id)) return undefined;
    const { rows } = await t.tx.query<DecisionRow>(`SELECT * FROM ${DECISIONS} WHERE id = $1 FOR UPDATE${skipLocked ? ' SKIP LOCKED' : ''}`, [id]);
    return rows[0];
  }

  async function mustLock(t: Tx, id: string): Promise<DecisionRow> {
    const row = await lock(t, id);
    if (!row) throw new CoreErrors.DecisionNotFound(id);
    return row;
  }

  async function move(t: Tx, row: DecisionRow, kind: TransitionKind, to: DecisionStatus, actor: string, reason: string | null, details: unknown, set: Record<string, unknown> = {}): Promise<DecisionRow> {
    const fields: Record<string, unknown> = { status: to, updated_at: t.now.toISOString(), ...set };
    const keys = Object.keys(fields);
    const values = keys.map((k) => (JSON_COLUMNS.has(k) && fields[k] !== null ? JSON.stringify(fields[k]) : fields[k]));
    await t.tx.query(`UPDATE ${DECISIONS} SET ${keys.map((k, i) => `${k} = $${i + 2}`).join(', ')} WHERE id = $1`, [row.id, ...values]);
    const { rows: transitions } = await t.tx.query<TransitionRow>(
      `INSERT INTO ${TRANSITIONS} (id, decision_id, kind, from_status, to_status, actor, reason, details, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       RETURNING id, decision_id, kind, from_status, to_status, actor, reason, details, at`,
      [randomUUID(), row.id, kind, kind === 'created' ? null : row.status, to, actor, reason, JSON.stringify(details ?? null), t.now.toISOString()],
    );
    const { rows } = await t.tx.query<DecisionRow>(`${SELECT_DECISION} WHERE d.id = $1`, [row.id]);
    const next = rows[0]!;
    if (kind === 'created' || row.status !== to) t.entered.push([to, next.risk_level]);
    await t.emit(`governance.decision.${to}`, { decision: toDecision(next), transition: toTransition(transitions[0]!) });
    return next;
  }

  async function startExecution(t: Tx, row: DecisionRow): Promise<DecisionRow> {
    const definition = actionDefinition(row.action_type);
    if (!definition?.executorAvailable) {
      const error = `no executor is registered for ${row.action_type}: its owner (${definition?.owner ?? 'unknown'}) has none in this build`;
      return move(t, row, 'failed', 'failed', 'system', error, null, { error });
    }
    const token = randomUUID();
    const next = await move(t, row, 'executing', 'executing', 'system', null, { token, executor: definition.owner }, { execute_token: token, execute_started_at: t.now.toISOString() });
    const { rows } = await t.tx.query<{ principal_id: string }>(`SELECT principal_id FROM ${APPROVALS} WHERE decision_id = $1 ORDER BY at, principal_id`, [row.id]);
    await t.emit(`governance.execute.${row.action_type}`, { decision_id: row.id, action_type: row.action_type, params: next.params, token, approved_by: rows.map((r) => r.principal_id) }, { 'x-execute-token': token });
    return next;
  }

  async function approveBySystem(t: Tx, row: DecisionRow, rule: string): Promise<DecisionRow> {
    await t.tx.query(`INSERT INTO ${APPROVALS} (decision_id, principal_id, role, comment, at) VALUES ($1, 'system', 'system', $2, $3)`, [row.id, rule, t.now.toISOString()]);
    const approved = await move(t, row, 'approved', 'approved', 'system', null, { rule });
    return startExecution(t, approved);
  }

  function assertMayDecide(row: DecisionRow, voter: Voter): void {
    if (row.status !== 'pending') throw new CoreErrors.NotPending(row.id, row.status);
    if (!mayDecide(voter, row.tier)) throw new CoreErrors.NoAuthority(voter.role, row.risk_level, row.tier);
  }

  function validParams(type: string, params: unknown, at = '/params'): void {
    const definition = actionDefinition(type);
    if (!definition) throw new CoreErrors.UnknownAction(type);
    const issues = paramIssues(definition.params, params);
    if (issues.length) throw paramsValidationError(issues, at);
  }

  return {
    /** Evaluates and stores a proposal; FULL automation approves (as `system`) and starts it at once. */
    create(body: DecisionCreateParams, principal: Principal | undefined, extras: CreateExtras = {}): Promise<Decision> {
      const definition = actionDefinition(body.action_type);
      if (!definition) throw new CoreErrors.UnknownAction(body.action_type);
      validParams(body.action_type, body.params);
      const score = riskScore(body.risk_factors);
      const level = riskLevel(score);
      const automation = extras.automation ?? automationLevel(level, body.confidence, definition.minAutomation);
      const proposer = principal?.id ?? 'user:anonymous';
      const onBehalfOf = body.on_behalf_of ?? principal?.on_behalf_of ?? (principal?.kind === 'user' ? principal.id : null);
      return run(async (t) => {
        const id = randomUUID();
        const now = t.now.toISOString();
        await t.tx.query(
          `INSERT INTO ${DECISIONS} (id, action_type, params, reasoning, confidence, risk_factors, risk_score, risk_level, automation_level, automation_rule,
             status, tier, proposed_by, on_behalf_of, approvals_required, deadline_at, auto_execute_at, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'pending', $11, $12, $13, $14, $15, $16, $17, $17)`,
          [id, body.action_type, JSON.stringify(body.params), body.reasoning, body.confidence, JSON.stringify(body.risk_factors), score, level, automation.level, automation.rule,
            initialTier(level), proposer, onBehalfOf, approvalsRequired(level, quorum), new Date(t.now.getTime() + slaMs(level)).toISOString(), extras.autoExecuteAt?.toISOString() ?? null, now],
        );
        let row = (await lock(t, id))!;
        row = await move(t, row, 'created', 'pending', proposer, body.reasoning, { risk_score: score, automation_rule: automation.rule });
        if (automation.level === 'FULL') row = await approveBySystem(t, row, `FULL automation: ${automation.rule}`);
        return toDecision(row);
      });
    },

    approve(id: string, body: DecisionApproveParams, principal: Principal | undefined): Promise<Decision> {
      const voter = voterOf(principal);
      return run(async (t) => {
        let row = await mustLock(t, id);
        assertMayDecide(row, voter);
        if (isExcludedBeneficiary(voter, row.on_behalf_of, row.risk_level, quorum)) throw new CoreErrors.Beneficiary(voter.id, row.risk_level);
        const voted = await t.tx.query(`SELECT 1 FROM ${APPROVALS} WHERE decision_id = $1 AND principal_id = $2`, [id, voter.id]);
        if (voted.rows.length) throw new CoreErrors.AlreadyVoted(voter.id, id);
        const diff = body.params ? diffParams(row.params, body.params) : [];
        if (body.params) validParams(row.action_type, body.params);
        const edit = diff.length ? { params: body.params } : {};
        await t.tx.query(`INSERT INTO ${APPROVALS} (decision_id, principal_id, role, comment, at) VALUES ($1, $2, $3, $4, $5)`, [id, voter.id, voter.role, body.comment ?? null, t.now.toISOString()]);
        const { rows } = await t.tx.query<{ n: number | string }>(`SELECT count(*) AS n FROM ${APPROVALS} WHERE decision_id = $1`, [id]);
        const votes = Number(rows[0]?.n ?? 0);
        const details = { votes, required: row.approvals_required, ...(diff.length ? { params_diff: diff } : {}) };
        if (votes < row.approvals_required) return toDecision(await move(t, row, 'vote', 'pending', voter.id, body.comment ?? null, details, edit));
        row = await move(t, row, 'approved', 'approved', voter.id, body.comment ?? null, details, edit);
        return toDecision(await startExecution(t, row));
      });
    },

    reject(id: string, reason: string, principal: Principal | undefined): Promise<Decision> {
      const voter = voterOf(principal);
      return run(async (t) => {
        const row = await mustLock(t, id);
        assertMayDecide(row, voter);
        return toDecision(await move(t, row, 'rejected', 'rejected', voter.id, reason, null));
      });
    },

    escalate(id: string, reason: string, principal: Principal | undefined): Promise<Decision> {
      const voter = voterOf(principal);
      return run(async (t) => {
        const row = await mustLock(t, id);
        assertMayDecide(row, voter);
        if (row.tier === 'admin') throw new CoreErrors.AlreadyEscalated(id);
        const deadline = new Date(t.now.getTime() + slaMs(row.risk_level)).toISOString();
        return toDecision(await move(t, row, 'escalated', 'pending', voter.id, reason, { from_tier: row.tier, to_tier: 'admin' }, { tier: 'admin', escalations: row.escalations + 1, deadline_at: deadline }));
      });
    },

    cancel(id: string, reason: string | undefined, principal: Principal | undefined): Promise<Decision> {
      const voter = voterOf(principal);
      return run(async (t) => {
        const row = await mustLock(t, id);
        if (row.status !== 'pending') throw new CoreErrors.NotPending(id, row.status);
        if (voter.id !== row.proposed_by && voter.role !== 'admin') throw new CoreErrors.CancelForbidden(row.proposed_by, id);
        return toDecision(await move(t, row, 'cancelled', 'cancelled', voter.id, reason ?? null, null));
      });
    },

    /**
     * One pass of the SLA loop at `clock.now()`: kill-switch windows that elapsed execute; pending decisions past
     * their deadline escalate (once, automatically) or expire (fail-closed); executions without a result time out.
     * Each decision in its own transaction (rows another replica holds are skipped). Returns how many changed.
     */
    async tick(): Promise<number> {
      const now = new Date(clock.now());
      const staleBefore = new Date(now.getTime() - options.executeTimeoutMs).toISOString();
      const { rows } = await db.query<{ id: string }>(
        `SELECT id FROM ${DECISIONS} WHERE (status = 'pending' AND (deadline_at <= $1 OR auto_execute_at <= $1)) OR (status = 'executing' AND execute_started_at <= $2)`,
        [now.toISOString(), staleBefore],
      );
      let changed = 0;
      for (const { id } of rows) {
        const moved = await run(async (t) => {
          const row = await lock(t, id, true);
          if (!row) return false;
          const at = t.now.getTime();
          if (row.status === 'pending' && row.auto_execute_at && new Date(row.auto_execute_at).getTime() <= at) {
            await approveBySystem(t, row, 'kill switch: the override window elapsed without a veto');
          } else if (row.status === 'pending' && new Date(row.deadline_at).getTime() <= at) {
            if (row.escalations === 0) {
              const deadline = new Date(at + slaMs(row.risk_level)).toISOString();
              await move(t, row, 'escalated', 'pending', 'system', 'SLA deadline passed: escalated automatically', { from_tier: row.tier, to_tier: 'admin', automatic: true }, {
                tier: 'admin', escalations: row.escalations + 1, auto_escalated: true, deadline_at: deadline,
              });
            } else {
              await move(t, row, 'expired', 'expired', 'system', 'SLA deadline passed again after escalation: expired, never executed', null);
            }
          } else if (row.status === 'executing' && row.execute_started_at && new Date(row.execute_started_at).getTime() <= new Date(staleBefore).getTime()) {
            const error = `no result from the ${row.action_type} executor within ${options.executeTimeoutMs} ms`;
            await move(t, row, 'failed', 'failed', 'system', error, null, { error });
          } else {
            return false;
          }
          return true;
        });
        if (moved) changed++;
      }
      return changed;
    },

    /** Records an executor's `governance.result`, once: results of another token, or for a settled decision, are ignored. */
    recordResult(result: GovernanceResult): Promise<boolean> {
      return run(async (t) => {
        const row = await lock(t, result.decision_id);
        if (!row || row.status !== 'executing' || row.execute_token !== result.token) return false;
        if (result.ok) await move(t, row, 'executed', 'executed', `service:${result.executor}`, null, { result: result.result ?? null }, { result: result.result ?? null });
        else await move(t, row, 'failed', 'failed', `service:${result.executor}`, result.error ?? 'the executor reported a failure', null, { error: result.error ?? 'failed' });
        return true;
      });
    },
  };
}

export type Engine = ReturnType<typeof createEngine>;
