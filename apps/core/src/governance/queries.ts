import type { DecisionDetail, DecisionList, DecisionListQuery, GovernanceStats } from '@maximus/contracts';
import type { Database } from '@maximus/kit/db';
import { decodeKeysetCursor, encodeKeysetCursor, sqlFilters } from '@maximus/kit/pagination';
import { CoreErrors } from '../errors.js';
import type { Clock } from './engine.js';
import { APPROVALS, DECISIONS, SELECT_DECISION, TRANSITIONS, toApproval, toDecision, toTransition, type ApprovalRow, type DecisionRow, type TransitionRow } from './rows.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function decodeCursor(cursor: string): [string, string] {
  const position = decodeKeysetCursor(cursor);
  if (!position) throw new CoreErrors.CursorInvalid();
  return position;
}

/** The read side: lists (newest first, keyset cursor), one decision with its history, and stats. */
export function createQueries(db: Database, clock: Clock) {
  return {
    async list(query: DecisionListQuery): Promise<DecisionList> {
      const filters = sqlFilters();
      const { add, params } = filters;
      if (query.status) add('d.status = ?', query.status);
      if (query.risk_level) add('d.risk_level = ?', query.risk_level);
      if (query.action_type) add('d.action_type = ?', query.action_type);
      if (query.since) add('d.created_at >= ?', new Date(query.since).toISOString());
      if (query.cursor) filters.before('d.created_at, d.id', decodeCursor(query.cursor));
      const limit = query.limit ?? 50;
      params.push(limit + 1);
      const { rows } = await db.query<DecisionRow>(
        `${SELECT_DECISION} ${filters.clause()} ORDER BY d.created_at DESC, d.id DESC LIMIT $${params.length}`,
        params,
      );
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return { data: page.map(toDecision), next_cursor: rows.length > limit && last ? encodeKeysetCursor(last.created_at, last.id) : null };
    },

    async retrieve(id: string): Promise<DecisionDetail> {
      if (!UUID.test(id)) throw new CoreErrors.DecisionNotFound(id);
      const { rows } = await db.query<DecisionRow>(`${SELECT_DECISION} WHERE d.id = $1`, [id]);
      const row = rows[0];
      if (!row) throw new CoreErrors.DecisionNotFound(id);
      const transitions = await db.query<TransitionRow>(`SELECT id, decision_id, kind, from_status, to_status, actor, reason, details, at FROM ${TRANSITIONS} WHERE decision_id = $1 ORDER BY seq`, [id]);
      const approvals = await db.query<ApprovalRow>(`SELECT principal_id, role, comment, at FROM ${APPROVALS} WHERE decision_id = $1 ORDER BY at, principal_id`, [id]);
      return { ...toDecision(row), transitions: transitions.rows.map(toTransition), approvals: approvals.rows.map(toApproval) };
    },

    async stats(): Promise<GovernanceStats> {
      const now = new Date(clock.now());
      // One statement (one round trip): the counts by status and risk, the oldest pending decision, the SLA figures.
      const { rows } = await db.query<{
        counts: { status: string; risk_level: string; n: number }[] | null;
        oldest_id: string | null;
        oldest_at: Date | string | null;
        overdue: number | string;
        auto_escalated: number | string;
        expired: number | string;
      }>(
        `SELECT (SELECT json_agg(json_build_object('status', status, 'risk_level', risk_level, 'n', n))
                   FROM (SELECT status, risk_level, count(*) AS n FROM ${DECISIONS} GROUP BY status, risk_level) c) AS counts,
                oldest.id AS oldest_id, oldest.created_at AS oldest_at,
                sla.overdue, sla.auto_escalated, sla.expired
         FROM (SELECT count(*) FILTER (WHERE status = 'pending' AND deadline_at <= $1) AS overdue,
                      count(*) FILTER (WHERE auto_escalated) AS auto_escalated,
                      count(*) FILTER (WHERE status = 'expired') AS expired
               FROM ${DECISIONS}) sla
         LEFT JOIN LATERAL (SELECT id, created_at FROM ${DECISIONS} WHERE status = 'pending' ORDER BY created_at, id LIMIT 1) oldest ON true`,
        [now.toISOString()],
      );
      const row = rows[0]!;
      const pending = { LOW: 0, MEDIUM: 0, HIGH: 0, CRITICAL: 0, total: 0 };
      const byStatus: Record<string, number> = {};
      for (const c of row.counts ?? []) {
        const n = Number(c.n);
        byStatus[c.status] = (byStatus[c.status] ?? 0) + n;
        if (c.status === 'pending') {
          pending[c.risk_level as keyof typeof pending] += n;
          pending.total += n;
        }
      }
      const oldestAt = row.oldest_at === null ? null : new Date(row.oldest_at);
      return {
        pending,
        oldest_pending: row.oldest_id && oldestAt ? { id: row.oldest_id, created_at: oldestAt.toISOString(), age_seconds: Math.max(0, (now.getTime() - oldestAt.getTime()) / 1000) } : null,
        sla_violations: { overdue: Number(row.overdue), auto_escalated: Number(row.auto_escalated), expired: Number(row.expired) },
        by_status: byStatus,
      };
    },
  };
}

export type Queries = ReturnType<typeof createQueries>;
