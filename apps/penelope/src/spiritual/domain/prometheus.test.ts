import { describe, expect, it } from 'vitest';
import { Counter, Histogram, Registry } from 'prom-client';
import { HTTP_DURATION_BUCKETS } from '@maximus/kit/metrics';
import { counterDeltas, parseSamples, scrapeTotals } from './prometheus.js';
import { classifyIgnition } from './ignition.js';

/** A registry shaped like a service's: the HTTP histogram with route labels, and the error counter. */
function registry() {
  const r = new Registry();
  r.setDefaultLabels({ service: 'core' });
  const h = new Histogram({ name: 'http_server_request_duration_seconds', help: 'h', labelNames: ['http_request_method', 'http_route', 'http_response_status_code'], buckets: HTTP_DURATION_BUCKETS, registers: [r] });
  const e = new Counter({ name: 'maximus_errors_total', help: 'e', labelNames: ['code', 'status'], registers: [r] });
  return { r, h, e };
}

describe("reading a service's /metrics", () => {
  it('keeps every labelled histogram series (the library alone would merge them)', async () => {
    const { r, h, e } = registry();
    const route = (http_route: string, status: string) => ({ http_request_method: 'GET', http_route, http_response_status_code: status });
    h.observe(route('/api/v1/a', '200'), 0.01);
    h.observe(route('/api/v1/a', '200'), 0.4);
    h.observe(route('/api/v1/b/:id', '503'), 0.02);
    h.observe(route('/api/v1/b/:id', '429'), 0.001);
    h.observe(route('/health', '200'), 0.001);
    e.inc({ code: 'GATEWAY_ERR_RATE_LIMITED', status: '429' }, 5);
    e.inc({ code: 'KIT_ERR_DB_UNAVAILABLE', status: '503' });
    const samples = parseSamples(await r.metrics());
    expect(samples.filter((s) => s.name === 'http_server_request_duration_seconds_count')).toHaveLength(4);
    const totals = scrapeTotals(samples, 0.3);
    expect(totals).toMatchObject({ requests: 4, server_errors: 1, answered_429: 1, within_slo: 3, slo_bucket_seconds: 0.25, errors: 6, rate_limited: 5, cpu_seconds: null });
    expect(scrapeTotals(samples, 0.5).within_slo).toBe(4);
    expect(scrapeTotals(samples, 0.001).slo_bucket_seconds).toBeNull();
  });

  it('takes increases between scrapes, and a counter that went down as a restart', () => {
    const base = { requests: 10, server_errors: 1, answered_429: 0, within_slo: 9, slo_bucket_seconds: 0.25, errors: 1, rate_limited: 0, cpu_seconds: null, event_loop_lag_p99_seconds: null, process_start_time_seconds: null };
    expect(counterDeltas(undefined, base)).toEqual({ deltas: { requests: 0, server_errors: 0, answered_429: 0, within_slo: 0, errors: 0, rate_limited: 0 }, reset: false });
    expect(counterDeltas(base, { ...base, requests: 15, within_slo: 12 }).deltas).toMatchObject({ requests: 5, within_slo: 3, server_errors: 0 });
    expect(counterDeltas(base, { ...base, requests: 3, within_slo: 3, server_errors: 0, errors: 0 })).toMatchObject({ reset: true, deltas: { requests: 3, within_slo: 3 } });
  });

  it('classifies ESGT attempts', () => {
    expect(classifyIgnition('consciousness.esgt.ignition', { outcome: 'failed' })).toBe('failure');
    expect(classifyIgnition('consciousness.esgt.failed', {})).toBe('failure');
    expect(classifyIgnition('consciousness.esgt.attempt', { outcome: 'blocked', synchronized: false })).toBe('blocked');
    expect(classifyIgnition('consciousness.esgt.attempt', { synchronized: true })).toBe('success');
    expect(classifyIgnition('consciousness.esgt.attempt', {})).toBe('unknown');
  });
});
