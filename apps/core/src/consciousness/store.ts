import type { EsgtEvent, EsgtEventList, EsgtEventListQuery, SafetyViolation, SafetyViolationKind } from '@maximus/contracts';
import type { Database, Queryable } from '@maximus/kit/db';
import { decodeKeysetCursor, encodeKeysetCursor, sqlFilters } from '@maximus/kit/pagination';
import { CoreErrors } from '../errors.js';
import type { HealthState } from './domain/health.js';

const iso = (t: Date | string | null): string | null => (t === null ? null : new Date(t).toISOString());

export interface StateRow {
  fabric: unknown;
  arousal: number;
  stress: number;
  arousal_detail: unknown;
  leader: string | null;
  leader_since: Date | string | null;
  heartbeat_at: Date | string | null;
  graph_changed_at: Date | string;
}

export interface NodeRow {
  id: number;
  state: HealthState;
  load: number;
  load_at: Date | string;
  state_since: Date | string;
}

export interface GateRow {
  active_id: string | null;
  active_nodes: number[] | null;
  active_since: Date | string | null;
  active_replica: string | null;
  last_end_at: Date | string | null;
  runs: string | number;
}

export interface ModulationRow {
  id: string;
  delta: number;
  duration_seconds: number;
  source: string;
  created_by: string;
  starts_at: Date | string;
  ends_at: Date | string;
}

interface EventRow {
  id: string;
  outcome: EsgtEvent['outcome'];
  gate: EsgtEvent['gate'];
  reason: string;
  salience: number;
  stimulus: EsgtEvent['stimulus'];
  threshold: number;
  gates: EsgtEvent['gates'];
  arousal_before: number;
  arousal_after: number | null;
  nodes: number[];
  coherence: EsgtEvent['coherence'];
  phases: EsgtEvent['phases'];
  seed: string | number | null;
  simulated_ms: number | null;
  wall_ms: number | null;
  context: unknown;
  triggered_by: string;
  started_at: Date | string;
  finished_at: Date | string;
}

const EVENT_COLUMNS = 'id, outcome, gate, reason, salience, stimulus, threshold, gates, arousal_before, arousal_after, nodes, coherence, phases, seed, simulated_ms, wall_ms, context, triggered_by, started_at, finished_at';

function toEvent(r: EventRow): EsgtEvent {
  return {
    id: r.id,
    outcome: r.outcome,
    gate: r.gate,
    reason: r.reason,
    salience: r.salience,
    stimulus: r.stimulus,
    threshold: r.threshold,
    gates: r.gates,
    arousal_before: r.arousal_before,
    arousal_after: r.arousal_after,
    nodes: r.nodes,
    node_count: r.nodes.length,
    coherence: r.coherence,
    phases: r.phases,
    seed: r.seed === null ? null : Number(r.seed),
    simulated_ms: r.simulated_ms,
    wall_ms: r.wall_ms,
    context: r.context ?? {},
    triggered_by: r.triggered_by,
    started_at: iso(r.started_at)!,
    finished_at: iso(r.finished_at)!,
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function decodeCursor(cursor: string): [string, string] {
  const position = decodeKeysetCursor(cursor);
  if (!position) throw new CoreErrors.CursorInvalid();
  return position;
}

/** The SQL of the consciousness model (tables of migrations/0002_consciousness.sql). */
export function createStore(db: Database) {
  return {
    db,
    async state(q: Queryable = db): Promise<StateRow> {
      const { rows } = await q.query<StateRow>('SELECT fabric, arousal, stress, arousal_detail, leader, leader_since, heartbeat_at, graph_changed_at FROM core.consciousness_state WHERE id');
      return rows[0]!;
    },

    async nodes(q: Queryable = db): Promise<NodeRow[]> {
      const { rows } = await q.query<NodeRow>('SELECT id, state, load, load_at, state_since FROM core.tig_nodes ORDER BY id');
      return rows;
    },

    async gate(q: Queryable = db): Promise<GateRow> {
      const { rows } = await q.query<GateRow>('SELECT active_id, active_nodes, active_since, active_replica, last_end_at, runs FROM core.esgt_gate WHERE id');
      return rows[0]!;
    },

    async activeModulations(now: Date, q: Queryable = db): Promise<ModulationRow[]> {
      const { rows } = await q.query<ModulationRow>('SELECT id, delta, duration_seconds, source, created_by, starts_at, ends_at FROM core.arousal_modulations WHERE ends_at > $1 AND starts_at <= $1 ORDER BY starts_at, id', [now.toISOString()]);
      return rows;
    },

    async insertModulation(q: Queryable, m: { id: string; delta: number; durationSeconds: number; source: string; createdBy: string; startsAt: Date }): Promise<ModulationRow> {
      const endsAt = new Date(m.startsAt.getTime() + m.durationSeconds * 1000);
      await q.query('INSERT INTO core.arousal_modulations (id, delta, duration_seconds, source, created_by, starts_at, ends_at) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
        m.id,
        m.delta,
        m.durationSeconds,
        m.source,
        m.createdBy,
        m.startsAt.toISOString(),
        endsAt.toISOString(),
      ]);
      return { id: m.id, delta: m.delta, duration_seconds: m.durationSeconds, source: m.source, created_by: m.createdBy, starts_at: m.startsAt, ends_at: endsAt };
    },

    async insertEvent(q: Queryable, e: Omit<EsgtEvent, 'node_count'> & { replica: string }): Promise<void> {
      await q.query(
        `INSERT INTO core.esgt_events (${EVENT_COLUMNS}, replica) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)`,
        [
          e.id,
          e.outcome,
          e.gate,
          e.reason,
          e.salience,
          JSON.stringify(e.stimulus),
          e.threshold,
          JSON.stringify(e.gates),
          e.arousal_before,
          e.arousal_after,
          e.nodes,
          e.coherence === null ? null : JSON.stringify(e.coherence),
          JSON.stringify(e.phases),
          e.seed,
          e.simulated_ms,
          e.wall_ms,
          JSON.stringify(e.context ?? {}),
          e.triggered_by,
          e.started_at,
          e.finished_at,
          e.replica,
        ],
      );
    },

    async attemptsSince(since: Date): Promise<{ success: number; blocked: number; failed: number }> {
      const { rows } = await db.query<{ outcome: string; n: string | number }>('SELECT outcome, count(*) AS n FROM core.esgt_events WHERE started_at > $1 GROUP BY outcome', [since.toISOString()]);
      const counts = { success: 0, blocked: 0, failed: 0 };
      for (const r of rows) counts[r.outcome as keyof typeof counts] = Number(r.n);
      return counts;
    },

    async lastEvent(): Promise<{ id: string; outcome: EsgtEvent['outcome']; reason: string; finished_at: string } | null> {
      const { rows } = await db.query<{ id: string; outcome: EsgtEvent['outcome']; reason: string; finished_at: Date | string }>('SELECT id, outcome, reason, finished_at FROM core.esgt_events ORDER BY started_at DESC, id DESC LIMIT 1');
      const r = rows[0];
      return r ? { id: r.id, outcome: r.outcome, reason: r.reason, finished_at: iso(r.finished_at)! } : null;
    },

    async event(id: string): Promise<EsgtEvent | null> {
      if (!UUID.test(id)) return null;
      const { rows } = await db.query<EventRow>(`SELECT ${EVENT_COLUMNS} FROM core.esgt_events WHERE id = $1`, [id]);
      return rows[0] ? toEvent(rows[0]) : null;
    },

    async listEvents(query: EsgtEventListQuery): Promise<EsgtEventList> {
      const filters = sqlFilters();
      const { add, params } = filters;
      if (query.outcome) add('outcome = ?', query.outcome);
      if (query.gate) add('gate = ?', query.gate);
      if (query.since) add('started_at >= ?', new Date(query.since).toISOString());
      if (query.until) add('started_at < ?', new Date(query.until).toISOString());
      if (query.cursor) filters.before('started_at, id', decodeCursor(query.cursor));
      const limit = query.limit ?? 50;
      params.push(limit + 1);
      const { rows } = await db.query<EventRow>(
        `SELECT ${EVENT_COLUMNS} FROM core.esgt_events ${filters.clause()} ORDER BY started_at DESC, id DESC LIMIT $${params.length}`,
        params,
      );
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      const next = rows.length > limit && last ? encodeKeysetCursor(last.started_at, last.id) : null;
      return { data: page.map(toEvent), next_cursor: next };
    },

    async violations(recent = 20): Promise<SafetyViolation[]> {
      const { rows } = await db.query<{ id: string; kind: SafetyViolationKind; detail: string; value: number; threshold: number; started_at: Date | string; ended_at: Date | string | null }>(
        `(SELECT id, kind, detail, value, threshold, started_at, ended_at FROM core.safety_violations WHERE ended_at IS NULL ORDER BY started_at DESC)
         UNION ALL
         (SELECT id, kind, detail, value, threshold, started_at, ended_at FROM core.safety_violations WHERE ended_at IS NOT NULL ORDER BY ended_at DESC LIMIT $1)`,
        [recent],
      );
      return rows.map((r) => ({ id: r.id, kind: r.kind, active: r.ended_at === null, detail: r.detail, value: r.value, threshold: r.threshold, started_at: iso(r.started_at)!, ended_at: iso(r.ended_at) }));
    },
  };
}

export type Store = ReturnType<typeof createStore>;
