import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { loadConfig } from '../config/index.js';
import { INTERNAL_HEADER, PRINCIPAL_HEADER, internalHeaders, servicePrincipal, signInternal } from '../auth/index.js';
import { KitErrors } from '../errors/index.js';
import { createPlatform, type Platform } from '../platform/index.js';
import { buildService, defineService } from './index.js';
import { freshPgliteDir, sample, silentLog } from '../../../../test/helpers.js';

const PROOF = Buffer.from('a test key of the gateway proof');
const ADMIN = JSON.stringify({ id: 'user:test', kind: 'user', role: 'admin', via: 'api_key' });
/** The headers the gateway adds when it forwards a request to a service. */
const fromGateway = (method: string, url: string) => ({ [PRINCIPAL_HEADER]: ADMIN, [INTERNAL_HEADER]: signInternal(PROOF, method, url, ADMIN) });

// A service of the kit's own making (not a mock): one route with a schema, one that fails, one that reads the database.
const probe = defineService({
  name: 'core',
  version: '9.9.9',
  summary: 'a probe of the kit',
  internalRoutes: [
    { method: 'GET', path: '/api/v1/whoami', callers: ['penelope'] },
    { method: 'POST', path: '/api/v1/internal/:id', callers: ['penelope'], only: true },
  ],
  api: async (app, ctx) => {
    app.post(
      '/things/:id',
      {
        schema: {
          params: Type.Object({ id: Type.String({ pattern: '^[a-z]+$' }) }),
          body: Type.Object({ name: Type.String({ minLength: 2 }), size: Type.Optional(Type.Integer({ minimum: 0 })) }, { additionalProperties: false }),
        },
      },
      (request) => ({ id: (request.params as { id: string }).id, body: request.body }),
    );
    app.get('/whoami', (request) => request.principal);
    app.post('/internal/:id', { schema: { summary: 'for penelope only' } }, (request) => ({ by: request.principal?.id }));
    app.get('/db-gone', () => {
      throw new KitErrors.DatabaseUnavailable('connect ECONNREFUSED 127.0.0.1:5432');
    });
    app.get('/boom', () => {
      throw new Error('secret internal detail');
    });
    app.get('/count', async () => {
      const { rows } = await ctx.db.query<{ n: number }>('SELECT 1 AS n');
      return rows[0];
    });
    await Promise.resolve();
  },
});

describe('a service built by the kit (PGlite)', () => {
  let platform: Platform;
  let app: FastifyInstance;
  beforeAll(async () => {
    const config = loadConfig({ MAXIMUS_DATA_DIR: '/nonexistent' });
    platform = await createPlatform({ config, log: silentLog, dataDir: freshPgliteDir() });
    ({ app } = await buildService(probe, { platform, gatewayProof: PROOF }));
  });
  afterAll(async () => {
    await app.close();
    await platform.close();
  });

  it('reports healthy with each component', async () => {
    const res = await app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ status: 'healthy', service: 'core', version: '9.9.9', mode: 'embedded' });
    expect(Object.keys(body.components).sort()).toEqual(['bus', 'cache', 'database']);
    expect(body.components.database.kind).toBe('pglite');
    expect((await app.inject({ method: 'GET', url: '/ready' })).json()).toMatchObject({ ready: true });
  });

  it('echoes a well-formed x-request-id and replaces a malformed one', async () => {
    const given = await app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'abc-123' } });
    expect(given.headers['x-request-id']).toBe('abc-123');
    const bad = await app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'no spaces <allowed>' } });
    expect(bad.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers unknown routes with problem+json 404', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/nothing/here?x=1', headers: { ...fromGateway('GET', '/api/v1/nothing/here?x=1'), 'x-request-id': 'req-404' } });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ status: 404, code: 'KIT_ERR_HTTP_NOT_FOUND', request_id: 'req-404', title: 'Not Found' });
    expect(res.json().detail).toContain('/api/v1/nothing/here');
  });

  it('names every bad field with a JSON pointer', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/things/abc', headers: fromGateway('POST', '/api/v1/things/abc'), payload: { name: 'x', size: -1, extra: true } });
    expect(res.statusCode).toBe(400);
    const body = res.json<{ code: string; errors: { pointer: string }[] }>();
    expect(body.code).toBe('KIT_ERR_REQUEST_VALIDATION');
    const pointers = body.errors.map((e) => e.pointer).sort();
    expect(pointers).toEqual(['/body/extra', '/body/name', '/body/size']);
    const missing = await app.inject({ method: 'POST', url: '/api/v1/things/abc', headers: fromGateway('POST', '/api/v1/things/abc'), payload: {} });
    expect(missing.json().errors).toEqual([{ pointer: '/body/name', message: 'is required' }]);
    const param = await app.inject({ method: 'POST', url: '/api/v1/things/ABC', headers: fromGateway('POST', '/api/v1/things/ABC'), payload: { name: 'ok' } });
    expect(param.json().errors[0].pointer).toBe('/params/id');
  });

  it('accepts a valid body', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/things/abc', headers: fromGateway('POST', '/api/v1/things/abc'), payload: { name: 'ok', size: 3 } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ id: 'abc', body: { name: 'ok', size: 3 } });
  });

  it('gives malformed JSON and unsupported media types their own codes', async () => {
    const json = await app.inject({ method: 'POST', url: '/api/v1/things/abc', headers: { ...fromGateway('POST', '/api/v1/things/abc'), 'content-type': 'application/json' }, payload: '{"name": ' });
    expect(json.statusCode).toBe(400);
    expect(json.json().code).toBe('KIT_ERR_REQUEST_MALFORMED_BODY');
    const xml = await app.inject({ method: 'POST', url: '/api/v1/things/abc', headers: { ...fromGateway('POST', '/api/v1/things/abc'), 'content-type': 'application/xml' }, payload: '<a/>' });
    expect(xml.statusCode).toBe(415);
    expect(xml.json().code).toBe('KIT_ERR_REQUEST_UNSUPPORTED_MEDIA_TYPE');
  });

  it('hides the message of an unexpected error and counts it', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/boom', headers: fromGateway('GET', '/api/v1/boom') });
    expect(res.statusCode).toBe(500);
    expect(res.json().code).toBe('KIT_ERR_INTERNAL_ERROR');
    expect(res.body).not.toContain('secret internal detail');
    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(sample(metrics, 'maximus_errors_total', { code: 'KIT_ERR_INTERNAL_ERROR', status: '500', service: 'core' })).toBe(1);
  });

  it('answers an unreachable database with 503 problem+json and Retry-After', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/db-gone', headers: fromGateway('GET', '/api/v1/db-gone') });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ code: 'KIT_ERR_DB_UNAVAILABLE', title: 'Service Unavailable' });
  });

  it('labels request durations with route templates, never raw URLs', async () => {
    await app.inject({ method: 'POST', url: '/api/v1/things/zzz', headers: fromGateway('POST', '/api/v1/things/zzz'), payload: { name: 'ok' } });
    await app.inject({ method: 'GET', url: '/api/v1/count', headers: fromGateway('GET', '/api/v1/count') });
    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    const labels = { http_request_method: 'POST', http_route: '/api/v1/things/:id', http_response_status_code: '200', service: 'core' };
    expect(sample(metrics, 'http_server_request_duration_seconds_count', labels)).toBeGreaterThanOrEqual(1);
    expect(sample(metrics, 'http_server_request_duration_seconds_count', { http_route: '/api/v1/count' })).toBe(1);
    expect(metrics).not.toContain('zzz');
    expect(metrics).not.toContain('/nothing/here');
  });

  it('answers /api/ only with the gateway\'s proof', async () => {
    expect((await app.inject({ method: 'GET', url: '/api/v1/count' })).json()).toMatchObject({ status: 401, code: 'KIT_ERR_AUTH_GATEWAY_PROOF_INVALID' });
    const forged = { [PRINCIPAL_HEADER]: ADMIN, [INTERNAL_HEADER]: signInternal(Buffer.from('another key'), 'GET', '/api/v1/count', ADMIN) };
    expect((await app.inject({ method: 'GET', url: '/api/v1/count', headers: forged })).statusCode).toBe(401);
    const replayedElsewhere = fromGateway('GET', '/api/v1/count');
    expect((await app.inject({ method: 'GET', url: '/api/v1/boom', headers: replayedElsewhere })).statusCode).toBe(401);
    const escalated = { ...fromGateway('GET', '/api/v1/count'), [PRINCIPAL_HEADER]: ADMIN.replace('admin', 'operator') };
    expect((await app.inject({ method: 'GET', url: '/api/v1/count', headers: escalated })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/api/v1/count', headers: fromGateway('GET', '/api/v1/count') })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
  });

  it('admits a service principal only on the internal routes it lists for that caller, with on_behalf_of kept', async () => {
    const penelope = servicePrincipal('penelope', 'user:key-abc');
    const whoami = await app.inject({ method: 'GET', url: '/api/v1/whoami', headers: internalHeaders(PROOF, 'GET', '/api/v1/whoami', penelope) });
    expect(whoami.statusCode).toBe(200);
    expect(whoami.json()).toEqual({ id: 'service:penelope', kind: 'service', role: 'service', via: 'internal', on_behalf_of: 'user:key-abc' });
    const other = await app.inject({ method: 'GET', url: '/api/v1/count', headers: internalHeaders(PROOF, 'GET', '/api/v1/count', penelope) });
    expect(other.statusCode).toBe(403);
    expect(other.json().code).toBe('KIT_ERR_AUTH_SERVICE_ROUTE_FORBIDDEN');
    const maba = servicePrincipal('maba');
    expect((await app.inject({ method: 'GET', url: '/api/v1/whoami', headers: internalHeaders(PROOF, 'GET', '/api/v1/whoami', maba) })).statusCode).toBe(403);
  });

  it('keeps a route listed `only` for its callers: users are refused, and the OpenAPI document leaves it out', async () => {
    const url = '/api/v1/internal/x1';
    const penelope = servicePrincipal('penelope', 'user:key-abc');
    const ok = await app.inject({ method: 'POST', url, payload: {}, headers: internalHeaders(PROOF, 'POST', url, penelope) });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ by: 'service:penelope' });
    const user = await app.inject({ method: 'POST', url, payload: {}, headers: fromGateway('POST', url) });
    expect(user.statusCode).toBe(403);
    expect(user.json()).toMatchObject({ code: 'KIT_ERR_AUTH_INTERNAL_ONLY', detail: 'user:test may not call POST /api/v1/internal/x1 on core: it is an internal route, for service:penelope only' });
    const maba = await app.inject({ method: 'POST', url, payload: {}, headers: internalHeaders(PROOF, 'POST', url, servicePrincipal('maba')) });
    expect(maba.json().code).toBe('KIT_ERR_AUTH_SERVICE_ROUTE_FORBIDDEN');
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(Object.keys(doc.paths)).not.toContain('/api/v1/internal/{id}');
    expect(Object.keys(doc.paths)).toContain('/api/v1/whoami');
  });

  it('documents its routes in /openapi.json', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info).toMatchObject({ title: 'MAXIMUS core', version: '9.9.9' });
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/health', '/ready', '/metrics', '/api/v1/things/{id}', '/api/v1/count']));
    expect(doc.paths['/api/v1/things/{id}'].post.requestBody.content['application/json'].schema.required).toEqual(['name']);
  });
});

describe('a service whose dependencies are unreachable', () => {
  it('refuses to start without its database (its migrations need it), naming the cause', async () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://maximus:hunter2@127.0.0.1:1/none', MAXIMUS_DB_ACQUIRE_TIMEOUT_MS: '300' });
    const platform = await createPlatform({ config, log: silentLog });
    await expect(buildService(probe, { platform, gatewayProof: PROOF })).rejects.toMatchObject({ code: 'KIT_ERR_DB_UNAVAILABLE' });
    const health = await platform.db.health(1000);
    expect(health.status).toBe('down');
    expect(JSON.stringify(health)).not.toContain('hunter2');
    await platform.close();
  });

  it('is degraded but ready when only the cache and the bus are unreachable', async () => {
    const config = loadConfig({ REDIS_URL: 'redis://127.0.0.1:1', NATS_URL: 'nats://127.0.0.1:1', MAXIMUS_HEALTH_TIMEOUT_MS: '500' });
    const platform = await createPlatform({ config, log: silentLog, dataDir: freshPgliteDir() });
    const { app } = await buildService(probe, { platform, gatewayProof: PROOF });
    try {
      const health = await app.inject({ method: 'GET', url: '/health' });
      expect(health.statusCode).toBe(200);
      expect(health.json().status).toBe('degraded');
      expect(health.json().components.cache.status).toBe('down');
      expect(health.json().components.bus.status).toBe('down');
      expect(health.json().components.database.status).toBe('healthy');
      const ready = await app.inject({ method: 'GET', url: '/ready' });
      expect(ready.statusCode).toBe(200);
    } finally {
      await app.close();
      await platform.close();
    }
  });
});
