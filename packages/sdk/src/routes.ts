import type { HttpMethod } from './core/request.js';

/**
 * One route of the platform and the SDK methods that call it. `route` is the gateway path with `:name`
 * parameters (the OpenAPI `{name}`); `sdk` names methods from the client (`governance.decisions.retrieve`
 * is `client.governance.decisions.retrieve`).
 * @example
 * const row: SdkRoute = { method: 'GET', route: '/eikos/api/v1/ledger/root', sdk: ['ledger.root'] };
 */
export interface SdkRoute {
  readonly method: HttpMethod;
  readonly route: string;
  readonly sdk: readonly string[];
}

/**
 * Every route the SDK calls, with the methods that call it. The contract coverage test
 * (`test/sdk-contract-coverage.test.ts`) fails when a route of a service's OpenAPI document is missing here,
 * and `test/sdk-routes.test.ts` calls each method through the real gateway and checks that it hits its row.
 * The metrics' `endpoint` label and the spans' `url.template` come from this table.
 * @example
 * const covered = SDK_ROUTES.filter((r) => r.route.startsWith('/eikos/')).map((r) => `${r.method} ${r.route}`);
 */
export const SDK_ROUTES: readonly SdkRoute[] = [
  // gateway
  { method: 'GET', route: '/health', sdk: ['health', 'serviceHealth'] },
  { method: 'POST', route: '/api/v1/keys', sdk: ['keys.create'] },
  { method: 'GET', route: '/api/v1/keys', sdk: ['keys.list'] },
  { method: 'DELETE', route: '/api/v1/keys/:id', sdk: ['keys.revoke'] },
  { method: 'POST', route: '/api/v1/tokens', sdk: ['tokens.create'] },
  // core
  { method: 'POST', route: '/core/api/v1/consciousness/safety/emergency-shutdown', sdk: ['consciousness.safety.emergencyShutdown'] },
  { method: 'POST', route: '/core/api/v1/consciousness/safety/resume', sdk: ['consciousness.safety.resume'] },
  { method: 'GET', route: '/core/api/v1/consciousness/safety/status', sdk: ['consciousness.safety.status'] },
  { method: 'GET', route: '/core/api/v1/governance/actions', sdk: ['governance.actions'] },
  { method: 'POST', route: '/core/api/v1/governance/decisions', sdk: ['governance.decisions.create'] },
  { method: 'GET', route: '/core/api/v1/governance/decisions', sdk: ['governance.decisions.list'] },
  { method: 'GET', route: '/core/api/v1/governance/decisions/:id', sdk: ['governance.decisions.retrieve'] },
  { method: 'POST', route: '/core/api/v1/governance/decisions/:id/approve', sdk: ['governance.decisions.approve'] },
  { method: 'POST', route: '/core/api/v1/governance/decisions/:id/cancel', sdk: ['governance.decisions.cancel'] },
  { method: 'POST', route: '/core/api/v1/governance/decisions/:id/escalate', sdk: ['governance.decisions.escalate'] },
  { method: 'POST', route: '/core/api/v1/governance/decisions/:id/reject', sdk: ['governance.decisions.reject'] },
  { method: 'GET', route: '/core/api/v1/governance/stats', sdk: ['governance.stats'] },
  { method: 'GET', route: '/core/api/v1/governance/stream', sdk: ['governance.stream'] },
  // eikos
  { method: 'GET', route: '/eikos/api/v1/audit/trail/:subject_id', sdk: ['audit.trail'] },
  { method: 'POST', route: '/eikos/api/v1/evidence', sdk: ['evidence.create'] },
  { method: 'GET', route: '/eikos/api/v1/evidence', sdk: ['evidence.list', 'evidence.retrieve'] },
  { method: 'GET', route: '/eikos/api/v1/evidence/:id', sdk: ['evidence.retrieve'] },
  { method: 'POST', route: '/eikos/api/v1/forensics/analyze', sdk: ['forensics.analyze'] },
  { method: 'GET', route: '/eikos/api/v1/ledger/consistency', sdk: ['ledger.consistency'] },
  { method: 'GET', route: '/eikos/api/v1/ledger/entries', sdk: ['ledger.entriesPage', 'ledger.entries'] },
  { method: 'GET', route: '/eikos/api/v1/ledger/public-key', sdk: ['ledger.publicKey'] },
  { method: 'GET', route: '/eikos/api/v1/ledger/root', sdk: ['ledger.root'] },
  // hermes
  { method: 'POST', route: '/hermes/api/v1/events', sdk: ['events.publish'] },
  { method: 'GET', route: '/hermes/api/v1/events/subscribe', sdk: ['events.subscribe'] },
  { method: 'POST', route: '/hermes/api/v1/services', sdk: ['services.register'] },
  { method: 'GET', route: '/hermes/api/v1/services', sdk: ['services.list'] },
  { method: 'DELETE', route: '/hermes/api/v1/services/:instance_id', sdk: ['services.remove'] },
];

interface CompiledRoute {
  pattern: RegExp;
  route: string;
  /** Literal characters: the more specific route wins when two match. */
  weight: number;
}

let compiled: Map<string, CompiledRoute[]> | undefined;
const memo = new Map<string, string>();
const MEMO_MAX = 2_000;

function compile(): Map<string, CompiledRoute[]> {
  const byMethod = new Map<string, CompiledRoute[]>();
  for (const row of SDK_ROUTES) {
    const source = row.route
      .split('/')
      .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('/');
    const list = byMethod.get(row.method) ?? [];
    list.push({ pattern: new RegExp(`^${source}$`), route: row.route, weight: row.route.replace(/:[^/]+/g, '').length });
    byMethod.set(row.method, list);
  }
  for (const list of byMethod.values()) list.sort((a, b) => b.weight - a.weight);
  return byMethod;
}

/** A segment that names one thing (a number, a UUID, a long hex or token), not a route. */
const ID_SEGMENT = /^(\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{12,}|[A-Za-z0-9_-]{21,})$/i;

/**
 * The route template of a request path (no query): the matching {@link SDK_ROUTES} row, else the path with
 * its id-like segments (numbers, UUIDs, long hex or tokens, anything percent-encoded) replaced by `:id`.
 * Used for the `endpoint` label of the metrics and the spans' `url.template`, so that raw ids never become labels.
 * @example
 * routeTemplate('GET', '/core/api/v1/governance/decisions/0b6c…'); // '/core/api/v1/governance/decisions/:id'
 */
export function routeTemplate(method: string, path: string): string {
  const key = `${method} ${path}`;
  const hit = memo.get(key);
  if (hit !== undefined) return hit;
  compiled ??= compile();
  let template: string | undefined;
  for (const candidate of compiled.get(method) ?? []) {
    if (candidate.pattern.test(path)) {
      template = candidate.route;
      break;
    }
  }
  template ??= path
    .split('/')
    .map((segment) => (segment !== '' && (ID_SEGMENT.test(segment) || segment.includes('%')) ? ':id' : segment))
    .join('/');
  if (memo.size >= MEMO_MAX) memo.clear();
  memo.set(key, template);
  return template;
}
