import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify as verifySignature } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '@maximus/kit/db';
import { createLogger } from '@maximus/kit/logger';
import { openSecrets, type SecretStore } from '@maximus/kit/secrets';
import { freshPglite, silentLog } from '../../../../test/helpers.js';
import { createTokenService, SIGNING_KEY_SECRET, type TokenService, type TokenServiceOptions } from './tokens.js';

const jwt: TokenServiceOptions['jwt'] = { issuer: 'maximus', audience: 'maximus', maxTtlSeconds: 3600, roleClaim: 'role', external: undefined };

function part(token: string, index: number): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[index]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}

async function failure(promise: Promise<unknown>): Promise<{ code?: string; statusCode?: number; message: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { code?: string; statusCode?: number; message: string };
  }
  throw new Error('expected a failure');
}

describe('platform tokens', () => {
  let db: Database;
  let secrets: SecretStore;
  let tokens: TokenService;

  beforeAll(async () => {
    db = await freshPglite();
    secrets = await openSecrets({ db, secret: 'tokens test secret' });
    tokens = await createTokenService({ secrets, jwt, log: silentLog });
  });
  afterAll(async () => {
    await db?.close();
  });

  it('mints an EdDSA JWT with the documented claims, which verify() turns into the principal', async () => {
    const before = Math.floor(Date.now() / 1000);
    const created = await tokens.mint({ role: 'operator', subject: 'alice', ttlSeconds: 600 });
    expect(created).toMatchObject({ token_type: 'Bearer', role: 'operator', subject: 'alice' });
    expect(part(created.token, 0)).toEqual({ alg: 'EdDSA', kid: tokens.keyId, typ: 'JWT' });
    const claims = part(created.token, 1);
    expect(claims).toMatchObject({ iss: 'maximus', aud: 'maximus', sub: 'alice', role: 'operator' });
    expect(claims.iat).toBeGreaterThanOrEqual(before);
    expect(claims.nbf).toBe(claims.iat);
    expect(claims.exp).toBe((claims.iat as number) + 600);
    expect(claims.jti).toMatch(/^[0-9a-f-]{36}$/);
    expect(Date.parse(created.expires_at)).toBe((claims.exp as number) * 1000);
    expect(await tokens.verify(created.token)).toEqual({ id: 'user:alice', kind: 'user', role: 'operator', via: 'jwt', subject: 'alice' });
  });

  it('gives every token its own jti', async () => {
    const [a, b] = await Promise.all([0, 1].map(() => tokens.mint({ role: 'readonly', subject: 'bob', ttlSeconds: 60 })));
    expect(part(a!.token, 1).jti).not.toBe(part(b!.token, 1).jti);
  });

  it('publishes the public key only, with kid = its RFC 7638 thumbprint, and signs so that node:crypto verifies', async () => {
    const { keys } = tokens.jwks();
    expect(keys).toHaveLength(1);
    const key = keys[0]!;
    expect(key).toMatchObject({ kty: 'OKP', crv: 'Ed25519', kid: tokens.keyId, alg: 'EdDSA', use: 'sig' });
    expect(key).not.toHaveProperty('d');
    // RFC 7638 §3.2: the required members, sorted, no whitespace.
    const thumbprint = createHash('sha256').update(`{"crv":"Ed25519","kty":"OKP","x":"${key.x}"}`).digest('base64url');
    expect(tokens.keyId).toBe(thumbprint);
    const { token } = await tokens.mint({ role: 'readonly', subject: 'carol', ttlSeconds: 60 });
    const [header, payload, signature] = token.split('.');
    const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: key.x! }, format: 'jwk' });
    expect(verifySignature(null, Buffer.from(`${header}.${payload}`), publicKey, Buffer.from(signature!, 'base64url'))).toBe(true);
  });

  it('keeps the signing key in the secret store as an Ed25519 PKCS#8 key, encrypted', async () => {
    const der = await secrets.get(SIGNING_KEY_SECRET);
    expect(der).toBeDefined();
    expect(createPrivateKey({ key: der!, format: 'der', type: 'pkcs8' }).asymmetricKeyType).toBe('ed25519');
    const { rows } = await db.query<{ ciphertext: Uint8Array }>('SELECT ciphertext FROM platform.secrets WHERE name = $1', [SIGNING_KEY_SECRET]);
    expect(Buffer.from(rows[0]!.ciphertext).includes(der!.subarray(-32))).toBe(false);
  });

  it('refuses a lifetime above MAXIMUS_JWT_MAX_TTL_SECONDS with a 400, and allows exactly the limit', async () => {
    const error = await failure(tokens.mint({ role: 'admin', subject: 'dave', ttlSeconds: 3601 }));
    expect(error.code).toBe('GATEWAY_ERR_TOKEN_TTL_TOO_LONG');
    expect(error.statusCode).toBe(400);
    expect(error.message).toContain('3600');
    const created = await tokens.mint({ role: 'admin', subject: 'dave', ttlSeconds: 3600 });
    expect((await tokens.verify(created.token)).role).toBe('admin');
    for (const ttlSeconds of [0, -5, 1.5]) {
      expect((await failure(tokens.mint({ role: 'admin', subject: 'dave', ttlSeconds }))).code).toBe('KIT_ERR_REQUEST_VALIDATION');
    }
    expect((await failure(tokens.mint({ role: 'admin', subject: '', ttlSeconds: 60 }))).code).toBe('KIT_ERR_REQUEST_VALIDATION');
  });

  it('lets two token services on one secret store, and a replica with its own store, verify each other\'s tokens', async () => {
    const second = await createTokenService({ secrets, jwt, log: silentLog });
    const replica = await createTokenService({ secrets: await openSecrets({ db, secret: 'tokens test secret' }), jwt, log: silentLog });
    expect(second.keyId).toBe(tokens.keyId);
    expect(replica.keyId).toBe(tokens.keyId);
    const services = [tokens, second, replica];
    for (const signer of services) {
      const { token } = await signer.mint({ role: 'readonly', subject: 'erin', ttlSeconds: 60 });
      for (const verifier of services) expect((await verifier.verify(token)).subject).toBe('erin');
    }
  });

  it('creates one key when two services start together on a fresh database', async () => {
    const fresh = await freshPglite();
    try {
      const store = await openSecrets({ db: fresh, secret: 'fresh secret' });
      const [a, b] = await Promise.all([createTokenService({ secrets: store, jwt, log: silentLog }), createTokenService({ secrets: store, jwt, log: silentLog })]);
      expect(a.keyId).toBe(b.keyId);
      expect(a.keyId).not.toBe(tokens.keyId);
      // A token of another platform (another key) is refused here.
      const { token } = await a.mint({ role: 'admin', subject: 'frank', ttlSeconds: 60 });
      expect((await failure(tokens.verify(token))).message).toContain('unknown key');
    } finally {
      await fresh.close();
    }
  });

  it('refuses an external token with a 401 and logs a warning (without the token) when the issuer\'s JWKS is unreachable', async () => {
    const lines: string[] = [];
    const destination = new PassThrough();
    destination.on('data', (chunk: Buffer) => lines.push(chunk.toString()));
    const log = createLogger({ level: 'warn', destination });
    // Port 1 on loopback: nothing listens, the connection is refused at once.
    const external = { jwksUrl: 'http://127.0.0.1:1/jwks.json', issuer: 'https://idp.down', audience: 'maximus' };
    const service = await createTokenService({ secrets, jwt: { ...jwt, external }, log });
    const now = Math.floor(Date.now() / 1000);
    const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const input = `${b64({ alg: 'EdDSA', typ: 'JWT', kid: 'k1' })}.${b64({ iss: external.issuer, aud: 'maximus', sub: 'gina', iat: now, exp: now + 60 })}`;
    const token = `${input}.${sign(null, Buffer.from(input), generateKeyPairSync('ed25519').privateKey).toString('base64url')}`;
    const error = await failure(service.verify(token));
    expect(error.code).toBe('GATEWAY_ERR_AUTH_TOKEN_INVALID');
    expect(error.statusCode).toBe(401);
    expect(error.message).toBe('The bearer token is not valid: issuer keys unavailable');
    // Its own tokens are unaffected.
    const { token: own } = await service.mint({ role: 'readonly', subject: 'gina', ttlSeconds: 60 });
    expect((await service.verify(own)).subject).toBe('gina');
    await new Promise((resolve) => setImmediate(resolve));
    const warning = lines.map((line) => JSON.parse(line) as { level: string; msg: string; issuer?: string }).find((l) => l.msg === 'bearer token could not be verified');
    expect(warning).toMatchObject({ level: 'warn', issuer: 'https://idp.down' });
    expect(lines.join('')).not.toContain(token.split('.')[1]!);
  });
});
