import parsePrometheusTextFormat from 'parse-prometheus-text-format';

/** One sample line of the Prometheus text format. */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/**
 * The samples of a Prometheus text exposition, one per line. The library groups the lines of a labelled
 * histogram into one series and drops its labels (yunyu/parse-prometheus-text-format#8, unmerged), so it is
 * given the text without its `# TYPE` lines: every `_bucket`, `_sum` and `_count` line then comes back as an
 * untyped sample with all its labels, which is what the collector needs.
 */
export function parseSamples(text: string): Sample[] {
  const untyped = text
    .split('\n')
    .filter((line) => !line.startsWith('# TYPE'))
    .join('\n');
  const samples: Sample[] = [];
  for (const family of parsePrometheusTextFormat(untyped)) {
    for (const metric of family.metrics) {
      if (metric.value === undefined) continue;
      const value = Number(metric.value);
      if (Number.isNaN(value)) continue;
      samples.push({ name: family.name, labels: metric.labels ?? {}, value });
    }
  }
  return samples;
}

/** The cumulative counters one scrape of a service gives (all over the service's API routes). */
export interface ScrapeTotals {
  /** Requests answered on `/api/` routes (the histogram's `_count`, every status). */
  requests: number;
  /** …of which with a 5xx status. */
  server_errors: number;
  /** …of which answered 429 by the service's own routes. */
  answered_429: number;
  /** …of which within the SLO bucket (`le` = {@link ScrapeTotals.slo_bucket_seconds}). */
  within_slo: number;
  /** The largest bucket boundary at or below the SLO; null when the SLO is below every boundary. */
  slo_bucket_seconds: number | null;
  /** `maximus_errors_total` of every code. */
  errors: number;
  /** `maximus_errors_total{status="429"}`: every rate-limited answer, including those the gateway gave in this process. */
  rate_limited: number;
  /** `process_cpu_seconds_total`, when the service exports process metrics (it has its process to itself). */
  cpu_seconds: number | null;
  /** `nodejs_eventloop_lag_p99_seconds`, idem. */
  event_loop_lag_p99_seconds: number | null;
  /** `process_start_time_seconds` (Unix seconds), idem. */
  process_start_time_seconds: number | null;
}

const HISTOGRAM = 'http_server_request_duration_seconds';

function isApiRoute(labels: Readonly<Record<string, string>>): boolean {
  return (labels.http_route ?? '').startsWith('/api/');
}

function boundary(le: string | undefined): number {
  return le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le);
}

function single(samples: readonly Sample[], name: string): number | null {
  const found = samples.find((s) => s.name === name);
  return found ? found.value : null;
}

/**
 * Sums what the fruits need from one service's samples. Only `/api/` routes count: the operational routes
 * (`/health`, `/metrics`) are what the collector itself calls.
 */
export function scrapeTotals(samples: readonly Sample[], sloSeconds: number): ScrapeTotals {
  const totals: ScrapeTotals = {
    requests: 0,
    server_errors: 0,
    answered_429: 0,
    within_slo: 0,
    slo_bucket_seconds: null,
    errors: 0,
    rate_limited: 0,
    cpu_seconds: single(samples, 'process_cpu_seconds_total'),
    event_loop_lag_p99_seconds: single(samples, 'nodejs_eventloop_lag_p99_seconds'),
    process_start_time_seconds: single(samples, 'process_start_time_seconds'),
  };
  // The SLO bucket: the largest boundary the histogram has at or below the SLO.
  const boundaries = new Set<number>();
  for (const s of samples) if (s.name === `${HISTOGRAM}_bucket`) boundaries.add(boundary(s.labels.le));
  const eligible = [...boundaries].filter((b) => Number.isFinite(b) && b <= sloSeconds + 1e-12);
  totals.slo_bucket_seconds = eligible.length ? Math.max(...eligible) : null;
  for (const s of samples) {
    if (s.name === `${HISTOGRAM}_count` && isApiRoute(s.labels)) {
      const status = Number(s.labels.http_response_status_code);
      totals.requests += s.value;
      if (status >= 500) totals.server_errors += s.value;
      if (status === 429) totals.answered_429 += s.value;
    } else if (s.name === `${HISTOGRAM}_bucket` && isApiRoute(s.labels) && totals.slo_bucket_seconds !== null && boundary(s.labels.le) === totals.slo_bucket_seconds) {
      totals.within_slo += s.value;
    } else if (s.name === 'maximus_errors_total') {
      totals.errors += s.value;
      if (s.labels.status === '429') totals.rate_limited += s.value;
    }
  }
  return totals;
}

/** The counters of {@link ScrapeTotals} that only grow while a process lives. */
export const COUNTERS = ['requests', 'server_errors', 'answered_429', 'within_slo', 'errors', 'rate_limited'] as const;
export type Counter = (typeof COUNTERS)[number];

/**
 * The increase of each counter between two scrapes of one service. A counter that went down means the process
 * restarted (or another replica answered): as Prometheus's `increase()` does, the new value is then the
 * increase. A changed SLO bucket restarts `within_slo` the same way.
 */
export function counterDeltas(previous: ScrapeTotals | undefined, current: ScrapeTotals): { deltas: Record<Counter, number>; reset: boolean } {
  const deltas = {} as Record<Counter, number>;
  if (!previous) {
    for (const c of COUNTERS) deltas[c] = 0;
    return { deltas, reset: false };
  }
  const reset = COUNTERS.some((c) => current[c] < previous[c]);
  for (const c of COUNTERS) deltas[c] = reset ? current[c] : current[c] - previous[c];
  if (!reset && previous.slo_bucket_seconds !== current.slo_bucket_seconds) deltas.within_slo = current.within_slo;
  return { deltas, reset };
}
