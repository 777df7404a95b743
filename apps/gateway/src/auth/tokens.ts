import { createPrivateKey, createPublicKey, generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import {
  calculateJwkThumbprint,
  createRemoteJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  exportJWK,
  jwtVerify,
  SignJWT,
  type JWK,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import { ROLES, type Principal, type Role, type TokenCreated } from '@maximus/contracts';
import type { ResolvedConfig } from '@maximus/kit/config';
import { createError, KitErrors } from '@maximus/kit/errors';
import type { Logger } from '@maximus/kit/logger';
import type { SecretStore } from '@maximus/kit/secrets';

export const TokenErrors = {
  TtlTooLong: createError('GATEWAY_ERR_TOKEN_TTL_TOO_LONG', 'A token may live at most %s seconds (MAXIMUS_JWT_MAX_TTL_SECONDS); %s were asked for', 400),
  /** One code for every refused bearer token; the reason is short and never repeats the token. */
  Invalid: createError('GATEWAY_ERR_AUTH_TOKEN_INVALID', 'The bearer token is not valid: %s', 401),
} as const;

/** Why a token was refused, as the 401's detail says it. */
export type TokenRefusal =
  | 'expired'
  | 'not yet valid'
  | 'bad signature'
  | 'wrong issuer'
  | 'wrong audience'
  | 'unknown key'
  | 'malformed'
  | 'algorithm not allowed'
  | 'invalid claims'
  | 'issuer keys unavailable';

export interface TokenServiceOptions {
  /** Where the platform's Ed25519 key lives (created there on first use, shared by replicas). */
  secrets: SecretStore;
  jwt: ResolvedConfig['auth']['jwt'];
  log: Logger;
}

export interface MintParams {
  role: Role;
  /** `sub`; the principal is `user:<subject>`. */
  subject: string;
  /** Whole seconds, 1 to `jwt.maxTtlSeconds`. */
  ttlSeconds: number;
}

export interface TokenService {
  /** RFC 7638 thumbprint of the platform's public key: the `kid` of every token it mints. */
  readonly keyId: string;
  /**
   * A platform JWT (EdDSA) for `role` and `subject`.
   * @throws GATEWAY_ERR_TOKEN_TTL_TOO_LONG (400) when `ttlSeconds` is above `jwt.maxTtlSeconds`.
   * @throws KIT_ERR_REQUEST_VALIDATION (400) for a ttl below 1 s or not whole, or an empty subject.
   */
  mint(params: MintParams): Promise<TokenCreated>;
  /**
   * The principal of a platform token, or of the external issuer's when one is configured.
   * @throws GATEWAY_ERR_AUTH_TOKEN_INVALID (401) for every token that is not accepted.
   */
  verify(token: string): Promise<Principal>;
  /** The public key set (the platform's key only), for `/.well-known/jwks.json`. */
  jwks(): { keys: JWK[] };
}

/** Name of the platform's signing key (PKCS#8 DER) in the secret store. */
export const SIGNING_KEY_SECRET = 'jwt-signing-key';
/** Algorithms of the platform's own tokens. */
const OWN_ALGORITHMS = ['EdDSA'];
/** Algorithms accepted from the external issuer: asymmetric only, so a public key can never serve as an HMAC secret. */
export const EXTERNAL_ALGORITHMS = ['RS256', 'PS256', 'ES256', 'EdDSA'];
const CLOCK_TOLERANCE_SECONDS = 5;
/** Longer than any JWT this platform has reason to see; refused before parsing. */
const MAX_TOKEN_LENGTH = 8192;

function refuse(reason: TokenRefusal, cause?: unknown): Error {
  return cause === undefined ? new TokenErrors.Invalid(reason) : new TokenErrors.Invalid(reason, { cause });
}

/** Maps jose's error codes onto the short reasons of the 401. */
function reasonOf(error: unknown): TokenRefusal | undefined {
  const { code, claim } = error as { code?: string; claim?: string };
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      return 'expired';
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      return claim === 'nbf' ? 'not yet valid' : claim === 'iss' ? 'wrong issuer' : claim === 'aud' ? 'wrong audience' : 'invalid claims';
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return 'bad signature';
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
    case 'ERR_JOSE_NOT_SUPPORTED':
      return 'algorithm not allowed';
    case 'ERR_JWKS_NO_MATCHING_KEY':
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
      return 'unknown key';
    case 'ERR_JWS_INVALID':
    case 'ERR_JWT_INVALID':
      return 'malformed';
    case 'ERR_JWKS_TIMEOUT':
    case 'ERR_JWKS_INVALID':
      return 'issuer keys unavailable';
    default:
      return undefined;
  }
}

/** `admin`, `operator` or `readonly` from the external role claim (a string or a list: the highest wins); anything else is readonly. */
function externalRole(value: unknown): Role {
  const values = Array.isArray(value) ? value : [value];
  return ROLES.find((role) => values.includes(role)) ?? 'readonly';
}

function subjectOf(payload: JWTPayload): string {
  if (typeof payload.sub !== 'string' || payload.sub.length === 0) throw refuse('invalid claims');
  return payload.sub;
}

async function loadSigningKey(secrets: SecretStore): Promise<KeyObject> {
  const der = await secrets.getOrCreate(SIGNING_KEY_SECRET, () => generateKeyPairSync('ed25519').privateKey.export({ format: 'der', type: 'pkcs8' }));
  const key = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`secret ${SIGNING_KEY_SECRET} holds a ${key.asymmetricKeyType ?? 'non-asymmetric'} key, not Ed25519`);
  return key;
}

/**
 * The platform's token service: mints EdDSA JWTs with the Ed25519 key kept in the secret store (so
 * every gateway replica signs and verifies with the same key) and verifies them, and the external
 * issuer's tokens when `jwt.external` is configured.
 * @example
 * const tokens = await createTokenService({ secrets, jwt: config.auth.jwt, log });
 * const { token } = await tokens.mint({ role: 'readonly', subject: 'ci', ttlSeconds: 3600 });
 * const principal = await tokens.verify(token); // { id: 'user:ci', role: 'readonly', via: 'jwt', ... }
 */
export async function createTokenService(options: TokenServiceOptions): Promise<TokenService> {
  const { jwt, log } = options;
  const privateKey = await loadSigningKey(options.secrets);
  const publicKey = createPublicKey(privateKey);
  const publicJwk = await exportJWK(publicKey);
  const keyId = await calculateJwkThumbprint(publicJwk, 'sha256');
  const published: JWK = { ...publicJwk, kid: keyId, alg: 'EdDSA', use: 'sig' };
  const external = jwt.external;
  const remoteKeys: JWTVerifyGetKey | undefined = external ? createRemoteJWKSet(new URL(external.jwksUrl)) : undefined;
  log.info({ kid: keyId, externalIssuer: external?.issuer }, 'platform JWT signing key ready');

  async function verifyOwn(token: string, alg: unknown, kid: unknown): Promise<Principal> {
    if (typeof alg !== 'string' || !OWN_ALGORITHMS.includes(alg)) throw refuse('algorithm not allowed');
    if (kid !== keyId) throw refuse('unknown key');
    const { payload } = await jwtVerify(token, publicKey, {
      algorithms: OWN_ALGORITHMS,
      issuer: jwt.issuer,
      audience: jwt.audience,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      requiredClaims: ['sub', 'exp', 'iat'],
      typ: 'JWT',
    });
    const subject = subjectOf(payload);
    const role = payload.role;
    if (typeof role !== 'string' || !(ROLES as readonly string[]).includes(role)) throw refuse('invalid claims');
    return { id: `user:${subject}`, kind: 'user', role: role as Role, via: 'jwt', subject };
  }

  async function verifyExternal(token: string, alg: unknown, keys: JWTVerifyGetKey, issuer: string, audience: string): Promise<Principal> {
    if (typeof alg !== 'string' || !EXTERNAL_ALGORITHMS.includes(alg)) throw refuse('algorithm not allowed');
    const { payload } = await jwtVerify(token, keys, {
      algorithms: EXTERNAL_ALGORITHMS,
      issuer,
      audience,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      requiredClaims: ['sub', 'exp'],
    });
    const subject = subjectOf(payload);
    return { id: `user:${subject}`, kind: 'user', role: externalRole(payload[jwt.roleClaim]), via: 'jwt', subject };
  }

  return {
    keyId,

    async mint({ role, subject, ttlSeconds }) {
      if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1) throw new KitErrors.Validation('ttl must be a whole number of seconds, at least 1');
      if (ttlSeconds > jwt.maxTtlSeconds) throw new TokenErrors.TtlTooLong(String(jwt.maxTtlSeconds), String(ttlSeconds));
      if (!(ROLES as readonly string[]).includes(role)) throw new KitErrors.Validation(`role must be one of ${ROLES.join(', ')}`);
      if (typeof subject !== 'string' || subject.length === 0 || subject.length > 200) throw new KitErrors.Validation('subject must be 1 to 200 characters');
      const now = Math.floor(Date.now() / 1000);
      const exp = now + ttlSeconds;
      const token = await new SignJWT({ role })
        .setProtectedHeader({ alg: 'EdDSA', kid: keyId, typ: 'JWT' })
        .setIssuer(jwt.issuer)
        .setAudience(jwt.audience)
        .setSubject(subject)
        .setIssuedAt(now)
        .setNotBefore(now)
        .setExpirationTime(exp)
        .setJti(randomUUID())
        .sign(privateKey);
      return { token, token_type: 'Bearer', expires_at: new Date(exp * 1000).toISOString(), role, subject };
    },

    async verify(token) {
      if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) throw refuse('malformed');
      let header: { alg?: unknown; kid?: unknown };
      let issuer: unknown;
      try {
        // Not trusted yet: only used to choose which keys verify the token.
        header = decodeProtectedHeader(token);
        issuer = decodeJwt(token).iss;
      } catch {
        throw refuse('malformed');
      }
      const own = issuer === jwt.issuer;
      const theirs = external !== undefined && remoteKeys !== undefined && issuer === external.issuer;
      try {
        // Same `iss` for both (unusual): the `kid` tells them apart.
        if (own && (!theirs || header.kid === keyId)) return await verifyOwn(token, header.alg, header.kid);
        if (theirs) return await verifyExternal(token, header.alg, remoteKeys, external.issuer, external.audience);
        throw refuse('wrong issuer');
      } catch (error) {
        if ((error as { code?: string }).code === 'GATEWAY_ERR_AUTH_TOKEN_INVALID') throw error;
        // Anything jose does not name is, for the external issuer, a JWKS fetch that failed.
        const reason = reasonOf(error) ?? (theirs ? 'issuer keys unavailable' : 'malformed');
        if (reason === 'issuer keys unavailable' || reasonOf(error) === undefined) {
          // The operator's problem rather than the caller's: say so in the log (never the token).
          log.warn({ err: error, issuer: theirs ? external.issuer : jwt.issuer, reason }, 'bearer token could not be verified');
        }
        throw refuse(reason, error);
      }
    },

    jwks() {
      return { keys: [{ ...published }] };
    },
  };
}
