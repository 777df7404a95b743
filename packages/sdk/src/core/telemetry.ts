import { context, propagation, SpanKind, SpanStatusCode, trace, type Context, type Span, type Tracer } from '@opentelemetry/api';
import type { MaximusError } from '../errors.js';
import type { MetricLike, MetricsOptions, MetricsRegistryLike, TracingOptions } from './options.js';

/** OpenTelemetry semantic-convention buckets for `http.client.request.duration`, in seconds. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

type MetricConstructor = new (config: Record<string, unknown>) => MetricLike;

interface PromModule {
  Counter: MetricConstructor;
  Histogram: MetricConstructor;
  Gauge: MetricConstructor;
}

interface Instruments {
  requests: MetricLike;
  duration: MetricLike;
  breaker: MetricLike;
}

function isPromModule(value: unknown): value is PromModule {
  const m = value as Partial<PromModule> | null;
  return typeof m?.Counter === 'function' && typeof m.Histogram === 'function' && typeof m.Gauge === 'function';
}

function create(prom: PromModule, registry: MetricsRegistryLike): Instruments {
  const get = (name: string, make: () => MetricLike): MetricLike => (registry.getSingleMetric(name) as MetricLike | undefined) ?? make();
  const registers = [registry];
  return {
    requests: get('maximus_requests_total', () => new prom.Counter({ name: 'maximus_requests_total', help: 'SDK requests sent (one per attempt), by service, endpoint (method and route template) and status (HTTP status, or error/timeout)', labelNames: ['service', 'endpoint', 'status'], registers })),
    duration: get('maximus_request_duration_seconds', () => new prom.Histogram({ name: 'maximus_request_duration_seconds', help: 'SDK request duration (one per attempt, answer body included), by service and endpoint', labelNames: ['service', 'endpoint'], buckets: DURATION_BUCKETS, registers })),
    breaker: get('maximus_circuit_breaker_state', () => new prom.Gauge({ name: 'maximus_circuit_breaker_state', help: 'SDK circuit breaker state per upstream: 0 closed, 1 half-open, 2 open', labelNames: ['upstream'], registers })),
  };
}

/**
 * Prometheus instruments in the user's registry, created on first use (prom-client is imported then, unless
 * the user passed it). Observations made before the import finishes are replayed once it has.
 * @internal
 */
export class Metrics {
  #instruments: Instruments | undefined;
  #pending: ((i: Instruments) => void)[] | undefined = [];

  constructor(options: MetricsOptions) {
    const { registry, promClient } = options;
    if (promClient !== undefined) {
      if (!isPromModule(promClient)) throw new TypeError('option metrics.promClient must be the prom-client module');
      this.#ready(create(promClient, registry));
    } else {
      import('prom-client').then(
        (module: unknown) => {
          const prom = (module as { default?: unknown }).default ?? module;
          if (isPromModule(prom)) this.#ready(create(prom, registry));
          else this.#pending = undefined;
        },
        () => {
          this.#pending = undefined; // prom-client is not installed: no metrics (the registry came from elsewhere)
        },
      );
    }
  }

  #ready(instruments: Instruments): void {
    this.#instruments = instruments;
    for (const replay of this.#pending ?? []) replay(instruments);
    this.#pending = undefined;
  }

  #with(record: (i: Instruments) => void): void {
    if (this.#instruments) record(this.#instruments);
    else if (this.#pending && this.#pending.length < 10_000) this.#pending.push(record);
  }

  attempt(service: string, endpoint: string, status: string, seconds: number): void {
    this.#with((i) => {
      i.requests.inc?.({ service, endpoint, status }, 1);
      i.duration.observe?.({ service, endpoint }, seconds);
    });
  }

  breaker(upstream: string, value: number): void {
    this.#with((i) => i.breaker.set?.({ upstream }, value));
  }
}

/** The tracer of a `tracing` option, or none (then no span object is ever made). @internal */
export function tracerOf(tracing: TracingOptions, version: string): Tracer | undefined {
  if (tracing === false) return undefined;
  if (tracing === true) return trace.getTracer('@maximus/sdk', version);
  return tracing.tracer;
}

/** @internal The span of a logical call, and the context its attempts are children of. */
export function startCallSpan(tracer: Tracer, method: string, template: string): { span: Span; ctx: Context } {
  const parent = context.active();
  const span = tracer.startSpan(`maximus ${method} ${template}`, { kind: SpanKind.INTERNAL, attributes: { 'http.request.method': method, 'url.template': template } }, parent);
  return { span, ctx: trace.setSpan(parent, span) };
}

const headerSetter = { set: (carrier: Record<string, string>, key: string, value: string) => void (carrier[key.toLowerCase()] = value) };

/**
 * @internal The CLIENT span of one attempt; writes its `traceparent` (through the global propagator, else W3C
 * by hand) into `headers`.
 */
export function startAttemptSpan(tracer: Tracer, parent: Context, method: string, template: string, url: URL, attempt: number, headers: Record<string, string>): Span {
  const attributes: Record<string, string | number> = {
    'http.request.method': method,
    'url.full': url.href,
    'url.template': template,
    'server.address': url.hostname,
    'server.port': Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
  };
  if (attempt > 0) attributes['http.request.resend_count'] = attempt;
  const span = tracer.startSpan(`${method} ${template}`, { kind: SpanKind.CLIENT, attributes }, parent);
  propagation.inject(trace.setSpan(parent, span), headers, headerSetter);
  const sc = span.spanContext();
  if (headers.traceparent === undefined && trace.isSpanContextValid(sc)) {
    headers.traceparent = `00-${sc.traceId}-${sc.spanId}-${(sc.traceFlags & 1).toString(16).padStart(2, '0')}`;
  }
  return span;
}

/** @internal Ends an attempt span with its status or error. */
export function endAttemptSpan(span: Span, status: number | undefined, error: MaximusError | undefined): void {
  if (status !== undefined) span.setAttribute('http.response.status_code', status);
  if (error) {
    span.setAttribute('error.type', status !== undefined ? String(status) : error.code);
    span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
  }
  span.end();
}

/** @internal Ends a call span. */
export function endCallSpan(span: Span, error: unknown): void {
  if (error) {
    const e = error as Partial<MaximusError>;
    span.setAttribute('error.type', e.code ?? (error instanceof Error ? error.name : 'error'));
    span.setStatus({ code: SpanStatusCode.ERROR, ...(error instanceof Error ? { message: error.message } : {}) });
  }
  span.end();
}
