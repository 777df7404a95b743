import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Principal, Role } from '@maximus/contracts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated caller, set by the gateway (in process) or from its signed header (connected). */
    principal?: Principal;
  }
}

/** The principal, as JSON, forwarded by the gateway to a service in connected mode. */
export const PRINCIPAL_HEADER = 'x-maximus-principal';
/** `v1.<unix seconds>.<base64url HMAC-SHA256>`: the gateway's proof over method, path and principal. */
export const INTERNAL_HEADER = 'x-maximus-internal';

const RANK: Record<Role | 'service', number> = { readonly: 1, operator: 2, admin: 3, service: 0 };

/** True when `role` includes `minimum` (admin ⊃ operator ⊃ readonly; `service` is separate). */
export function roleAtLeast(role: Role | 'service', minimum: Role): boolean {
  return RANK[role] >= RANK[minimum];
}

function mac(secret: Buffer | string, timestamp: string, method: string, path: string, principal: string): string {
  return createHmac('sha256', secret).update(`${timestamp}\n${method.toUpperCase()}\n${path}\n${principal}`).digest('base64url');
}

/**
 * Signs a request the gateway forwards to a service: the service checks it with {@link verifyInternal}
 * and then trusts the principal header. `path` is the path as the service sees it, with its query.
 */
export function signInternal(secret: Buffer | string, method: string, path: string, principalJson: string, now = Date.now()): string {
  const timestamp = String(Math.floor(now / 1000));
  return `v1.${timestamp}.${mac(secret, timestamp, method, path, principalJson)}`;
}

/** Checks a gateway proof (constant time; at most `maxSkewSeconds` old or early). */
export function verifyInternal(
  secret: Buffer | string,
  header: string | undefined,
  method: string,
  path: string,
  principalJson: string,
  now = Date.now(),
  maxSkewSeconds = 60,
): boolean {
  if (!header) return false;
  const [version, timestamp, signature] = header.split('.');
  if (version !== 'v1' || !timestamp || !signature || !/^\d+$/.test(timestamp)) return false;
  if (Math.abs(now / 1000 - Number(timestamp)) > maxSkewSeconds) return false;
  const expected = Buffer.from(mac(secret, timestamp, method, path, principalJson));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/**
 * The principal of a service calling another one, carrying the user it acts for (if any).
 * @example servicePrincipal('core', 'user:key-3f2a9c1b0d4e') // core asks penelope to diagnose for that user
 */
export function servicePrincipal(name: string, onBehalfOf?: string): Principal {
  return { id: `service:${name}`, kind: 'service', role: 'service', via: 'internal', ...(onBehalfOf ? { on_behalf_of: onBehalfOf } : {}) };
}

/**
 * The headers a service adds to call another service directly (connected mode), signed with the shared
 * internal key; the callee's guard admits them only on the routes it lists for that caller.
 */
export function internalHeaders(secret: Buffer | string, method: string, path: string, principal: Principal): Record<string, string> {
  const json = JSON.stringify(principal);
  return { [PRINCIPAL_HEADER]: json, [INTERNAL_HEADER]: signInternal(secret, method, path, json) };
}
