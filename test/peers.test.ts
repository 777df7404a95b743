import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Type } from 'typebox';
import type { FastifyInstance } from 'fastify';
import type { Principal } from '@maximus/contracts';
import { loadConfig } from '@maximus/kit/config';
import { createError } from '@maximus/kit/errors';
import type { PeerError } from '@maximus/kit/peers';
import { createPlatform, type Platform } from '@maximus/kit/platform';
import { buildService, defineService, prepareService, type PreparedService, type ServiceDefinition } from '@maximus/kit/service';
import { build, createGatewaySecurity, type GatewaySecurity } from '@maximus/gateway';
import { freshPgliteDir, silentLog } from './helpers.js';
import { freePort } from './servers.js';

const Taken = createError('TEST_ERR_PEER_TAKEN', 'Already taken: %s', 409);

/** maba answers nis on /echo and /taken and /slow; nobody else may call it. */
const callee: ServiceDefinition = defineService({
  name: 'maba',
  version: '0.0.0',
  summary: 'peer callee',
  internalRoutes: [
    { method: 'GET', path: '/api/v1/echo', callers: ['nis'] },
    { method: 'POST', path: '/api/v1/taken/:id', callers: ['nis'] },
    { method: 'GET', path: '/api/v1/slow', callers: ['nis'] },
  ],
  async api(app) {
    app.get('/echo', { schema: { querystring: Type.Object({ x: Type.Optional(Type.String()) }) } }, (request) => ({
      principal: request.principal as Principal,
      query: request.query,
    }));
    app.post('/taken/:id', (request) => {
      throw new Taken((request.params as { id: string }).id);
    });
    app.get('/slow', async () => {
      await new Promise((resolve) => setTimeout(resolve, 500));
      return { late: true };
    });
    await Promise.resolve();
  },
});
const caller = (name: 'nis' | 'adw'): ServiceDefinition => defineService({ name, version: '0.0.0', summary: 'peer caller' });

function expectPeerError(error: unknown, code: string, status: number): PeerError {
  const e = error as PeerError;
  expect(e.code).toBe(code);
  expect(e.statusCode).toBe(status);
  return e;
}

describe('ctx.peers, embedded: in process through the gateway', () => {
  let platform: Platform;
  let security: GatewaySecurity;
  let app: FastifyInstance;
  let services: PreparedService[];
  const byName = (name: string) => services.find((s) => s.ctx.name === name)!.ctx;

  beforeAll(async () => {
    const dataDir = freshPgliteDir();
    const config = loadConfig({ MAXIMUS_DATA_DIR: dataDir });
    platform = await createPlatform({ config, log: silentLog, dataDir });
    security = await createGatewaySecurity({ config, db: platform.db, bus: platform.bus, log: silentLog, dataDir });
    services = [await prepareService(callee, platform), await prepareService(caller('nis'), platform), await prepareService(caller('adw'), platform)];
    app = await build({ mode: 'embedded', services, db: platform.db, config, security, log: silentLog });
  });
  afterAll(async () => {
    await app.close();
    await security.close();
    await platform.close();
  });

  it('carries the caller and the user it acts for, and the query string', async () => {
    const { status, body } = await byName('nis').peers.request<{ principal: Principal; query: unknown }>('maba', {
      method: 'GET',
      path: '/api/v1/echo?x=1',
      onBehalfOf: 'user:key-1',
    });
    expect(status).toBe(200);
    expect(body.principal).toMatchObject({ id: 'service:nis', kind: 'service', role: 'service', on_behalf_of: 'user:key-1' });
    expect(body.query).toEqual({ x: '1' });
  });

  it('refuses a caller the callee does not list (403 from the callee guard, relayed)', async () => {
    const error = await byName('adw').peers.request('maba', { method: 'GET', path: '/api/v1/echo' }).catch((e: unknown) => e);
    const e = expectPeerError(error, 'KIT_ERR_PEER_REJECTED', 403);
    expect(e.problem?.code).toBe('KIT_ERR_AUTH_SERVICE_ROUTE_FORBIDDEN');
  });

  it("relays the callee's 4xx with its problem", async () => {
    const error = await byName('nis').peers.request('maba', { method: 'POST', path: '/api/v1/taken/7', body: { a: 1 } }).catch((e: unknown) => e);
    const e = expectPeerError(error, 'KIT_ERR_PEER_REJECTED', 409);
    expect(e.peerStatus).toBe(409);
    expect(e.problem?.code).toBe('TEST_ERR_PEER_TAKEN');
  });

  it('gives up after its time limit with a 504', async () => {
    const error = await byName('nis').peers.request('maba', { method: 'GET', path: '/api/v1/slow', timeoutMs: 50 }).catch((e: unknown) => e);
    expectPeerError(error, 'KIT_ERR_PEER_TIMEOUT', 504);
  });

  it('does not let a network client pose as a service, even with well-formed headers', async () => {
    const principal = JSON.stringify({ id: 'service:nis', kind: 'service', role: 'service', via: 'internal' });
    const response = await app.inject({
      method: 'GET',
      url: '/maba/api/v1/echo',
      headers: { 'x-maximus-principal': principal, 'x-maximus-internal': `v1.${Math.floor(Date.now() / 1000)}.forged` },
    });
    expect(response.statusCode).toBe(401);
    expect(response.json<{ code: string }>().code).toBe('GATEWAY_ERR_AUTH_REQUIRED');
  });
});

describe('ctx.peers, connected: over HTTP with the internal proof', () => {
  const secret = Buffer.from('peers-test-internal-secret-0123456789');
  let platforms: Platform[] = [];
  let apps: FastifyInstance[] = [];
  let nis: PreparedService;
  let deadPort: number;

  beforeAll(async () => {
    const mabaPort = await freePort();
    deadPort = await freePort();
    const env = { MAXIMUS_MABA_URL: `http://127.0.0.1:${mabaPort}`, MAXIMUS_ADW_URL: `http://127.0.0.1:${deadPort}` };
    for (const definition of [callee, caller('nis')]) {
      const dataDir = freshPgliteDir();
      const platform = await createPlatform({ config: loadConfig({ MAXIMUS_DATA_DIR: dataDir, ...env }), log: silentLog, dataDir });
      platforms.push(platform);
      const { app, service } = await buildService(definition, { platform, gatewayProof: secret });
      apps.push(app);
      if (definition.name === 'maba') await app.listen({ host: '127.0.0.1', port: mabaPort });
      else nis = service;
    }
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    for (const platform of platforms) await platform.close();
    apps = [];
    platforms = [];
  });

  it('reaches the callee at its URL, signed with the shared secret', async () => {
    const { body } = await nis.ctx.peers.request<{ principal: Principal }>('maba', { method: 'GET', path: '/api/v1/echo', onBehalfOf: 'user:key-2' });
    expect(body.principal).toMatchObject({ id: 'service:nis', on_behalf_of: 'user:key-2' });
  });

  it("relays the callee's conflict", async () => {
    const error = await nis.ctx.peers.request('maba', { method: 'POST', path: '/api/v1/taken/9', body: {} }).catch((e: unknown) => e);
    expect(expectPeerError(error, 'KIT_ERR_PEER_REJECTED', 409).problem?.code).toBe('TEST_ERR_PEER_TAKEN');
  });

  it('answers 503 with Retry-After when the callee is not listening', async () => {
    const error = await nis.ctx.peers.request('adw', { method: 'GET', path: '/health' }).catch((e: unknown) => e);
    const e = expectPeerError(error, 'KIT_ERR_PEER_UNAVAILABLE', 503);
    expect(e.retryAfterSeconds).toBeGreaterThan(0);
  });
});
