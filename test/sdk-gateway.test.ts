import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVICE_NAMES, type ServiceName } from '@maximus/contracts';
import { Maximus, NotFoundError, ServiceUnavailableError } from '@maximus/sdk';
import { connectedGateway, embeddedGateway, type TestGateway } from './gateway-helpers.js';

// The SDK against the real gateway over real HTTP: a client/server mismatch fails here.
describe('SDK ↔ embedded gateway', () => {
  let gateway: TestGateway;
  let client: Maximus;
  beforeAll(async () => {
    gateway = await embeddedGateway();
    client = new Maximus({ baseURL: await gateway.app.listen({ host: '127.0.0.1', port: 0 }), apiKey: gateway.adminKey, token: null });
  });
  afterAll(async () => {
    await client?.close();
    await gateway?.close();
  });

  it('client.health() returns every service', async () => {
    const { data, response } = await client.health().withResponse();
    expect(response.status).toBe(200);
    expect(response.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(data.status).toBe('healthy');
    expect(Object.keys(data.services)).toEqual([...SERVICE_NAMES]);
  });

  it('turns a problem+json 404 into NotFoundError with the code and request id', async () => {
    const error = await client.request({ method: 'GET', path: '/core/api/v1/nope' }, { headers: { 'x-request-id': 'sdk-404' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toMatchObject({ status: 404, code: 'KIT_ERR_HTTP_NOT_FOUND', requestId: 'sdk-404' });
  });
});

describe('SDK ↔ connected gateway with its services down', () => {
  let gateway: Awaited<ReturnType<typeof connectedGateway>>;
  let client: Maximus;
  beforeAll(async () => {
    const upstreams = Object.fromEntries(SERVICE_NAMES.map((n) => [n, 'http://127.0.0.1:1'])) as Record<ServiceName, string>;
    gateway = await connectedGateway(upstreams, {}, { healthTimeoutMs: 500 });
    client = new Maximus({ baseURL: await gateway.app.listen({ host: '127.0.0.1', port: 0 }), apiKey: gateway.adminKey, maxRetries: 1, retry: { baseDelayMs: 10 } });
  });
  afterAll(async () => {
    await client?.close();
    await gateway?.close();
  });

  it('client.health() returns the body of a 503 (the platform is down)', async () => {
    const health = await client.health();
    expect(health.status).toBe('down');
    expect(health.services.core).toMatchObject({ status: 'down', critical: true });
  });

  it('a routed call to a dead service is a typed 503 with the gateway\'s code, after its retries', async () => {
    const error = await client.request({ method: 'GET', path: '/core/health' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect(error).toMatchObject({ status: 503, code: 'GATEWAY_ERR_UPSTREAM_UNAVAILABLE' });
  });
});
