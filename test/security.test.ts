import { createHash } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import type { Role } from '@maximus/contracts';
import { runConnected, type RunningGateway } from '@maximus/gateway';
import { embeddedGateway, type TestGateway } from './gateway-helpers.js';
import { freshPostgresUrl, TEST_DATABASE_URL } from './helpers.js';

const ROUTES = [
  { klass: 'read', method: 'GET', url: '/core/api/v1/governance/decisions', needs: 'readonly' },
  { klass: 'write', method: 'POST', url: '/thoth/api/v1/knowledge', needs: 'operator' },
  { klass: 'expensive', method: 'POST', url: '/core/api/v1/query', needs: 'operator' },
  { klass: 'keys', method: 'GET', url: '/api/v1/keys', needs: 'admin' },
  { klass: 'tokens', method: 'POST', url: '/api/v1/tokens', needs: 'admin' },
  { klass: 'kill switch', method: 'POST', url: '/core/api/v1/consciousness/safety/emergency-shutdown', needs: 'admin' },
] as const;
const RANK: Record<Role, number> = { readonly: 1, operator: 2, admin: 3 };

describe('authentication and authorisation through the embedded gateway', () => {
  let gateway: TestGateway;
  const keyOf: Partial<Record<Role, string>> = {};
  const tokenOf: Partial<Record<Role, string>> = {};
  beforeAll(async () => {
    gateway = await embeddedGateway();
    for (const role of ['admin', 'operator', 'readonly'] as const) {
      keyOf[role] = (await gateway.security.keys.create({ name: `t-${role}`, role, createdBy: null })).key;
      tokenOf[role] = (await gateway.security.tokens.mint({ role, subject: `s-${role}`, ttlSeconds: 600 })).token;
    }
  });
  afterAll(async () => {
    await gateway?.close();
  });

  const cases = ROUTES.flatMap((route) =>
    (['admin', 'operator', 'readonly'] as const).flatMap((role) => (['api_key', 'jwt'] as const).map((via) => ({ ...route, role, via }))),
  );
  it.each(cases)('$role ($via) → $method $url ($klass) is allowed only from $needs up', async ({ role, via, method, url, needs }) => {
    const headers = via === 'api_key' ? { 'x-api-key': keyOf[role]! } : { authorization: `Bearer ${tokenOf[role]!}` };
    const res = await gateway.app.inject({ method, url, headers, ...(method === 'POST' ? { payload: url.endsWith('tokens') ? { role: 'readonly' } : {} } : {}) });
    if (RANK[role] >= RANK[needs]) {
      expect([200, 201, 400, 404]).toContain(res.statusCode); // past the gateway: the route's own answer
      expect(res.headers.ratelimit).toMatch(/^"(read|write|expensive)";r=\d+;t=\d+$/);
    } else {
      expect(res.statusCode).toBe(403);
      expect(res.json()).toMatchObject({ code: 'GATEWAY_ERR_AUTH_FORBIDDEN' });
    }
  });

  it.each(ROUTES)('no credentials → 401 with WWW-Authenticate on $method $url', async ({ method, url }) => {
    const res = await gateway.app.inject({ method, url });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toContain('Bearer');
    expect(res.json().code).toBe('GATEWAY_ERR_AUTH_REQUIRED');
  });

  it('refuses unknown, malformed and tampered credentials with 401', async () => {
    const key = keyOf.admin!;
    const forged = key.slice(0, -4) + (key.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    for (const headers of [{ 'x-api-key': forged }, { 'x-api-key': 'mxk_nothing' }, { authorization: 'Bearer not.a.jwt' }, { authorization: `Bearer ${tokenOf.readonly!.slice(0, -2)}xx` }]) {
      const res = await gateway.app.inject({ method: 'GET', url: '/api/v1/keys', headers });
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toBeDefined();
    }
  });

  it('never takes credentials from the query string', async () => {
    const res = await gateway.app.inject({ method: 'GET', url: `/core/api/v1/x?api_key=${keyOf.admin!}` });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('GATEWAY_ERR_AUTH_CREDENTIALS_IN_QUERY');
    expect(res.body).not.toContain(keyOf.admin!);
  });

  it('keeps the public routes public, and /metrics public on loopback only', async () => {
    for (const url of ['/health', '/ready', '/openapi.json', '/core/health', '/core/openapi.json', '/metrics', '/.well-known/jwks.json']) {
      expect((await gateway.app.inject({ method: 'GET', url })).statusCode, url).toBe(200);
    }
    const remote = await gateway.app.inject({ method: 'GET', url: '/metrics', remoteAddress: '10.1.2.3' });
    expect(remote.statusCode).toBe(403);
    expect(remote.json().code).toBe('GATEWAY_ERR_METRICS_FORBIDDEN');
  });

  it('stores keys as SHA-256 digests only, and revocation holds on the next request', async () => {
    const created = await gateway.app.inject({ method: 'POST', url: '/api/v1/keys', headers: { 'x-api-key': keyOf.admin! }, payload: { name: 'to-revoke', role: 'operator' } });
    expect(created.statusCode).toBe(201);
    const { id, key } = created.json<{ id: string; key: string }>();
    const { rows } = await gateway.platform.db.query<Record<string, unknown>>('SELECT * FROM gateway.api_keys WHERE id = $1', [id]);
    // The secret part (base64url: it may itself contain '_') is nowhere in the row.
    const secret = /^mxk_[0-9a-f]{12}_(.{43})$/.exec(key)![1]!;
    expect(JSON.stringify(rows)).not.toContain(secret);
    expect(Buffer.from(rows[0]!.digest as Uint8Array).equals(createHash('sha256').update(key).digest())).toBe(true);
    const use = () => gateway.app.inject({ method: 'GET', url: '/core/api/v1/anything', headers: { 'x-api-key': key } });
    expect((await use()).statusCode).toBe(404);
    const list = await gateway.app.inject({ method: 'GET', url: '/api/v1/keys', headers: { 'x-api-key': keyOf.admin! } });
    expect(list.body).not.toContain(key);
    expect((await gateway.app.inject({ method: 'DELETE', url: `/api/v1/keys/${id}`, headers: { 'x-api-key': keyOf.admin! } })).statusCode).toBe(200);
    expect((await use()).statusCode).toBe(401);
  });

  it('replays a retried POST with the same Idempotency-Key: three tries, one key created', async () => {
    const before = await gateway.security.keys.list();
    const send = (body: object) =>
      gateway.app.inject({ method: 'POST', url: '/api/v1/keys', headers: { 'x-api-key': keyOf.admin!, 'idempotency-key': 'create-ci-key-1' }, payload: body });
    const answers = [await send({ name: 'ci', role: 'readonly' }), await send({ name: 'ci', role: 'readonly' }), await send({ name: 'ci', role: 'readonly' })];
    expect(answers.map((a) => a.statusCode)).toEqual([201, 201, 201]);
    expect(new Set(answers.map((a) => a.json<{ id: string }>().id)).size).toBe(1);
    expect(answers[0]!.headers['idempotent-replayed']).toBeUndefined();
    expect(answers[1]!.headers['idempotent-replayed']).toBe('true');
    expect((await gateway.security.keys.list()).length).toBe(before.length + 1);
    const other = await send({ name: 'ci', role: 'admin' });
    expect(other.statusCode).toBe(422);
    expect(other.json().code).toBe('GATEWAY_ERR_IDEMPOTENCY_KEY_REUSED');
    // The key belongs to its principal: another caller's same key is another request.
    const byOperator = await gateway.app.inject({ method: 'POST', url: '/api/v1/tokens', headers: { 'x-api-key': keyOf.operator!, 'idempotency-key': 'create-ci-key-1' }, payload: { role: 'readonly' } });
    expect(byOperator.statusCode).toBe(403);
  });

  it('mints tokens only within the maximum TTL', async () => {
    const res = await gateway.app.inject({ method: 'POST', url: '/api/v1/tokens', headers: { 'x-api-key': keyOf.admin! }, payload: { role: 'readonly', ttl: '30d' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('GATEWAY_ERR_TOKEN_TTL_TOO_LONG');
  });
});

describe.skipIf(!TEST_DATABASE_URL)('two gateway processes on one PostgreSQL', () => {
  let database: { url: string; drop: () => Promise<void> };
  let first: RunningGateway;
  let second: ChildProcess;
  let secondUrl: string;
  const env = () => ({ DATABASE_URL: database.url, MAXIMUS_SECRET: 'a shared test secret of the platform', MAXIMUS_LOG_LEVEL: 'silent' });
  beforeAll(async () => {
    database = await freshPostgresUrl();
    first = await runConnected({ env: { ...env() }, port: 0 });
    second = spawn(process.execPath, [new URL('../apps/cli/bin/maximus.js', import.meta.url).pathname, 'serve', 'gateway', '--port', '0'], {
      env: { ...process.env, ...env() },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    secondUrl = await new Promise<string>((resolve, reject) => {
      createInterface({ input: second.stderr! }).on('line', (line) => {
        const url = /(http:\/\/127\.0\.0\.1:\d+)/.exec(line)?.[1];
        if (url) resolve(url);
      });
      second.once('exit', (code) => reject(new Error(`second gateway exited with ${code}`)));
    });
  });
  afterAll(async () => {
    second?.kill('SIGTERM');
    await first?.close();
    await database?.drop();
  });

  it('a key created on one is accepted by the other, and a revocation on one holds on the other at once', async () => {
    const { bootstrapApiKey } = await import('@maximus/gateway');
    const admin = await bootstrapApiKey({ env: env() }, { name: 'admin', role: 'admin' });
    const created = await fetch(`${first.url}/api/v1/keys`, { method: 'POST', headers: { 'x-api-key': admin.key, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'ops', role: 'operator' }) });
    const { id, key } = (await created.json()) as { id: string; key: string };
    const useOnSecond = () => fetch(`${secondUrl}/api/v1/keys`, { headers: { 'x-api-key': key } }).then((r) => r.status);
    expect(await useOnSecond()).toBe(403); // known to the second gateway: authenticated, an operator may not list keys
    expect((await fetch(`${first.url}/api/v1/keys/${id}`, { method: 'DELETE', headers: { 'x-api-key': admin.key } })).status).toBe(200);
    expect(await useOnSecond()).toBe(401);
  });

  it('both verify the tokens either mints (one signing key, shared through the database, encrypted)', async () => {
    const { bootstrapApiKey } = await import('@maximus/gateway');
    const admin = await bootstrapApiKey({ env: env() }, { name: 'admin2', role: 'admin' });
    const minted = await fetch(`${secondUrl}/api/v1/tokens`, { method: 'POST', headers: { 'x-api-key': admin.key, 'content-type': 'application/json' }, body: JSON.stringify({ role: 'admin', ttl: 60 }) });
    const { token } = (await minted.json()) as { token: string };
    expect((await fetch(`${first.url}/api/v1/keys`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    const { rows } = await client.query<{ name: string; ciphertext: Buffer }>('SELECT name, ciphertext FROM platform.secrets');
    await client.end();
    expect(rows.map((r) => r.name)).toEqual(expect.arrayContaining(['jwt-signing-key', 'internal-hmac']));
  });
});

describe('bootstrapping the first admin', () => {
  it('MAXIMUS_BOOTSTRAP_ADMIN_KEY is stored at start and works; no other admin key is created', async () => {
    const key = `mxk_${'0123456789ab'}_${Buffer.alloc(32, 7).toString('base64url')}`;
    const gateway = await embeddedGateway({ MAXIMUS_BOOTSTRAP_ADMIN_KEY: key });
    try {
      expect(gateway.security.createdAdminKey).toBeUndefined();
      const list = await gateway.app.inject({ method: 'GET', url: '/api/v1/keys', headers: { 'x-api-key': key } });
      expect(list.statusCode).toBe(200);
      expect(list.json<{ data: { id: string; name: string; role: string }[] }>().data).toEqual([expect.objectContaining({ id: '0123456789ab', name: 'bootstrap-admin', role: 'admin' })]);
      // Recorded once, as every key creation is (the outbox row waits for the relay).
      const { rows } = await gateway.platform.db.query<{ topic: string }>("SELECT topic FROM gateway.outbox WHERE payload->>'key_id' = '0123456789ab'");
      expect(rows.map((r) => r.topic)).toEqual(['audit.key.created']);
    } finally {
      await gateway.close();
    }
  });

  it('MAXIMUS_AUTH=off serves every route as an anonymous admin', async () => {
    const gateway = await embeddedGateway({ MAXIMUS_AUTH: 'off' });
    try {
      expect(gateway.security.createdAdminKey).toBeUndefined();
      const res = await gateway.app.inject({ method: 'GET', url: '/api/v1/keys' });
      expect(res.statusCode).toBe(200);
    } finally {
      await gateway.close();
    }
  });
});
