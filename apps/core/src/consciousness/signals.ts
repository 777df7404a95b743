import { HTTP_DURATION_BUCKETS } from '@maximus/kit/metrics';
import type { ServiceContext } from '@maximus/kit/service';
import type { PlatformSignals } from './domain/arousal.js';
import { histogramQuantile } from './domain/histogram.js';

interface Sample {
  at: number;
  buckets: number[];
  errors: number;
}

interface MetricValue {
  value: number;
  labels: Record<string, string | number | undefined>;
  metricName?: string;
}

/** Long-lived streams (SSE) last as long as their clients: their durations say nothing about latency. */
const isStream = (route: unknown) => typeof route === 'string' && route.endsWith('/stream');

/**
 * This replica's request signals from its own metrics (`ctx.metrics`): the request-duration histogram
 * (`http_server_request_duration_seconds`, without streaming routes) and the 5xx part of `maximus_errors_total`,
 * kept as cumulative samples so that a window is the difference of two.
 */
export class LocalSignals {
  readonly #ctx: ServiceContext;
  readonly #windowMs: number;
  readonly #samples: Sample[] = [];

  constructor(ctx: ServiceContext, windowSeconds: number) {
    this.#ctx = ctx;
    this.#windowMs = windowSeconds * 1000;
  }

  async #read(): Promise<Sample> {
    const registry = this.#ctx.metrics.registry;
    const buckets = new Array<number>(HTTP_DURATION_BUCKETS.length + 1).fill(0);
    const histogram = registry.getSingleMetric('http_server_request_duration_seconds');
    if (histogram) {
      const { values } = (await histogram.get()) as { values: MetricValue[] };
      for (const v of values) {
        if (!v.metricName?.endsWith('_bucket') || isStream(v.labels.http_route)) continue;
        const le = v.labels.le;
        const index = le === '+Inf' ? HTTP_DURATION_BUCKETS.length : HTTP_DURATION_BUCKETS.indexOf(Number(le));
        if (index >= 0) buckets[index]! += v.value;
      }
    }
    let errors = 0;
    const errorCounter = registry.getSingleMetric('maximus_errors_total');
    if (errorCounter) {
      const { values } = (await errorCounter.get()) as { values: MetricValue[] };
      for (const v of values) if (Number(v.labels.status) >= 500) errors += v.value;
    }
    return { at: Date.now(), buckets, errors };
  }

  /** Takes a sample and answers the window ending now: requests, 5xx errors, cumulative bucket counts, its span. */
  async window(): Promise<{ requests: number; errors: number; buckets: number[]; windowSeconds: number }> {
    const now = await this.#read();
    this.#samples.push(now);
    while (this.#samples.length > 2 && now.at - this.#samples[1]!.at >= this.#windowMs) this.#samples.shift();
    const first = this.#samples[0]!;
    const buckets = now.buckets.map((b, i) => b - first.buckets[i]!);
    return { requests: buckets.at(-1) ?? 0, errors: Math.max(0, now.errors - first.errors), buckets, windowSeconds: (now.at - first.at) / 1000 };
  }
}

export interface ReplicaSignals {
  requests: number;
  errors: number;
  buckets: number[];
  window_seconds: number;
}

/** Every fresh replica's window summed: the error rate and the p95 (histogram_quantile) of the whole core service. */
export function combineRequestSignals(rows: readonly ReplicaSignals[]): Pick<PlatformSignals, 'errorRate' | 'latencyP95' | 'requests' | 'windowSeconds'> {
  const buckets = new Array<number>(HTTP_DURATION_BUCKETS.length + 1).fill(0);
  let requests = 0;
  let errors = 0;
  let windowSeconds = 0;
  for (const r of rows) {
    requests += Number(r.requests);
    errors += Number(r.errors);
    windowSeconds = Math.max(windowSeconds, r.window_seconds);
    r.buckets.forEach((b, i) => {
      if (i < buckets.length) buckets[i]! += b;
    });
  }
  return {
    requests,
    errorRate: requests > 0 ? Math.min(1, errors / requests) : null,
    latencyP95: histogramQuantile(0.95, [...HTTP_DURATION_BUCKETS, Number.POSITIVE_INFINITY], buckets),
    windowSeconds,
  };
}
