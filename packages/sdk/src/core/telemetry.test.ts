import { context, propagation, trace, SpanKind } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import * as promClient from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { Maximus } from '../client.js';
import { sendJson, sendProblem, startServer, type Handler, type TestServer } from '../testing/http-server.js';
import type { ClientOptions } from './options.js';

// Hooks, prom-client metrics and OpenTelemetry spans, against a real local server and the real OTel SDK.
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(handler: Handler, options: ClientOptions = {}): Promise<{ server: TestServer; client: Maximus }> {
  const server = await startServer(handler);
  cleanups.push(() => server.close());
  const client = new Maximus({ baseURL: server.url, apiKey: 'secret-key', token: null, retry: { baseDelayMs: 1 }, ...options });
  cleanups.push(() => client.close());
  return { server, client };
}

function tracing(): { exporter: InMemorySpanExporter; provider: BasicTracerProvider } {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  cleanups.push(() => provider.shutdown());
  return { exporter, provider };
}

const decisionId = '0b6c7f1e-2a3b-4c5d-8e9f-0a1b2c3d4e5f';

describe('hooks', () => {
  it('calls onRequest and onResponse per attempt, onRetry before each retry, onError once, and never sees credentials', async () => {
    const events: string[] = [];
    const seen: unknown[] = [];
    const { client } = await setup((_req, res, i) => (i < 2 ? sendProblem(res, 503, 'CORE_ERR_DB_UNAVAILABLE') : i === 2 ? sendJson(res, 200, { ok: true }, { 'x-request-id': 'r3' }) : sendProblem(res, 400, 'KIT_ERR_REQUEST_VALIDATION')), {
      hooks: {
        onRequest: (e) => (events.push(`request ${e.attempt}`), seen.push(e)),
        onResponse: (e) => (events.push(`response ${e.attempt} ${e.status}`), seen.push(e)),
        onRetry: (e) => (events.push(`retry ${e.attempt} ${e.error.code}`), seen.push(e)),
        onError: (e) => (events.push(`error ${e.attempt} ${e.error.code}`), seen.push(e)),
      },
    });
    const { response } = await client.request({ method: 'GET', path: `/core/api/v1/governance/decisions/${decisionId}` }).withResponse();
    expect(response.requestId).toBe('r3');
    expect(events).toEqual([
      'request 0',
      'response 0 503',
      'retry 0 CORE_ERR_DB_UNAVAILABLE',
      'request 1',
      'response 1 503',
      'retry 1 CORE_ERR_DB_UNAVAILABLE',
      'request 2',
      'response 2 200',
    ]);
    expect(seen[0]).toMatchObject({ method: 'GET', service: 'core', endpoint: 'GET /core/api/v1/governance/decisions/:id', url: expect.stringContaining(decisionId) });
    events.length = 0;
    await client.request({ method: 'POST', path: '/core/api/v1/governance/decisions', body: {} }).catch(() => undefined);
    expect(events).toEqual(['request 0', 'response 0 400', 'error 0 KIT_ERR_REQUEST_VALIDATION']);
    expect(JSON.stringify(seen)).not.toContain('secret-key');
  });

  it('ignores a hook that throws', async () => {
    const { client } = await setup((_req, res) => sendJson(res, 200, { ok: true }), {
      hooks: {
        onRequest: () => {
          throw new Error('broken hook');
        },
      },
    });
    await expect(client.request({ method: 'GET', path: '/x' })).resolves.toEqual({ ok: true });
  });
});

describe('metrics', () => {
  it('counts each attempt by service, route template and status, times it, in the registry given only', async () => {
    const registry = new promClient.Registry();
    const { client } = await setup((req, res, i) => (i === 0 ? sendProblem(res, 502, 'GATEWAY_ERR_UPSTREAM') : req.url?.includes('nope') ? sendProblem(res, 404, 'KIT_ERR_HTTP_NOT_FOUND') : sendJson(res, 200, {})), {
      metrics: { registry, promClient },
    });
    await client.request({ method: 'GET', path: `/core/api/v1/governance/decisions/${decisionId}` });
    await client.request({ method: 'GET', path: '/core/api/v1/governance/decisions/0b6c7f1e-ffff-4c5d-8e9f-0a1b2c3d4e5f' });
    await client.request({ method: 'GET', path: '/eikos/api/v1/evidence/17' });
    await client.request({ method: 'GET', path: '/thoth/api/v1/nope/12345' }).catch(() => undefined);
    const text = await registry.metrics();
    expect(text).toContain('maximus_requests_total{service="core",endpoint="GET /core/api/v1/governance/decisions/:id",status="502"} 1');
    expect(text).toContain('maximus_requests_total{service="core",endpoint="GET /core/api/v1/governance/decisions/:id",status="200"} 2');
    expect(text).toContain('maximus_requests_total{service="eikos",endpoint="GET /eikos/api/v1/evidence/:id",status="200"} 1');
    // A route the SDK does not know: id-like segments become :id all the same.
    expect(text).toContain('maximus_requests_total{service="thoth",endpoint="GET /thoth/api/v1/nope/:id",status="404"} 1');
    expect(text).toContain('maximus_request_duration_seconds_count{service="core",endpoint="GET /core/api/v1/governance/decisions/:id"} 3');
    expect(text).not.toContain(decisionId);
    expect(promClient.register.getSingleMetric('maximus_requests_total')).toBeUndefined();
  });

  it('imports prom-client by itself when not given, and shares the metrics between clients of one registry', async () => {
    const registry = new promClient.Registry();
    const { server, client } = await setup((_req, res) => sendJson(res, 200, {}), { metrics: { registry } });
    const second = new Maximus({ baseURL: server.url, metrics: { registry } });
    cleanups.push(() => second.close());
    await client.request({ method: 'GET', path: '/health' });
    await second.request({ method: 'GET', path: '/health' });
    expect(await registry.metrics()).toContain('maximus_requests_total{service="gateway",endpoint="GET /health",status="200"} 2');
  });
});

describe('tracing', () => {
  it('makes one span per call and one CLIENT span per attempt with the resend count, and sends the attempt’s traceparent', async () => {
    const { exporter, provider } = tracing();
    const { server, client } = await setup((_req, res, i) => (i < 2 ? sendProblem(res, 503, 'CORE_ERR_DB_UNAVAILABLE') : sendJson(res, 200, { ok: true })), {
      tracing: { tracer: provider.getTracer('test') },
    });
    await client.request({ method: 'GET', path: `/core/api/v1/governance/decisions/${decisionId}` });
    const spans = exporter.getFinishedSpans();
    const call = spans.find((s) => s.kind === SpanKind.INTERNAL)!;
    const attempts = spans.filter((s) => s.kind === SpanKind.CLIENT);
    expect(call.name).toBe('maximus GET /core/api/v1/governance/decisions/:id');
    expect(attempts.map((s) => s.name)).toEqual(Array(3).fill('GET /core/api/v1/governance/decisions/:id'));
    expect(attempts.map((s) => s.attributes['http.request.resend_count'])).toEqual([undefined, 1, 2]);
    expect(attempts.map((s) => s.attributes['http.response.status_code'])).toEqual([503, 503, 200]);
    expect(attempts[0]!.attributes['error.type']).toBe('503');
    for (const attempt of attempts) {
      expect(attempt.parentSpanContext?.spanId).toBe(call.spanContext().spanId);
      expect(attempt.spanContext().traceId).toBe(call.spanContext().traceId);
    }
    // No global propagator is registered: the SDK writes W3C traceparent itself.
    expect(server.arrivals.map((a) => a.headers.traceparent)).toEqual(attempts.map((s) => `00-${s.spanContext().traceId}-${s.spanContext().spanId}-01`));
  });

  it('continues the caller’s trace through the global propagator', async () => {
    const { exporter, provider } = tracing();
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    cleanups.push(() => (propagation.disable(), context.disable()));
    const { server, client } = await setup((_req, res) => sendJson(res, 200, {}), { tracing: { tracer: provider.getTracer('test') } });
    const parent = provider.getTracer('app').startSpan('handle request');
    await context.with(trace.setSpan(context.active(), parent), () => client.request({ method: 'GET', path: '/eikos/api/v1/ledger/root' }));
    parent.end();
    const call = exporter.getFinishedSpans().find((s) => s.name === 'maximus GET /eikos/api/v1/ledger/root')!;
    expect(call.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
    expect(server.arrivals[0]!.headers.traceparent).toMatch(new RegExp(`^00-${parent.spanContext().traceId}-[0-9a-f]{16}-01$`));
  });

  it('creates no span at all when tracing is off, even with a global tracer provider', async () => {
    const { exporter, provider } = tracing();
    trace.setGlobalTracerProvider(provider);
    cleanups.push(() => trace.disable());
    const { server, client } = await setup((_req, res) => sendJson(res, 200, {}));
    await client.request({ method: 'GET', path: '/health' });
    expect(exporter.getFinishedSpans()).toHaveLength(0);
    expect(server.arrivals[0]!.headers.traceparent).toBeUndefined();
    const traced = client.withOptions({ tracing: true }); // the global provider's tracer
    await traced.request({ method: 'GET', path: '/health' });
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(['GET /health', 'maximus GET /health']);
  });
});
