import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVICE_NAMES, type ServiceName } from '@maximus/contracts';
import { AuthenticationError, ConflictError, Maximus, NotFoundError, PermissionDeniedError, ServiceUnavailableError, type RequestEvent } from '@maximus/sdk';
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

describe('SDK keys, tokens and the kill switch ↔ embedded gateway', () => {
  let gateway: TestGateway;
  let url: string;
  let admin: Maximus;
  beforeAll(async () => {
    gateway = await embeddedGateway();
    url = await gateway.app.listen({ host: '127.0.0.1', port: 0 });
    admin = new Maximus({ baseURL: url, apiKey: gateway.adminKey, token: null, maxRetries: 0 });
  });
  afterAll(async () => {
    await admin?.close();
    await gateway?.close();
  });

  it('creates a key that works, lists it without its secret, revokes it: refused from the next call', async () => {
    const created = await admin.keys.create({ name: 'sdk-operator', role: 'operator' });
    const operator = new Maximus({ baseURL: url, apiKey: created.key, token: null, maxRetries: 0 });
    try {
      await expect(operator.governance.stats()).resolves.toBeDefined();
      await expect(operator.keys.list()).rejects.toBeInstanceOf(PermissionDeniedError);
      const listed = await admin.keys.list();
      expect(listed.find((k) => k.id === created.id)).toMatchObject({ name: 'sdk-operator', role: 'operator' });
      expect(JSON.stringify(listed)).not.toContain(created.key);
      expect((await admin.keys.revoke(created.id)).id).toBe(created.id);
      await expect(operator.governance.stats()).rejects.toBeInstanceOf(AuthenticationError);
    } finally {
      await operator.close();
    }
  });

  it('mints a token that authenticates as its role', async () => {
    const { token, role } = await admin.tokens.create({ role: 'readonly', ttl: '5m' });
    expect(role).toBe('readonly');
    const reader = admin.withOptions({ apiKey: null, token });
    await expect(reader.governance.stats()).resolves.toBeDefined();
    await expect(reader.keys.list()).rejects.toBeInstanceOf(PermissionDeniedError);
  });

  it('refuses to resume a platform that is not shut down', async () => {
    expect((await admin.consciousness.safety.status()).shut_down).toBe(false);
    await expect(admin.consciousness.safety.resume({ reason: 'nothing to resume' })).rejects.toBeInstanceOf(ConflictError);
  });
});

describe('SDK machinery ↔ embedded gateway: batching, coalescing, cache', () => {
  let gateway: TestGateway;
  let url: string;
  let sent: RequestEvent[];
  let client: Maximus;
  beforeAll(async () => {
    gateway = await embeddedGateway({ MAXIMUS_RATE_LIMITS: 'read=100000/60,write=100000/60,expensive=1000/60' });
    url = await gateway.app.listen({ host: '127.0.0.1', port: 0 });
    sent = [];
    client = new Maximus({
      baseURL: url,
      apiKey: gateway.adminKey,
      token: null,
      hooks: { onRequest: (e) => sent.push(e) },
      cache: { rules: [{ prefix: '/eikos/api/v1/ledger/public-key', ttlMs: 60_000 }, { prefix: '/eikos/api/v1/evidence', ttlMs: 60_000 }] },
    });
  });
  afterAll(async () => {
    await client?.close();
    await gateway?.close();
  });

  it('batches evidence.retrieve calls of one tick into one GET /evidence?ids=, each caller its own record', async () => {
    const created = [];
    for (let i = 0; i < 3; i++) created.push(await client.evidence.create({ type: 'sdk.batch', subject_id: 'batch', payload: { i } }));
    const indexes = created.map((e) => e.index);
    sent.length = 0;
    const [a, b, c, again, missing] = await Promise.all([
      ...indexes.map((i) => client.evidence.retrieve(i, { cache: false })),
      client.evidence.retrieve(indexes[0]!, { cache: false }),
      client.evidence.retrieve(999_999, { cache: false }).catch((e: unknown) => e),
    ]);
    expect(sent.map((e) => `${e.method} ${e.url.slice(url.length)}`)).toEqual([`GET /eikos/api/v1/evidence?ids=${[...indexes, 999_999].join('%2C')}`]);
    expect([a, b, c].map((r) => (r as { entry: { index: number } }).entry.index)).toEqual(indexes);
    expect(again).toEqual(a);
    expect(again).not.toBe(a);
    expect(missing).toBeInstanceOf(NotFoundError);
    expect(missing).toMatchObject({ status: 404, code: 'EIKOS_ERR_EVIDENCE_NOT_FOUND' });
    // The same record as the single read gives (the proof may lead to a later head).
    const single = await client.evidence.retrieve(indexes[1]!, { batch: false, cache: false });
    expect(sent.at(-1)!.url.slice(url.length)).toBe(`/eikos/api/v1/evidence/${indexes[1]}`);
    expect(single.entry).toEqual((b as typeof single).entry);
    expect(single.bytes).toBe((b as typeof single).bytes);
  });

  it('reads per-service health through one aggregate GET /health', async () => {
    sent.length = 0;
    const [core, eikos, hermes] = await Promise.all([client.serviceHealth('core'), client.serviceHealth('eikos'), client.serviceHealth('hermes')]);
    expect(sent.map((e) => e.endpoint)).toEqual(['GET /health']);
    expect([core.status, eikos.status, hermes.status]).toEqual(['healthy', 'healthy', 'healthy']);
    expect(core.critical).toBe(true);
  });

  it('coalesces 200 concurrent identical reads into one request through the gateway', async () => {
    sent.length = 0;
    const stats = await Promise.all(Array.from({ length: 200 }, () => client.governance.stats()));
    expect(sent).toHaveLength(1);
    expect(new Set(stats).size).toBe(200); // each caller its own object
  });

  it('caches the reads a rule names, and a write through the client invalidates its resource', async () => {
    sent.length = 0;
    for (let i = 0; i < 10; i++) await client.ledger.publicKey();
    expect(sent).toHaveLength(1);
    const entry = await client.evidence.create({ type: 'sdk.cache', subject_id: 'cache', payload: {} });
    const first = await client.evidence.retrieve(entry.index, { batch: false });
    const second = await client.evidence.retrieve(entry.index, { batch: false }).withResponse();
    expect(second.response.cache).toMatchObject({ hit: true, source: 'l1' });
    expect(second.data).toEqual(first);
    const before = sent.length;
    await client.evidence.create({ type: 'sdk.cache', subject_id: 'cache', payload: { n: 2 } });
    const third = await client.evidence.retrieve(entry.index, { batch: false }).withResponse();
    expect(third.response.cache?.hit).toBe(false);
    expect(sent.length).toBe(before + 2); // the write, then the read asked again
    expect(client.cacheStats().hitRatio).toBeGreaterThan(0.5);
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
