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
  { method: 'GET', route: '/api/v1/whoami', sdk: ['whoami'] },
  // core
  { method: 'POST', route: '/core/api/v1/query', sdk: ['query', 'query.create', 'query.stream'] },
  { method: 'GET', route: '/core/api/v1/consciousness/state', sdk: ['consciousness.state'] },
  { method: 'GET', route: '/core/api/v1/consciousness/stream', sdk: ['consciousness.stream'] },
  { method: 'GET', route: '/core/api/v1/consciousness/tig/metrics', sdk: ['consciousness.tig.metrics'] },
  { method: 'GET', route: '/core/api/v1/consciousness/tig/graph', sdk: ['consciousness.tig.graph'] },
  { method: 'GET', route: '/core/api/v1/consciousness/arousal', sdk: ['consciousness.arousal.retrieve'] },
  { method: 'POST', route: '/core/api/v1/consciousness/arousal/adjust', sdk: ['consciousness.arousal.adjust'] },
  { method: 'POST', route: '/core/api/v1/consciousness/esgt/trigger', sdk: ['consciousness.esgt.trigger'] },
  { method: 'GET', route: '/core/api/v1/consciousness/esgt/events', sdk: ['consciousness.esgt.events.list'] },
  { method: 'GET', route: '/core/api/v1/consciousness/esgt/events/:id', sdk: ['consciousness.esgt.events.retrieve'] },
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
  // penelope
  { method: 'POST', route: '/penelope/api/v1/healing/diagnose', sdk: ['healing.diagnose'] },
  { method: 'GET', route: '/penelope/api/v1/healing/diagnoses/:id', sdk: ['healing.retrieve'] },
  { method: 'GET', route: '/penelope/api/v1/healing/history', sdk: ['healing.history'] },
  { method: 'GET', route: '/penelope/api/v1/healing/patches', sdk: ['healing.patches.list'] },
  { method: 'GET', route: '/penelope/api/v1/healing/patches/:id', sdk: ['healing.patches.retrieve'] },
  { method: 'POST', route: '/penelope/api/v1/healing/patches/:id/apply', sdk: ['healing.patches.apply'] },
  { method: 'GET', route: '/penelope/api/v1/wisdom/precedents', sdk: ['wisdom.precedents'] },
  { method: 'GET', route: '/penelope/api/v1/spiritual/fruits', sdk: ['spiritual.fruits'] },
  { method: 'GET', route: '/penelope/api/v1/spiritual/virtues', sdk: ['spiritual.virtues'] },
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

/** A trie of the routes by path segment: literal children first, then the `:param` child. */
interface Node {
  literal: Map<string, Node>;
  param: Node | undefined;
  /** The route template ending here, per method. */
  routes: Map<string, string>;
}

const node = (): Node => ({ literal: new Map(), param: undefined, routes: new Map() });
let trie: Node | undefined;

function build(): Node {
  const root = node();
  for (const row of SDK_ROUTES) {
    let at = root;
    for (const segment of row.route.split('/').slice(1)) {
      if (segment.startsWith(':')) at = at.param ??= node();
      else {
        let next = at.literal.get(segment);
        if (!next) at.literal.set(segment, (next = node()));
        at = next;
      }
    }
    at.routes.set(row.method, row.route);
  }
  return root;
}

function match(at: Node, segments: readonly string[], i: number, method: string): string | undefined {
  if (i === segments.length) return at.routes.get(method);
  const literal = at.literal.get(segments[i]!);
  const found = literal ? match(literal, segments, i + 1, method) : undefined;
  if (found !== undefined || !at.param || segments[i] === '') return found;
  return match(at.param, segments, i + 1, method);
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
  trie ??= build();
  const segments = path.split('/');
  const found = match(trie, segments, 1, method);
  if (found !== undefined) return found;
  return segments.map((segment) => (segment !== '' && (ID_SEGMENT.test(segment) || segment.includes('%')) ? ':id' : segment)).join('/');
}
