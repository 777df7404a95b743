import { createServer as createTcpServer, type Server } from 'node:net';
import { cpSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { inject } from 'vitest';
import { SERVICE_NAMES, SERVICES, type ServiceName } from '@maximus/contracts';
import { runService, type RunningService } from '@maximus/kit/service';
import { SERVICE_DEFINITIONS } from '@maximus/cli';
import { sample, tempDir } from './helpers.js';
import { waitFor } from './servers.js';
import { WebSocket } from 'undici';
import { connectedGateway, embeddedGateway, INTERNAL_SECRET, type TestGateway } from './gateway-helpers.js';

describe('embedded gateway: every service mounted in process', () => {
  let gateway: TestGateway;
  let app: FastifyInstance;
  let admin: Record<string, string>;
  beforeAll(async () => {
    gateway = await embeddedGateway();
    app = gateway.app;
    admin = { 'x-api-key': gateway.adminKey };
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it.each(SERVICE_NAMES)('routes /%s/… to that service', async (name) => {
    const health = await app.inject({ method: 'GET', url: `/${name}/health` });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toMatchObject({ service: name, status: 'healthy', mode: 'embedded' });
    expect((await app.inject({ method: 'GET', url: `/${name}/ready` })).json()).toMatchObject({ ready: true, service: name });
    const doc = (await app.inject({ method: 'GET', url: `/${name}/openapi.json` })).json();
    expect(doc.info.title).toBe(`MAXIMUS ${name}`);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/health', '/ready', '/metrics']));
    expect(doc.servers).toEqual([{ url: `/${name}` }]);
    if (!SERVICE_DEFINITIONS[name].api) expect(doc.info.description).toContain('not built yet');
    const metrics = await app.inject({ method: 'GET', url: `/${name}/metrics` });
    expect(metrics.headers['content-type']).toContain('text/plain');
    const labels = { http_request_method: 'GET', http_route: '/health', http_response_status_code: '200', service: name };
    expect(sample(metrics.body, 'http_server_request_duration_seconds_count', labels)).toBe(1);
  });

  it('aggregates every service in GET /health', async () => {
    const res = await app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ status: 'healthy', service: 'gateway', mode: 'embedded' });
    expect(Object.keys(body.services)).toEqual([...SERVICE_NAMES]);
    expect(body.services.core).toMatchObject({ status: 'healthy', critical: true });
    expect(body.services.maba.critical).toBe(false);
    for (const entry of Object.values<{ latency_ms: number }>(body.services)) expect(entry.latency_ms).toBeGreaterThanOrEqual(0);
  });

  it('answers unknown routes, at the top and inside a service, with problem+json', async () => {
    for (const url of ['/nope', '/core/nope', '/penelope/api/v1/nothing']) {
      const res = await app.inject({ method: 'GET', url, headers: { 'x-request-id': 'trace-me', ...admin } });
      expect(res.statusCode).toBe(404);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json()).toMatchObject({ code: 'KIT_ERR_HTTP_NOT_FOUND', request_id: 'trace-me' });
      expect(res.headers['x-request-id']).toBe('trace-me');
    }
  });

  it('keeps each service\'s metrics to itself and the gateway\'s to the gateway', async () => {
    await app.inject({ method: 'GET', url: '/ready' });
    const gateway = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(sample(gateway, 'http_server_request_duration_seconds_count', { http_route: '/ready', service: 'gateway' })).toBeGreaterThan(0);
    expect(gateway).toContain('process_cpu_seconds_total');
    expect(gateway).not.toContain('service="core"');
  });

  it('is ready while the database answers', async () => {
    expect((await app.inject({ method: 'GET', url: '/ready' })).json()).toMatchObject({ ready: true, checks: { database: { status: 'healthy' } } });
  });
});

/** Listens on a free port and never answers: a stalled upstream. */
async function blackHole(): Promise<{ url: string; server: Server }> {
  const server = createTcpServer(() => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  return { url: `http://127.0.0.1:${address.port}`, server };
}

async function closedPortUrl(): Promise<string> {
  const { url, server } = await blackHole();
  await new Promise((resolve) => server.close(resolve));
  return url;
}

describe('connected gateway: services in their own servers, reached by URL', () => {
  const running: Partial<Record<ServiceName, RunningService>> = {};
  let connected: Awaited<ReturnType<typeof connectedGateway>>;
  let gateway: FastifyInstance;
  let admin: Record<string, string>;
  let stalled: Server;
  beforeAll(async () => {
    const dataDir = tempDir('connected');
    const template = inject('pgliteTemplate');
    for (const name of SERVICE_NAMES) {
      if (name === 'maba' || name === 'nis') continue; // maba: unreachable; nis: stalls
      mkdirSync(dataDir, { recursive: true });
      cpSync(template, join(dataDir, name), { recursive: true });
      running[name] = await runService(SERVICE_DEFINITIONS[name], { env: { MAXIMUS_DATA_DIR: dataDir, MAXIMUS_LOG_LEVEL: 'silent', MAXIMUS_INTERNAL_SECRET: INTERNAL_SECRET }, port: 0 });
    }
    const hole = await blackHole();
    stalled = hole.server;
    const upstreams = Object.fromEntries(SERVICE_NAMES.map((n) => [n, running[n]?.url ?? ''])) as Record<ServiceName, string>;
    upstreams.maba = await closedPortUrl();
    upstreams.nis = hole.url;
    connected = await connectedGateway(upstreams, { MAXIMUS_INTERNAL_SECRET: INTERNAL_SECRET }, { upstreamTimeoutMs: 500, healthTimeoutMs: 500 });
    gateway = connected.app;
    admin = { 'x-api-key': connected.adminKey };
  });
  afterAll(async () => {
    await connected?.close();
    await Promise.all(Object.values(running).map((r) => r.close()));
    stalled?.close();
  });

  it.each(SERVICE_NAMES.filter((n) => n !== 'maba' && n !== 'nis'))('proxies /%s/… to the service', async (name) => {
    const res = await gateway.inject({ method: 'GET', url: `/${name}/health`, headers: { 'x-request-id': `via-${name}` } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ service: name, status: 'healthy', mode: 'embedded' });
    expect(res.headers['x-request-id']).toBe(`via-${name}`);
    const missing = await gateway.inject({ method: 'GET', url: `/${name}/api/v1/missing`, headers: admin });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe('KIT_ERR_HTTP_NOT_FOUND');
    const anonymous = await gateway.inject({ method: 'GET', url: `/${name}/api/v1/missing` });
    expect(anonymous.statusCode).toBe(401);
    expect(SERVICES[name].port).toBeGreaterThan(8000);
  });

  it('forwards request bodies as they came in (a POST to hermes through the connected gateway)', async () => {
    const res = await gateway.inject({
      method: 'POST',
      url: '/hermes/api/v1/events',
      headers: { ...admin, 'content-type': 'application/json' },
      payload: JSON.stringify({ topic: 'proxy.body', payload: { n: 1 } }),
    });
    expect(res.statusCode, res.body).toBeLessThan(300);
    expect(res.json()).toMatchObject({ topic: 'proxy.body' });
  });

  it('relays WebSockets to a service after the same checks (hermes events over ws through the connected gateway)', async () => {
    const base = await gateway.listen({ host: '127.0.0.1', port: 0 });
    const topic = `ws${Date.now()}.hello`;
    const ws = new WebSocket(`${base.replace('http', 'ws')}/hermes/api/v1/events/ws?topics=${topic}`, { headers: admin });
    const frames: { type: string; event?: { topic: string; payload: unknown } }[] = [];
    ws.addEventListener('message', (m) => frames.push(JSON.parse(String(m.data)) as (typeof frames)[number]));
    await new Promise<void>((resolve, reject) => {
      ws.addEventListener('open', () => resolve());
      ws.addEventListener('error', () => reject(new Error('the WebSocket did not open')));
    });
    try {
      await new Promise((r) => setTimeout(r, 200));
      const published = await fetch(`${base}/hermes/api/v1/events`, { method: 'POST', headers: { ...admin, 'content-type': 'application/json' }, body: JSON.stringify({ topic, payload: { n: 1 } }) });
      expect(published.status, await published.clone().text()).toBeLessThan(300);
      await waitFor(() => frames.some((f) => f.type === 'event'), 5000, 'the event arrives over the relayed socket');
      expect(frames.find((f) => f.type === 'event')?.event).toMatchObject({ topic, payload: { n: 1 } });
    } finally {
      ws.close();
    }
    // Without credentials the upgrade is refused by the gateway's own check, before any relay.
    const anonymous = new WebSocket(`${base.replace('http', 'ws')}/hermes/api/v1/events/ws?topics=${topic}`);
    const refused = await new Promise<boolean>((resolve) => {
      anonymous.addEventListener('open', () => resolve(false));
      anonymous.addEventListener('error', () => resolve(true));
    });
    expect(refused).toBe(true);
    // One relayed socket stays open: closing the gateway (afterAll) must still end at once.
    const lingering = new WebSocket(`${base.replace('http', 'ws')}/hermes/api/v1/events/ws?topics=${topic}`, { headers: admin });
    await new Promise<void>((resolve, reject) => {
      lingering.addEventListener('open', () => resolve());
      lingering.addEventListener('error', () => reject(new Error('the WebSocket did not open')));
    });
  });

  it('answers 503 problem+json with Retry-After for a service that is down, at once', async () => {
    const started = performance.now();
    const res = await gateway.inject({ method: 'GET', url: '/maba/health' });
    expect(performance.now() - started).toBeLessThan(2000);
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBeDefined();
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ code: 'GATEWAY_ERR_UPSTREAM_UNAVAILABLE', status: 503 });
  });

  it('answers 504 for a service that stalls, after the upstream timeout', async () => {
    const started = performance.now();
    const res = await gateway.inject({ method: 'GET', url: '/nis/health' });
    const elapsed = performance.now() - started;
    expect(res.statusCode).toBe(504);
    expect(res.json().code).toBe('GATEWAY_ERR_UPSTREAM_TIMEOUT');
    expect(elapsed).toBeGreaterThanOrEqual(450);
    expect(elapsed).toBeLessThan(3000);
  });

  it('aggregates health over HTTP: the down and stalled services are down, the platform degraded', async () => {
    const res = await gateway.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.status).toBe('degraded');
    expect(body.services.core.status).toBe('healthy');
    expect(body.services.maba).toMatchObject({ status: 'down', critical: false });
    expect(body.services.maba.error).toContain('ECONNREFUSED');
    expect(body.services.nis.status).toBe('down');
  });

  it('refuses a second process on a service data directory', async () => {
    const dataDir = tempDir('locked');
    cpSync(inject('pgliteTemplate'), join(dataDir, 'thoth'), { recursive: true });
    const first = await runService(SERVICE_DEFINITIONS.thoth, { env: { MAXIMUS_DATA_DIR: dataDir, MAXIMUS_LOG_LEVEL: 'silent', MAXIMUS_INTERNAL_SECRET: INTERNAL_SECRET }, port: 0 });
    try {
      // The same process is refused too: PGlite would corrupt a directory opened twice.
      await expect(runService(SERVICE_DEFINITIONS.thoth, { env: { MAXIMUS_DATA_DIR: dataDir, MAXIMUS_LOG_LEVEL: 'silent' }, port: 0 })).rejects.toMatchObject({
        code: 'KIT_ERR_DATADIR_LOCKED',
      });
    } finally {
      await first.close();
    }
  });
});
