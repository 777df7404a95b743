import { spawnSync } from 'node:child_process';
import { createHmac, createPrivateKey, createPublicKey, generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '@maximus/kit/db';
import { openSecrets, type SecretStore } from '@maximus/kit/secrets';
import { freshPglite, silentLog, tempDir } from '../../../../test/helpers.js';
import { createTokenService, SIGNING_KEY_SECRET, type TokenService } from './tokens.js';

/*
 * Every forged, stale or misdirected token is refused with GATEWAY_ERR_AUTH_TOKEN_INVALID (401), and
 * tokens made by an independent signer (the openssl CLI, no jose, none of our code) are accepted.
 * Tokens here are assembled by hand: header and payload JSON, base64url, a signature over `h.p`.
 */

const OWN = { issuer: 'maximus', audience: 'maximus' };
const EXTERNAL = { issuer: 'https://idp.test', audience: 'maximus-external' };
const ROLE_CLAIM = 'maximus_role';

const hasOpenssl = spawnSync('openssl', ['version'], { encoding: 'utf8' }).status === 0;
const hasPython = spawnSync('python3', ['-c', 'import hmac, hashlib, base64'], { encoding: 'utf8' }).status === 0;

const b64 = (value: object | Buffer): string => (Buffer.isBuffer(value) ? value : Buffer.from(JSON.stringify(value))).toString('base64url');

function unsigned(header: object, payload: object): string {
  return `${b64(header)}.${b64(payload)}`;
}

/** Signs with node:crypto: Ed25519 when `key` is one, else RSA PKCS#1 v1.5 with SHA-256. */
function signed(header: object, payload: object, key: KeyObject): string {
  const input = unsigned(header, payload);
  const signature = sign(key.asymmetricKeyType === 'ed25519' ? null : 'sha256', Buffer.from(input), key);
  return `${input}.${b64(signature)}`;
}

function hs256(header: object, payload: object, secret: Buffer | string): string {
  const input = unsigned({ ...header, alg: 'HS256' }, payload);
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return { iss: OWN.issuer, aud: OWN.audience, sub: 'mallory', role: 'readonly', iat: now, nbf: now, exp: now + 600, jti: randomUUID(), ...overrides };
}

function run(command: string, args: string[], input?: string): string {
  const result = spawnSync(command, args, { encoding: 'utf8', input });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

/** Keys and signatures made by the openssl CLI only; the JWKs are built from its output bytes. */
class OpensslSigner {
  readonly dir = tempDir('openssl');

  constructor(readonly kind: 'ed25519' | 'rsa', readonly kid: string) {
    const key = join(this.dir, 'key.pem');
    if (kind === 'ed25519') run('openssl', ['genpkey', '-algorithm', 'ed25519', '-out', key]);
    else run('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', key]);
    run('openssl', ['pkey', '-in', key, '-pubout', '-out', this.publicPem]);
  }

  get publicPem(): string {
    return join(this.dir, 'public.pem');
  }

  jwk(): Record<string, string> {
    if (this.kind === 'ed25519') {
      const der = readDer(this.publicPem);
      // SubjectPublicKeyInfo of Ed25519: a fixed 12-byte prefix, then the 32-byte key.
      expect(der.subarray(0, 12).toString('hex')).toBe('302a300506032b6570032100');
      return { kty: 'OKP', crv: 'Ed25519', x: b64(der.subarray(12)), kid: this.kid, use: 'sig' };
    }
    const text = run('openssl', ['rsa', '-pubin', '-in', this.publicPem, '-noout', '-text']);
    const modulus = run('openssl', ['rsa', '-pubin', '-in', this.publicPem, '-noout', '-modulus']).trim().replace(/^Modulus=/, '');
    const exponent = Number(/Exponent: (\d+)/.exec(text)?.[1]);
    const e = Buffer.from(exponent.toString(16).padStart(exponent.toString(16).length + (exponent.toString(16).length % 2), '0'), 'hex');
    return { kty: 'RSA', n: b64(Buffer.from(modulus, 'hex')), e: b64(e), kid: this.kid, use: 'sig' };
  }

  /** A compact JWS over `payload`, the signature computed by `openssl pkeyutl -rawin` (Ed25519) or `openssl dgst -sha256 -sign` (RS256). */
  token(payload: object): string {
    const input = unsigned({ alg: this.kind === 'ed25519' ? 'EdDSA' : 'RS256', typ: 'JWT', kid: this.kid }, payload);
    const inputFile = join(this.dir, `input-${randomUUID()}`);
    const signatureFile = `${inputFile}.sig`;
    writeFileSync(inputFile, input);
    const key = join(this.dir, 'key.pem');
    if (this.kind === 'ed25519') run('openssl', ['pkeyutl', '-sign', '-rawin', '-inkey', key, '-in', inputFile, '-out', signatureFile]);
    else run('openssl', ['dgst', '-sha256', '-sign', key, '-out', signatureFile, inputFile]);
    return `${input}.${b64(readFileSync(signatureFile))}`;
  }
}

function readDer(publicPem: string): Buffer {
  const out = join(dirname(publicPem), 'public.der');
  run('openssl', ['pkey', '-pubin', '-in', publicPem, '-outform', 'DER', '-out', out]);
  return readFileSync(out);
}

/** HMAC-SHA256 by Python's `hmac` (an independent implementation), else node:crypto. */
function independentHs256(input: string, secretFile: string): string {
  if (!hasPython) return createHmac('sha256', readFileSync(secretFile)).update(input).digest('base64url');
  const script = [
    'import base64, hashlib, hmac, sys',
    'key = open(sys.argv[1], "rb").read()',
    'mac = hmac.new(key, sys.stdin.buffer.read(), hashlib.sha256).digest()',
    'sys.stdout.write(base64.urlsafe_b64encode(mac).rstrip(b"=").decode())',
  ].join('\n');
  return run('python3', ['-c', script, secretFile], input);
}

async function refusal(tokens: TokenService, token: string): Promise<string> {
  try {
    await tokens.verify(token);
  } catch (error) {
    const e = error as { code?: string; statusCode?: number; message: string };
    expect(e.code).toBe('GATEWAY_ERR_AUTH_TOKEN_INVALID');
    expect(e.statusCode).toBe(401);
    // Never echo the token, or any of its parts.
    for (const piece of token.split('.').filter((p) => p.length > 8)) expect(e.message).not.toContain(piece);
    const reason = /^The bearer token is not valid: (.+)$/.exec(e.message)?.[1];
    expect(reason, e.message).toBeDefined();
    return reason!;
  }
  throw new Error('the token was accepted');
}

describe('JWT attacks', () => {
  let db: Database;
  let secrets: SecretStore;
  let tokens: TokenService;
  let ownKey: KeyObject;
  let server: Server;
  let jwksRequests = 0;
  const jwks: { keys: Record<string, string>[] } = { keys: [] };
  const externalKey = generateKeyPairSync('ed25519').privateKey;
  let edSigner: OpensslSigner | undefined;
  let rsaSigner: OpensslSigner | undefined;

  beforeAll(async () => {
    jwks.keys.push({ ...(createPublicKey(externalKey).export({ format: 'jwk' }) as Record<string, string>), kid: 'node-ed', use: 'sig' });
    if (hasOpenssl) {
      edSigner = new OpensslSigner('ed25519', 'openssl-ed');
      rsaSigner = new OpensslSigner('rsa', 'openssl-rsa');
      jwks.keys.push(edSigner.jwk(), rsaSigner.jwk());
    }
    server = createServer((_req, res) => {
      jwksRequests += 1;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(jwks));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    db = await freshPglite();
    secrets = await openSecrets({ db, secret: 'jwt attacks secret' });
    tokens = await createTokenService({
      secrets,
      log: silentLog,
      jwt: { ...OWN, maxTtlSeconds: 3600, roleClaim: ROLE_CLAIM, external: { jwksUrl: `http://127.0.0.1:${port}/.well-known/jwks.json`, ...EXTERNAL } },
    });
    ownKey = createPrivateKey({ key: (await secrets.get(SIGNING_KEY_SECRET))!, format: 'der', type: 'pkcs8' });
  });
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await db?.close();
  });

  const header = () => ({ alg: 'EdDSA', typ: 'JWT', kid: tokens.keyId });

  it('accepts a token hand-signed with the platform key (the forgeries below differ from it in one way each)', async () => {
    expect(await tokens.verify(signed(header(), claims({ role: 'operator' }), ownKey))).toEqual({
      id: 'user:mallory',
      kind: 'user',
      role: 'operator',
      via: 'jwt',
      subject: 'mallory',
    });
  });

  it('refuses alg "none" (no signature, or a signature kept)', async () => {
    const input = unsigned({ alg: 'none', typ: 'JWT', kid: tokens.keyId }, claims({ role: 'admin' }));
    expect(await refusal(tokens, `${input}.`)).toBe('algorithm not allowed');
    const real = signed(header(), claims({ role: 'admin' }), ownKey);
    expect(await refusal(tokens, `${input}.${real.split('.')[2]}`)).toBe('algorithm not allowed');
    for (const alg of ['None', 'NONE']) expect(await refusal(tokens, `${unsigned({ alg, kid: tokens.keyId }, claims())}.`)).toBe('algorithm not allowed');
  });

  it('refuses HS256 signed with the platform public key as the HMAC secret (algorithm confusion)', async () => {
    const publicKey = createPublicKey(ownKey);
    const jwk = tokens.jwks().keys[0]!;
    const secretsToTry: (Buffer | string)[] = [
      Buffer.from(jwk.x!, 'base64url'),
      jwk.x!,
      JSON.stringify(jwk),
      publicKey.export({ format: 'pem', type: 'spki' }),
      publicKey.export({ format: 'der', type: 'spki' }),
    ];
    for (const secret of secretsToTry) expect(await refusal(tokens, hs256(header(), claims({ role: 'admin' }), secret))).toBe('algorithm not allowed');
  });

  it('refuses an expired token, allowing 5 s of clock skew', async () => {
    const now = Math.floor(Date.now() / 1000);
    expect(await refusal(tokens, signed(header(), claims({ iat: now - 120, nbf: now - 120, exp: now - 60 }), ownKey))).toBe('expired');
    expect((await tokens.verify(signed(header(), claims({ iat: now - 120, nbf: now - 120, exp: now - 2 }), ownKey))).subject).toBe('mallory');
  });

  it('refuses a token that is not yet valid (nbf in the future)', async () => {
    const now = Math.floor(Date.now() / 1000);
    expect(await refusal(tokens, signed(header(), claims({ nbf: now + 60 }), ownKey))).toBe('not yet valid');
  });

  it('refuses a wrong or missing issuer, and a wrong or missing audience', async () => {
    expect(await refusal(tokens, signed(header(), claims({ iss: 'someone-else' }), ownKey))).toBe('wrong issuer');
    expect(await refusal(tokens, signed(header(), claims({ iss: undefined }), ownKey))).toBe('wrong issuer');
    expect(await refusal(tokens, signed(header(), claims({ aud: 'another-api' }), ownKey))).toBe('wrong audience');
    expect(await refusal(tokens, signed(header(), claims({ aud: undefined }), ownKey))).toBe('wrong audience');
  });

  it('refuses a tampered payload (role raised to admin, signature kept)', async () => {
    const { token } = await tokens.mint({ role: 'readonly', subject: 'mallory', ttlSeconds: 600 });
    const [h, p, s] = token.split('.');
    const payload = JSON.parse(Buffer.from(p!, 'base64url').toString()) as Record<string, unknown>;
    expect(await refusal(tokens, `${h}.${b64({ ...payload, role: 'admin' })}.${s}`)).toBe('bad signature');
    // The original still passes: the refusal is the tampering's doing.
    expect((await tokens.verify(token)).role).toBe('readonly');
  });

  it('refuses an unknown or missing kid, and another key claiming the platform kid', async () => {
    expect(await refusal(tokens, signed({ ...header(), kid: 'some-other-key' }, claims(), ownKey))).toBe('unknown key');
    expect(await refusal(tokens, signed({ alg: 'EdDSA', typ: 'JWT' }, claims(), ownKey))).toBe('unknown key');
    const impostor = generateKeyPairSync('ed25519').privateKey;
    expect(await refusal(tokens, signed(header(), claims({ role: 'admin' }), impostor))).toBe('bad signature');
  });

  it('refuses malformed tokens and claims', async () => {
    for (const token of ['', 'abc', 'a.b.c', 'a.b', `${b64({ alg: 'EdDSA' })}.not-json.sig`, 'x'.repeat(10_000)]) {
      expect(await refusal(tokens, token)).toBe('malformed');
    }
    expect(await refusal(tokens, signed(header(), claims({ role: 'superuser' }), ownKey))).toBe('invalid claims');
    expect(await refusal(tokens, signed(header(), claims({ sub: undefined }), ownKey))).toBe('invalid claims');
    expect(await refusal(tokens, signed(header(), claims({ exp: undefined }), ownKey))).toBe('invalid claims');
  });

  describe('external issuer', () => {
    const external = (overrides: Record<string, unknown> = {}) => claims({ iss: EXTERNAL.issuer, aud: EXTERNAL.audience, sub: 'ext-user', role: undefined, ...overrides });

    it('accepts its tokens, the role taken from the configured claim (anything unknown is readonly)', async () => {
      const head = { alg: 'EdDSA', typ: 'JWT', kid: 'node-ed' };
      expect(await tokens.verify(signed(head, external({ [ROLE_CLAIM]: 'admin' }), externalKey))).toEqual({
        id: 'user:ext-user',
        kind: 'user',
        role: 'admin',
        via: 'jwt',
        subject: 'ext-user',
      });
      expect((await tokens.verify(signed(head, external({ [ROLE_CLAIM]: 'superuser', role: 'admin' }), externalKey))).role).toBe('readonly');
      expect((await tokens.verify(signed(head, external(), externalKey))).role).toBe('readonly');
      expect((await tokens.verify(signed(head, external({ [ROLE_CLAIM]: ['readonly', 'operator'] }), externalKey))).role).toBe('operator');
    });

    it('refuses a token of the external issuer signed by a different key', async () => {
      const other = generateKeyPairSync('ed25519').privateKey;
      expect(await refusal(tokens, signed({ alg: 'EdDSA', typ: 'JWT', kid: 'node-ed' }, external({ [ROLE_CLAIM]: 'admin' }), other))).toBe('bad signature');
      expect(await refusal(tokens, signed({ alg: 'EdDSA', typ: 'JWT', kid: 'not-in-the-jwks' }, external(), other))).toBe('unknown key');
    });

    it('refuses the external issuer\'s token for another audience, expired, or signed with the platform key', async () => {
      const head = { alg: 'EdDSA', typ: 'JWT', kid: 'node-ed' };
      expect(await refusal(tokens, signed(head, external({ aud: OWN.audience }), externalKey))).toBe('wrong audience');
      const now = Math.floor(Date.now() / 1000);
      expect(await refusal(tokens, signed(head, external({ exp: now - 60 }), externalKey))).toBe('expired');
      expect(await refusal(tokens, signed(header(), external({ [ROLE_CLAIM]: 'admin' }), ownKey))).toBe('unknown key');
      expect(await refusal(tokens, `${unsigned({ alg: 'none', kid: 'node-ed' }, external())}.`)).toBe('algorithm not allowed');
    });

    it('does not accept the platform issuer\'s claims signed by the external issuer\'s key', async () => {
      expect(await refusal(tokens, signed({ alg: 'EdDSA', typ: 'JWT', kid: 'node-ed' }, claims({ role: 'admin' }), externalKey))).toBe('unknown key');
    });

    describe.skipIf(!hasOpenssl)('independent signer (openssl CLI)', () => {
      it('accepts an Ed25519 token signed by `openssl pkeyutl -sign -rawin`', async () => {
        const token = edSigner!.token(external({ sub: 'openssl-ed', [ROLE_CLAIM]: 'operator' }));
        expect(await tokens.verify(token)).toEqual({ id: 'user:openssl-ed', kind: 'user', role: 'operator', via: 'jwt', subject: 'openssl-ed' });
        expect(jwksRequests).toBeGreaterThan(0);
      });

      it('accepts an RS256 token signed by `openssl dgst -sha256 -sign`', async () => {
        const token = rsaSigner!.token(external({ sub: 'openssl-rsa', [ROLE_CLAIM]: 'admin' }));
        expect(part(token, 0)).toEqual({ alg: 'RS256', typ: 'JWT', kid: 'openssl-rsa' });
        expect(await tokens.verify(token)).toMatchObject({ id: 'user:openssl-rsa', role: 'admin' });
      });

      it('refuses the same RS256 token re-signed as HS256 with the RSA public key PEM as the HMAC secret', async () => {
        const payload = external({ sub: 'openssl-rsa', [ROLE_CLAIM]: 'admin' });
        expect((await tokens.verify(rsaSigner!.token(payload))).role).toBe('admin');
        const input = unsigned({ alg: 'HS256', typ: 'JWT', kid: 'openssl-rsa' }, payload);
        const forged = `${input}.${independentHs256(input, rsaSigner!.publicPem)}`;
        // The forgery is a correct HMAC: node agrees with Python on it.
        expect(forged).toBe(hs256({ alg: 'HS256', typ: 'JWT', kid: 'openssl-rsa' }, payload, readFileSync(rsaSigner!.publicPem)));
        expect(await refusal(tokens, forged)).toBe('algorithm not allowed');
        // Without the kid too (a verifier could fall back to "any key of the set").
        const bare = unsigned({ alg: 'HS256', typ: 'JWT' }, payload);
        expect(await refusal(tokens, `${bare}.${independentHs256(bare, rsaSigner!.publicPem)}`)).toBe('algorithm not allowed');
      });
    });
  });
});

function part(token: string, index: number): unknown {
  return JSON.parse(Buffer.from(token.split('.')[index]!, 'base64url').toString('utf8'));
}
