import type { Role } from '@maximus/contracts';
import type { RouteClass } from '@maximus/kit/config';

/** One row of the permission table: the first row matching a request decides its minimum role and rate-limit class. */
export interface PermissionRule {
  /** An HTTP method, or `*`. GET rows also match HEAD. */
  readonly method: string;
  /** A path pattern: `:name` matches one segment, a trailing `*` anything. */
  readonly path: string;
  readonly role: Role;
  readonly class: RouteClass;
  readonly what: string;
}

/**
 * The permission table (docs/security.md prints it; a test keeps the two equal). readonly reads everything but
 * secrets; operator runs queries, healing, scans and tasks and decides LOW/MEDIUM decisions (the governance service
 * checks the risk); admin manages keys and tokens, decides HIGH/CRITICAL decisions, triggers the emergency shutdown.
 */
export const PERMISSIONS: readonly PermissionRule[] = [
  { method: '*', path: '/api/v1/keys*', role: 'admin', class: 'write', what: 'API keys: create, list, revoke' },
  { method: 'POST', path: '/api/v1/tokens', role: 'admin', class: 'write', what: 'mint a JWT' },
  { method: 'GET', path: '/api/v1/whoami', role: 'readonly', class: 'read', what: 'who the caller is (principal, role)' },
  { method: 'POST', path: '/core/api/v1/consciousness/safety/emergency-shutdown', role: 'admin', class: 'write', what: 'the kill switch' },
  { method: 'POST', path: '/core/api/v1/consciousness/safety/resume', role: 'admin', class: 'write', what: 'lift the kill switch' },
  { method: 'POST', path: '/core/api/v1/query', role: 'operator', class: 'expensive', what: 'run a query' },
  { method: 'POST', path: '/penelope/api/v1/healing/diagnose', role: 'operator', class: 'expensive', what: 'analyse code' },
  { method: 'POST', path: '/penelope/api/v1/healing/patches/:id/apply', role: 'operator', class: 'write', what: 'ask to apply a patch (a governance decision)' },
  { method: 'POST', path: '/nis/api/v1/network/scan', role: 'operator', class: 'expensive', what: 'scan hosts' },
  { method: 'POST', path: '/maba/api/v1/tasks*', role: 'operator', class: 'expensive', what: 'run browser tasks' },
  { method: 'GET', path: '*', role: 'readonly', class: 'read', what: 'every other read' },
  { method: '*', path: '*', role: 'operator', class: 'write', what: 'every other write (governance checks risk-level authority itself)' },
];

function compile(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${escaped.replace(/:[A-Za-z_]+/g, '[^/]+').replace(/\*/g, '.*')}$`);
}

const compiled = PERMISSIONS.map((rule) => ({ rule, regex: compile(rule.path) }));

/** The rule for a request (the table ends with catch-alls, so there always is one). */
export function permissionFor(method: string, path: string): PermissionRule {
  const m = method.toUpperCase() === 'HEAD' ? 'GET' : method.toUpperCase();
  for (const { rule, regex } of compiled) {
    if ((rule.method === '*' || rule.method === m) && regex.test(path)) return rule;
  }
  throw new Error('the permission table has no catch-all');
}

const OPERATIONAL = /^\/(?:[a-z]+\/)?(?:health|ready|openapi\.json|metrics)$/;

/** Public routes (no credentials): health, readiness, OpenAPI documents, the docs UI, the JWKS, and metrics (see below). */
export function isPublic(path: string): boolean {
  return OPERATIONAL.test(path) || path === '/docs' || path.startsWith('/docs/') || path === '/.well-known/jwks.json';
}

/** `/metrics` (gateway or service) is public on loopback only; elsewhere it needs MAXIMUS_METRICS_TOKEN. */
export function isMetrics(path: string): boolean {
  return /^\/(?:[a-z]+\/)?metrics$/.test(path);
}
