import type { Database } from '@maximus/kit/db';
import type { OutcomeAggregates, SignalAggregates } from '../domain/scores.js';

type Row = Record<string, string | number | null>;

const n = (v: string | number | null | undefined): number => (v === null || v === undefined ? 0 : Number(v));
const orNull = (v: string | number | null | undefined): number | null => (v === null || v === undefined ? null : Number(v));

/** Sums of the samples, probes, ledger checks and ignitions since `since`. */
export async function signalAggregates(db: Database, since: Date, sloSeconds: number): Promise<SignalAggregates> {
  const at = since.toISOString();
  const [samples, probes, checks, ignitions, passes] = await Promise.all([
    db.query<Row>(
      `SELECT sum(requests) AS requests, sum(server_errors) AS server_errors, sum(answered_429) AS answered_429, sum(rate_limited) AS rate_limited,
              sum(requests) FILTER (WHERE slo_bucket_seconds IS NOT NULL) AS slo_requests, sum(within_slo) FILTER (WHERE slo_bucket_seconds IS NOT NULL) AS within_slo,
              (array_agg(slo_bucket_seconds ORDER BY taken_at DESC))[1] AS slo_bucket_seconds,
              sum(cpu_seconds) FILTER (WHERE elapsed_seconds > 0) AS cpu_seconds, sum(elapsed_seconds) FILTER (WHERE elapsed_seconds > 0 AND cpu_seconds IS NOT NULL) AS elapsed_seconds,
              avg(event_loop_lag_p99_seconds) AS lag_seconds, avg(greatest(0, 1 - event_loop_lag_p99_seconds / $2)) AS lag_headroom,
              count(*) AS samples
         FROM penelope.spiritual_metric_samples WHERE taken_at > $1`,
      [at, sloSeconds],
    ),
    db.query<Row>(
      `SELECT count(*) AS probes, count(*) FILTER (WHERE available) AS available, count(*) FILTER (WHERE restarted) AS restarts, count(DISTINCT taken_at) AS passes
         FROM penelope.spiritual_health_probes WHERE taken_at > $1`,
      [at],
    ),
    db.query<Row>(`SELECT count(*) AS checks, count(*) FILTER (WHERE passed) AS passed FROM penelope.spiritual_ledger_checks WHERE checked_at > $1`, [at]),
    db.query<Row>(
      `SELECT count(*) FILTER (WHERE facts->>'outcome' = 'success') AS success, count(*) FILTER (WHERE facts->>'outcome' = 'failure') AS failure,
              count(*) FILTER (WHERE facts->>'outcome' = 'blocked') AS blocked
         FROM penelope.spiritual_events WHERE topic LIKE 'consciousness.esgt.%' AND occurred_at > $1`,
      [at],
    ),
    db.query<Row>(`SELECT count(DISTINCT taken_at) AS passes FROM penelope.spiritual_metric_samples WHERE taken_at > $1`, [at]),
  ]);
  const s = samples.rows[0] ?? {};
  const p = probes.rows[0] ?? {};
  const c = checks.rows[0] ?? {};
  const i = ignitions.rows[0] ?? {};
  return {
    requests: n(s.requests),
    server_errors: n(s.server_errors),
    answered_429: n(s.answered_429),
    rate_limited: n(s.rate_limited),
    slo_requests: n(s.slo_requests),
    within_slo: n(s.within_slo),
    slo_bucket_seconds: orNull(s.slo_bucket_seconds),
    cpu_seconds: orNull(s.cpu_seconds),
    cpu_elapsed_seconds: orNull(s.elapsed_seconds),
    event_loop_lag_seconds: orNull(s.lag_seconds),
    event_loop_headroom: orNull(s.lag_headroom),
    metric_passes: n(passes.rows[0]?.passes),
    probes: n(p.probes),
    probes_available: n(p.available),
    restarts: n(p.restarts),
    probe_passes: n(p.passes),
    ledger_checks: n(c.checks),
    ledger_checks_passed: n(c.passed),
    ignitions_succeeded: n(i.success),
    ignitions_failed: n(i.failure),
    ignitions_blocked: n(i.blocked),
  };
}

/** Counts of the governance and healing outcomes heard since `since`. */
export async function outcomeAggregates(db: Database, since: Date): Promise<OutcomeAggregates> {
  const at = since.toISOString();
  const [governance, escalations, patches, searches] = await Promise.all([
    db.query<Row>(
      `SELECT count(*) FILTER (WHERE k = 'approved' AND actor <> 'system') AS human_approvals,
              count(*) FILTER (WHERE k = 'rejected') AS rejections,
              count(*) FILTER (WHERE k = 'approved') AS approvals,
              count(*) FILTER (WHERE k = 'escalated' AND actor = 'system') AS auto_escalations,
              count(*) FILTER (WHERE k = 'expired') AS expiries,
              count(*) FILTER (WHERE k = 'approved' AND actor = 'system' AND automation = 'FULL') AS autonomous,
              count(*) FILTER (WHERE k = 'executed' AND automation = 'FULL') AS autonomous_executed,
              count(*) FILTER (WHERE k = 'failed' AND automation = 'FULL') AS autonomous_failed
         FROM (SELECT facts->>'kind' AS k, facts->>'actor' AS actor, facts->>'automation_level' AS automation
                 FROM penelope.spiritual_events WHERE topic LIKE 'governance.decision.%' AND occurred_at > $1) AS g`,
      [at],
    ),
    // Decisions escalated in the window, and what became of them later: decided by a person, or expired.
    db.query<Row>(
      `WITH escalated AS (
         SELECT DISTINCT subject_id FROM penelope.spiritual_events
          WHERE topic LIKE 'governance.decision.%' AND facts->>'kind' = 'escalated' AND occurred_at > $1)
       SELECT count(*) AS escalated,
              count(*) FILTER (WHERE EXISTS (SELECT 1 FROM penelope.spiritual_events e WHERE e.subject_id = escalated.subject_id
                 AND e.topic LIKE 'governance.decision.%' AND e.facts->>'kind' IN ('approved', 'rejected') AND e.facts->>'actor' <> 'system')) AS decided_by_human,
              count(*) FILTER (WHERE EXISTS (SELECT 1 FROM penelope.spiritual_events e WHERE e.subject_id = escalated.subject_id
                 AND e.topic LIKE 'governance.decision.%' AND e.facts->>'kind' = 'expired')) AS expired
         FROM escalated`,
      [at],
    ),
    db.query<Row>(
      `SELECT count(*) AS proposed,
              count(*) FILTER (WHERE (facts->>'verified')::boolean) AS verified,
              count(*) FILTER (WHERE jsonb_typeof(facts->'verified') = 'boolean') AS with_verification,
              count(*) FILTER (WHERE (facts->>'within_limits')::boolean) AS within_limits,
              count(*) FILTER (WHERE jsonb_typeof(facts->'within_limits') = 'boolean') AS with_limits,
              count(*) FILTER (WHERE (facts->>'breaking_change')::boolean) AS breaking,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY (facts->>'lines_changed')::double precision) AS lines_p50,
              percentile_cont(0.9) WITHIN GROUP (ORDER BY (facts->>'lines_changed')::double precision) AS lines_p90,
              max((facts->>'lines_changed')::double precision) AS lines_max,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY (facts->>'functions_modified')::double precision) AS functions_p50,
              avg(greatest(0, 1 - (facts->>'lines_changed')::double precision / 25)) AS size_score,
              avg((facts->>'reversibility')::double precision) AS reversibility
         FROM penelope.spiritual_events WHERE topic = 'penelope.patch.proposed' AND occurred_at > $1`,
      [at],
    ),
    db.query<Row>(
      `SELECT count(*) FILTER (WHERE jsonb_typeof(facts->'found') = 'number') AS searches,
              count(*) FILTER (WHERE (facts->>'found')::double precision > 0) AS found
         FROM penelope.spiritual_events WHERE topic = 'penelope.precedents.searched' AND occurred_at > $1`,
      [at],
    ),
  ]);
  const g = governance.rows[0] ?? {};
  const e = escalations.rows[0] ?? {};
  const p = patches.rows[0] ?? {};
  const s = searches.rows[0] ?? {};
  return {
    human_approvals: n(g.human_approvals),
    rejections: n(g.rejections),
    approvals: n(g.approvals),
    auto_escalations: n(g.auto_escalations),
    expiries: n(g.expiries),
    autonomous: n(g.autonomous),
    autonomous_executed: n(g.autonomous_executed),
    autonomous_failed: n(g.autonomous_failed),
    escalated: n(e.escalated),
    escalations_decided_by_human: n(e.decided_by_human),
    escalations_expired: n(e.expired),
    patches_proposed: n(p.proposed),
    patches_with_verification: n(p.with_verification),
    patches_verified: n(p.verified),
    patches_with_limits: n(p.with_limits),
    patches_within_limits: n(p.within_limits),
    patches_breaking: n(p.breaking),
    patch_lines_p50: orNull(p.lines_p50),
    patch_lines_p90: orNull(p.lines_p90),
    patch_lines_max: orNull(p.lines_max),
    patch_functions_p50: orNull(p.functions_p50),
    patch_size_score: orNull(p.size_score),
    patch_reversibility: orNull(p.reversibility),
    precedent_searches: n(s.searches),
    precedent_searches_found: n(s.found),
  };
}
