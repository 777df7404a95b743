import type { Fruit, FruitName, ScoreWindow } from '@maximus/contracts';
import { finish, input, meanOf, ratio, type OutcomeAggregates, type Scored, type ScoreSpec, type SignalAggregates } from './scores.js';

export interface FruitContext {
  readonly signals: SignalAggregates;
  readonly outcomes: OutcomeAggregates;
  /** The latency SLO, seconds. */
  readonly sloSeconds: number;
}

interface FruitDefinition extends ScoreSpec<FruitName> {
  compute(ctx: FruitContext): Scored;
}

const ordinary = { healthy: 0.8, warning: 0.6 };

/** The nine fruits: what each measures, how, and when it is healthy (docs/spiritual.md explains each). */
export const FRUITS: readonly FruitDefinition[] = [
  {
    name: 'love',
    label: 'Love',
    metric: 'Proposals people accept: governance decisions a person approved, against those a person rejected',
    formula: 'human_approvals / (human_approvals + rejections)',
    window: 'outcomes',
    thresholds: ordinary,
    compute: ({ outcomes: o }) => ({
      score: ratio(o.human_approvals, o.human_approvals + o.rejections),
      inputs: [
        input('human_approvals', o.human_approvals, 'decisions', 'decisions approved by a person (FULL automation, approved by `system`, excluded)'),
        input('rejections', o.rejections, 'decisions', 'decisions a person rejected'),
      ],
      no_data_reason: 'no governance decision was approved or rejected by a person in the window',
    }),
  },
  {
    name: 'joy',
    label: 'Joy',
    metric: 'Success rate of operations: API requests answered without a server error',
    formula: '1 − server_errors / requests',
    window: 'signals',
    thresholds: { healthy: 0.99, warning: 0.95 },
    compute: ({ signals: s }) => {
      const errorRate = ratio(s.server_errors, s.requests);
      return {
        score: errorRate === null ? null : 1 - errorRate,
        inputs: [
          input('requests', s.requests, 'requests', 'API requests every service answered (increase of http_server_request_duration_seconds_count on /api/ routes)'),
          input('server_errors', s.server_errors, 'requests', '…of which with a 5xx status'),
        ],
        no_data_reason: 'no API request was answered in the window (or fewer than two samples exist)',
      };
    },
  },
  {
    name: 'peace',
    label: 'Peace',
    metric: 'Stability: no restarts of the services, ESGT ignitions that synchronise',
    formula: 'mean(1 / (1 + restarts), ignitions_succeeded / (ignitions_succeeded + ignitions_failed)) over the parts with data',
    window: 'signals',
    thresholds: { healthy: 0.9, warning: 0.5 },
    compute: ({ signals: s }) => {
      const restartPart = s.probe_passes >= 2 ? 1 / (1 + s.restarts) : null;
      const ignitionPart = ratio(s.ignitions_succeeded, s.ignitions_succeeded + s.ignitions_failed);
      return {
        score: meanOf([restartPart, ignitionPart]),
        inputs: [
          input('restarts', s.probe_passes >= 2 ? s.restarts : null, 'restarts', 'service instances that started after every instance seen before (process_start_time_seconds, else /health uptime)'),
          input('probe_passes', s.probe_passes, 'passes', 'health sampling passes (two are needed to see a restart)'),
          input('ignitions_succeeded', s.ignitions_succeeded, 'ignitions', 'ESGT ignitions that synchronised (consciousness.esgt.* events)'),
          input('ignitions_failed', s.ignitions_failed, 'ignitions', 'ESGT ignitions that ran and failed to synchronise'),
          input('ignitions_blocked', s.ignitions_blocked, 'ignitions', 'attempts a gate held back (not counted: restraint is not instability)'),
        ],
        no_data_reason: 'fewer than two health sampling passes and no ESGT ignition in the window',
      };
    },
  },
  {
    name: 'patience',
    label: 'Patience',
    metric: 'Requests answered within the latency SLO',
    formula: 'within_slo / requests (within_slo: requests in the histogram bucket le = slo_bucket_seconds, the largest boundary ≤ the SLO)',
    window: 'signals',
    thresholds: { healthy: 0.95, warning: 0.9 },
    compute: ({ signals: s, sloSeconds }) => ({
      score: ratio(s.within_slo, s.slo_requests),
      inputs: [
        input('requests', s.slo_requests, 'requests', 'API requests answered'),
        input('within_slo', s.within_slo, 'requests', '…of which within slo_bucket_seconds'),
        input('slo_seconds', sloSeconds, 'seconds', 'the latency SLO (MAXIMUS_SLO_LATENCY_MS)'),
        input('slo_bucket_seconds', s.slo_bucket_seconds, 'seconds', 'the histogram boundary counted as within the SLO'),
      ],
      no_data_reason: s.slo_bucket_seconds === null && s.requests > 0 ? 'the SLO is below every histogram bucket boundary' : 'no API request was answered in the window',
    }),
  },
  {
    name: 'kindness',
    label: 'Kindness',
    metric: 'Availability: health probes of every service answered healthy or degraded',
    formula: 'available_probes / probes',
    window: 'signals',
    thresholds: { healthy: 0.999, warning: 0.99 },
    compute: ({ signals: s }) => ({
      score: ratio(s.probes_available, s.probes),
      inputs: [
        input('probes', s.probes, 'probes', 'GET /health of each service, once per sampling pass'),
        input('available_probes', s.probes_available, 'probes', '…answered HTTP 200 (healthy or degraded)'),
      ],
      no_data_reason: 'no health probe in the window yet',
    }),
  },
  {
    name: 'goodness',
    label: 'Goodness',
    metric: 'Verification pass rate of the patches PENELOPE proposes',
    formula: 'verified_patches / proposed_patches',
    window: 'outcomes',
    thresholds: ordinary,
    compute: ({ outcomes: o }) => ({
      score: ratio(o.patches_verified, o.patches_with_verification),
      inputs: [
        input('proposed_patches', o.patches_with_verification, 'patches', 'patches proposed with a verification record (penelope.patch.proposed)'),
        input('verified_patches', o.patches_verified, 'patches', '…that passed verification (parses, no new diagnostics, tests pass)'),
      ],
      no_data_reason: 'no patch was proposed in the window',
    }),
  },
  {
    name: 'faithfulness',
    label: 'Faithfulness',
    metric: 'Ledger consistency: EIKOS tree heads whose signature verifies and that extend the last verified head (RFC 6962)',
    formula: 'passed_checks / checks',
    window: 'signals',
    thresholds: { healthy: 1, warning: 1 },
    compute: ({ signals: s }) => ({
      score: ratio(s.ledger_checks_passed, s.ledger_checks),
      inputs: [
        input('checks', s.ledger_checks, 'checks', 'signature checks of the signed tree head, and consistency proofs from the last verified head'),
        input('passed_checks', s.ledger_checks_passed, 'checks', '…that verified'),
      ],
      no_data_reason: 'the ledger has not been checked in the window',
    }),
  },
  {
    name: 'gentleness',
    label: 'Gentleness',
    metric: 'Share of proposed patches within the mansidão limits (≤ 25 lines, ≤ 3 functions, reversibility ≥ 0.9, no breaking change)',
    formula: 'patches_within_limits / proposed_patches',
    window: 'outcomes',
    thresholds: ordinary,
    compute: ({ outcomes: o }) => ({
      score: ratio(o.patches_within_limits, o.patches_with_limits),
      inputs: [
        input('proposed_patches', o.patches_with_limits, 'patches', 'patches proposed with a mansidão assessment'),
        input('patches_within_limits', o.patches_within_limits, 'patches', '…within every limit'),
      ],
      no_data_reason: 'no patch was proposed in the window',
    }),
  },
  {
    name: 'self_control',
    label: 'Self-control',
    metric: 'Restraint and headroom: requests not rate limited, event-loop and CPU headroom',
    formula: 'mean(1 − rate_limited / attempted, mean(1 − lag_p99 / SLO), 1 − min(1, cpu_seconds / elapsed_seconds)) over the parts with data',
    window: 'signals',
    thresholds: { healthy: 0.9, warning: 0.7 },
    compute: ({ signals: s }) => {
      // A 429 the gateway gave never reached a service's histogram; one a service's own route gave is in both counts.
      const attempted = s.requests + Math.max(0, s.rate_limited - s.answered_429);
      const limitedShare = ratio(s.rate_limited, attempted);
      const restraint = limitedShare === null ? null : 1 - limitedShare;
      const utilisation = s.cpu_seconds !== null && s.cpu_elapsed_seconds ? s.cpu_seconds / s.cpu_elapsed_seconds : null;
      const cpuHeadroom = utilisation === null ? null : 1 - Math.min(1, utilisation);
      return {
        score: meanOf([restraint, s.event_loop_headroom, cpuHeadroom]),
        inputs: [
          input('attempted_requests', attempted, 'requests', 'API requests answered, plus those rate limited before reaching a service'),
          input('rate_limited', s.rate_limited, 'requests', '429 answers (maximus_errors_total{status="429"})'),
          input('restraint', restraint, 'ratio', '1 − rate_limited / attempted_requests'),
          input('event_loop_lag_p99_seconds', s.event_loop_lag_seconds, 'seconds', 'mean event-loop delay p99 per sample (10 ms sampling resolution removed)'),
          input('event_loop_headroom', s.event_loop_headroom, 'ratio', 'mean of max(0, 1 − lag_p99 / SLO) per sample'),
          input('cpu_utilisation', utilisation, 'ratio', 'CPU seconds per wall second of the processes measured'),
          input('cpu_headroom', cpuHeadroom, 'ratio', '1 − min(1, cpu_utilisation)'),
        ],
        no_data_reason: 'no request and no process measure in the window',
      };
    },
  },
];

/** The nine fruits from the aggregates, in the verse's order. */
export function computeFruits(ctx: FruitContext, windows: Record<'signals' | 'outcomes', ScoreWindow>): Fruit[] {
  return FRUITS.map((definition) => finish(definition, definition.compute(ctx), windows));
}
