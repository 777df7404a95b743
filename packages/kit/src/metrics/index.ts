import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export { Registry } from 'prom-client';

/** OpenTelemetry semantic-convention buckets for `http.server.request.duration`, in seconds. */
export const HTTP_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

export interface MetricsOptions {
  /** Label every series with `service="<name>"`. */
  service: string;
  /** Also collect Node's process metrics (one registry per process should, not every mounted service). */
  processMetrics?: boolean;
}

export interface ServiceMetrics {
  readonly registry: Registry;
  readonly errors: Counter<'code' | 'status'>;
}

/** A registry of the service's own metrics with the HTTP series every service exports. */
export function createMetrics(options: MetricsOptions): ServiceMetrics & { http: HttpMetrics } {
  const registry = new Registry();
  registry.setDefaultLabels({ service: options.service });
  if (options.processMetrics) collectDefaultMetrics({ register: registry });
  const http: HttpMetrics = {
    duration: new Histogram({
      name: 'http_server_request_duration_seconds',
      help: 'Duration of HTTP server requests, by route template.',
      labelNames: ['http_request_method', 'http_route', 'http_response_status_code'] as const,
      buckets: HTTP_DURATION_BUCKETS,
      registers: [registry],
    }),
    inFlight: new Gauge({
      name: 'http_requests_in_flight',
      help: 'HTTP requests being served.',
      registers: [registry],
    }),
  };
  const errors = new Counter({
    name: 'maximus_errors_total',
    help: 'Error responses, by stable error code and HTTP status.',
    labelNames: ['code', 'status'] as const,
    registers: [registry],
  });
  return { registry, errors, http };
}

interface HttpMetrics {
  readonly duration: Histogram<'http_request_method' | 'http_route' | 'http_response_status_code'>;
  readonly inFlight: Gauge;
}

const started = Symbol('maximus.metrics.started');

/**
 * Times every request served by `app` (and its children) into the histogram, labelled with the route
 * template relative to `app`'s prefix (`/api/v1/decisions/:id`), never the raw URL.
 */
export function instrumentHttp(app: FastifyInstance, http: HttpMetrics): void {
  const prefix = app.prefix;
  app.addHook('onRequest', (request, _reply, done) => {
    (request as unknown as Record<symbol, bigint>)[started] = process.hrtime.bigint();
    http.inFlight.inc();
    done();
  });
  app.addHook('onResponse', (request, reply, done) => {
    const begin = (request as unknown as Record<symbol, bigint | undefined>)[started];
    http.inFlight.dec();
    if (begin !== undefined) {
      const template = request.routeOptions.url;
      const route = template === undefined ? '' : template.slice(prefix.length) || '/';
      http.duration.observe(
        { http_request_method: request.method, http_route: route, http_response_status_code: String(reply.statusCode) },
        Number(process.hrtime.bigint() - begin) / 1e9,
      );
    }
    done();
  });
}
