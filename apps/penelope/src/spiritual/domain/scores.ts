import type { ScoreInput, ScoreStatus, ScoreThresholds, ScoreWindow } from '@maximus/contracts';

/** What the sampled signals add up to over the signals window (scores/queries.ts). */
export interface SignalAggregates {
  /** Increase of the API requests every service answered. */
  requests: number;
  server_errors: number;
  /** 429s the services' own routes answered (already in `requests`). */
  answered_429: number;
  /** Every 429 counted by `maximus_errors_total` (in embedded mode, the gateway's rate limiter's too). */
  rate_limited: number;
  /** Requests of the samples that had an SLO bucket, and those of them within it. */
  slo_requests: number;
  within_slo: number;
  slo_bucket_seconds: number | null;
  /** CPU seconds used and wall seconds elapsed, summed over the processes measured. */
  cpu_seconds: number | null;
  cpu_elapsed_seconds: number | null;
  /** Mean event-loop lag p99 (resolution removed), and the mean of 1 − lag/SLO per sample. */
  event_loop_lag_seconds: number | null;
  event_loop_headroom: number | null;
  metric_passes: number;
  probes: number;
  probes_available: number;
  restarts: number;
  probe_passes: number;
  ledger_checks: number;
  ledger_checks_passed: number;
  ignitions_succeeded: number;
  ignitions_failed: number;
  ignitions_blocked: number;
}

/** What the outcome events add up to over the outcomes window. */
export interface OutcomeAggregates {
  human_approvals: number;
  rejections: number;
  approvals: number;
  auto_escalations: number;
  expiries: number;
  autonomous: number;
  autonomous_executed: number;
  autonomous_failed: number;
  escalated: number;
  escalations_decided_by_human: number;
  escalations_expired: number;
  patches_proposed: number;
  patches_with_verification: number;
  patches_verified: number;
  patches_with_limits: number;
  patches_within_limits: number;
  patches_breaking: number;
  patch_lines_p50: number | null;
  patch_lines_p90: number | null;
  patch_lines_max: number | null;
  patch_functions_p50: number | null;
  patch_size_score: number | null;
  patch_reversibility: number | null;
  precedent_searches: number;
  precedent_searches_found: number;
}

/** A score before it is labelled: its value, its inputs, and why it is null when it is. */
export interface Scored {
  readonly score: number | null;
  readonly inputs: ScoreInput[];
  readonly no_data_reason: string | null;
}

/** The common part of a fruit or virtue (what `domain/fruits.ts` and `domain/virtues.ts` define for each). */
export interface ScoreSpec<N extends string> {
  readonly name: N;
  readonly label: string;
  readonly metric: string;
  readonly formula: string;
  readonly window: 'signals' | 'outcomes';
  readonly thresholds: ScoreThresholds;
}

export function statusOf(score: number | null, thresholds: ScoreThresholds): ScoreStatus {
  if (score === null) return 'no_data';
  if (score >= thresholds.healthy - 1e-12) return 'healthy';
  if (score >= thresholds.warning - 1e-12) return 'warning';
  return 'critical';
}

/** `part / whole`, or null when `whole` is 0 (nothing measured: no number is invented). */
export function ratio(part: number, whole: number): number | null {
  return whole > 0 ? part / whole : null;
}

/** The mean of the values that exist; null when none does. */
export function meanOf(values: readonly (number | null)[]): number | null {
  const present = values.filter((v): v is number => v !== null && Number.isFinite(v));
  return present.length ? present.reduce((a, b) => a + b, 0) / present.length : null;
}

/** Scores are shown to 4 decimals; clamped to [0, 1] against floating-point drift. */
export function round(value: number | null): number | null {
  return value === null ? null : Math.round(Math.min(1, Math.max(0, value)) * 10_000) / 10_000;
}

export function input(name: string, value: number | null, unit: string, description: string): ScoreInput {
  return { name, value: value === null ? null : Math.round(value * 1e6) / 1e6, unit, description };
}

/** Builds the wire object of one fruit or virtue. */
export function finish<N extends string>(spec: ScoreSpec<N>, scored: Scored, windows: Record<'signals' | 'outcomes', ScoreWindow>) {
  const score = round(scored.score);
  return {
    name: spec.name,
    label: spec.label,
    score,
    status: statusOf(score, spec.thresholds),
    metric: spec.metric,
    formula: spec.formula,
    inputs: scored.inputs,
    window: windows[spec.window],
    thresholds: spec.thresholds,
    no_data_reason: score === null ? (scored.no_data_reason ?? 'nothing measured in the window yet') : null,
  };
}
