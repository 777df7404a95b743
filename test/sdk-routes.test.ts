import { Agent, type Dispatcher } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Maximus, SDK_ROUTES, routeTemplate } from '@maximus/sdk';
import { embeddedGateway, type TestGateway } from './gateway-helpers.js';

// Keeps SDK_ROUTES honest: each method it names is called through the real gateway, and the request it sends
// must be its row (method and route template), served by a route that exists (no route-level 404).
// A row added without an invocation here fails the first test, naming it.

interface Sent {
  method: string;
  path: string;
  status?: number;
  code?: string;
}

const LOW = { threat: 0.1, asset: 0.1, business: 0.1, action: 0.1, compliance: 0.1, environment: 0.1 };

/** Runs a streaming method for a moment, then stops it. */
async function briefly(stream: (signal: AbortSignal) => AsyncIterable<unknown>): Promise<void> {
  const stop = new AbortController();
  const timer = setTimeout(() => stop.abort(), 300);
  try {
    for await (const _ of stream(stop.signal)) break;
  } finally {
    clearTimeout(timer);
    stop.abort();
  }
}

interface Fixtures {
  decision: string;
  evidence: number;
}

/** One invocation per SDK method named in SDK_ROUTES. */
const INVOCATIONS: Record<string, (c: Maximus, f: Fixtures) => Promise<unknown>> = {
  health: (c) => c.health(),
  serviceHealth: (c) => c.serviceHealth('core'),
  'keys.create': (c) => c.keys.create({ name: 'routes-test', role: 'readonly' }),
  'keys.list': (c) => c.keys.list(),
  'keys.revoke': async (c) => c.keys.revoke((await c.keys.create({ name: 'routes-revoke', role: 'readonly' })).id),
  'tokens.create': (c) => c.tokens.create({ role: 'readonly', ttl: '5m' }),
  whoami: (c) => c.whoami(),
  query: (c) => c.query({ query: 'How many decisions are pending?', max_tokens: 100 }),
  'query.create': (c) => c.query.create({ query: 'How many decisions are pending?', max_tokens: 100 }),
  'query.stream': (c) => c.query.stream({ query: 'How many decisions are pending?', max_tokens: 100 }).finalResponse(),
  'consciousness.state': (c) => c.consciousness.state(),
  'consciousness.stream': (c) => briefly((signal) => c.consciousness.stream({ signal })),
  'consciousness.tig.metrics': (c) => c.consciousness.tig.metrics(),
  'consciousness.tig.graph': (c) => c.consciousness.tig.graph(),
  'consciousness.arousal.retrieve': (c) => c.consciousness.arousal.retrieve(),
  'consciousness.arousal.adjust': (c) => c.consciousness.arousal.adjust({ delta: 0.1, duration_seconds: 5, source: 'routes test' }),
  'consciousness.esgt.trigger': (c) => c.consciousness.esgt.trigger({ novelty: 0.9, relevance: 0.8, urgency: 0.7 }),
  'consciousness.esgt.events.list': (c) => c.consciousness.esgt.events.list().page(),
  'consciousness.esgt.events.retrieve': (c) => c.consciousness.esgt.events.retrieve('no-such-event'),
  'healing.diagnose': (c) => c.healing.diagnose({ language: 'python', code: 'import os\nx = 1\n' }),
  'healing.retrieve': (c) => c.healing.retrieve('no-such-diagnosis'),
  'healing.history': (c) => c.healing.history().page(),
  'healing.patches.list': (c) => c.healing.patches.list({ diagnosis_id: 'no-such-diagnosis' }),
  'healing.patches.retrieve': (c) => c.healing.patches.retrieve('no-such-patch'),
  'healing.patches.apply': (c) => c.healing.patches.apply('no-such-patch'),
  'wisdom.precedents': (c) => c.wisdom.precedents({ diagnosis_id: 'no-such-diagnosis' }),
  'spiritual.fruits': (c) => c.spiritual.fruits(),
  'spiritual.virtues': (c) => c.spiritual.virtues(),
  'consciousness.safety.status': (c) => c.consciousness.safety.status(),
  'consciousness.safety.emergencyShutdown': async (c) => {
    const { decision } = await c.consciousness.safety.emergencyShutdown({ reason: 'routes test, cancelled at once' });
    await c.governance.decisions.cancel(decision.id);
  },
  'consciousness.safety.resume': (c) => c.consciousness.safety.resume({ reason: 'routes test' }),
  'governance.actions': (c) => c.governance.actions(),
  'governance.stats': (c) => c.governance.stats(),
  'governance.stream': (c) => briefly((signal) => c.governance.stream({ signal })),
  'governance.decisions.create': (c) => c.governance.decisions.create({ action_type: 'block_ip', params: { address: '203.0.113.50' }, reasoning: 'routes test', confidence: 0.7, risk_factors: LOW }),
  'governance.decisions.list': (c) => c.governance.decisions.list({ status: 'pending' }).page(),
  'governance.decisions.retrieve': (c, f) => c.governance.decisions.retrieve(f.decision),
  'governance.decisions.escalate': (c, f) => c.governance.decisions.escalate(f.decision, { reason: 'routes test' }),
  'governance.decisions.approve': (c, f) => c.governance.decisions.approve(f.decision, { comment: 'routes test' }),
  'governance.decisions.reject': (c, f) => c.governance.decisions.reject(f.decision, { reason: 'routes test' }),
  'governance.decisions.cancel': (c, f) => c.governance.decisions.cancel(f.decision),
  'evidence.create': (c) => c.evidence.create({ type: 'routes.test', subject_id: 'routes', payload: { n: 1 } }),
  'evidence.retrieve': (c, f) => Promise.all([c.evidence.retrieve(f.evidence), c.evidence.retrieve(f.evidence + 1), c.evidence.retrieve(f.evidence, { batch: false })]),
  'evidence.list': (c, f) => c.evidence.list([f.evidence]),
  'ledger.root': (c) => c.ledger.root(),
  'ledger.publicKey': (c) => c.ledger.publicKey(),
  'ledger.consistency': (c, f) => c.ledger.consistency({ from: 1, to: f.evidence + 1 }),
  'ledger.entriesPage': (c) => c.ledger.entriesPage({ limit: 2 }),
  'ledger.entries': async (c) => {
    for await (const _ of c.ledger.entries({ limit: 1000 })) break;
  },
  'audit.trail': (c) => c.audit.trail('routes'),
  'forensics.analyze': (c) => c.forensics.analyze({ subject_id: 'routes' }),
  'events.publish': (c) => c.events.publish({ topic: 'routes.test', payload: { n: 1 } }),
  'events.subscribe': (c) => briefly((signal) => c.events.subscribe({ topics: ['routes.>'], signal })),
  'services.register': (c) => c.services.register({ name: 'routes-test', url: 'http://127.0.0.1:1', health_url: 'http://127.0.0.1:1/health', ttl_seconds: 60, instance_id: 'routes-1' }),
  'services.list': (c) => c.services.list(),
  'services.remove': async (c) => {
    await c.services.register({ name: 'routes-test', url: 'http://127.0.0.1:2', health_url: 'http://127.0.0.1:2/health', ttl_seconds: 60, instance_id: 'routes-2' });
    return c.services.remove('routes-2');
  },
};

describe('SDK_ROUTES ↔ the SDK methods, through the real gateway', () => {
  let gateway: TestGateway;
  let sent: Sent[];
  let client: Maximus;
  let agent: Agent;
  let fixtures: Fixtures;

  beforeAll(async () => {
    gateway = await embeddedGateway({ MAXIMUS_RATE_LIMITS: 'read=100000/60,write=100000/60,expensive=1000/60' });
    for (const service of gateway.services) await service.start();
    const url = await gateway.app.listen({ host: '127.0.0.1', port: 0 });
    sent = [];
    agent = new Agent();
    // Every request the SDK sends (streams included) and the status and problem code it got.
    const recording = agent.compose((dispatch) => (options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler) => {
      const entry: Sent = { method: options.method, path: options.path };
      sent.push(entry);
      const chunks: Buffer[] = [];
      return dispatch(options, {
        onRequestStart: (controller, context: unknown) => handler.onRequestStart?.(controller, context),
        onResponseStart: (controller, status, headers, message) => {
          entry.status = status;
          return handler.onResponseStart?.(controller, status, headers, message);
        },
        onResponseData: (controller, chunk) => {
          if ((entry.status ?? 0) >= 400) chunks.push(chunk);
          return handler.onResponseData?.(controller, chunk);
        },
        onResponseEnd: (controller, trailers) => {
          if (chunks.length) entry.code = (JSON.parse(Buffer.concat(chunks).toString()) as { code?: string }).code;
          return handler.onResponseEnd?.(controller, trailers);
        },
        onResponseError: (controller, error) => handler.onResponseError?.(controller, error),
      });
    });
    client = new Maximus({ baseURL: url, apiKey: gateway.adminKey, token: null, maxRetries: 0, dispatcher: recording });
    const decision = await client.governance.decisions.create({ action_type: 'block_ip', params: { address: '203.0.113.51' }, reasoning: 'routes fixture', confidence: 0.7, risk_factors: LOW });
    const entry = await client.evidence.create({ type: 'routes.test', subject_id: 'routes', payload: { fixture: true } });
    await client.evidence.create({ type: 'routes.test', subject_id: 'routes', payload: { fixture: 2 } });
    fixtures = { decision: decision.id, evidence: entry.index };
  });
  afterAll(async () => {
    await client?.close();
    await agent?.close();
    for (const service of gateway?.services ?? []) await service.stop();
    await gateway?.close();
  });

  it('has an invocation for every method SDK_ROUTES names, and names no method the client lacks', () => {
    const named = [...new Set(SDK_ROUTES.flatMap((r) => r.sdk))];
    const probe = new Maximus({ baseURL: 'http://127.0.0.1:1' });
    const lacking = named.filter((m) => typeof m.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], probe) !== 'function');
    void probe.close();
    expect(lacking, 'SDK_ROUTES names methods the client does not have').toEqual([]);
    expect(
      named.filter((m) => !(m in INVOCATIONS)),
      'add an invocation to INVOCATIONS in test/sdk-routes.test.ts for each of these',
    ).toEqual([]);
  });

  it.each([...new Set(SDK_ROUTES.flatMap((r) => r.sdk))])('%s sends the requests of its SDK_ROUTES rows', async (method) => {
    const invoke = INVOCATIONS[method];
    if (!invoke) return; // reported by the test above
    sent.length = 0;
    await invoke(client, fixtures).catch(() => undefined); // a 409 or 404 answer still proves the route
    const rows = SDK_ROUTES.filter((r) => r.sdk.includes(method)).map((r) => `${r.method} ${r.route}`);
    const own = sent.filter((s) => s.path !== undefined);
    expect(own.length).toBeGreaterThan(0);
    for (const request of own) {
      const path = request.path.split('?')[0]!;
      const template = `${request.method} ${routeTemplate(request.method, path)}`;
      const known = SDK_ROUTES.some((r) => `${r.method} ${r.route}` === template);
      expect(known, `${request.method} ${path} matches no SDK_ROUTES row`).toBe(true);
      expect(request.code, `${request.method} ${path}: the gateway has no such route`).not.toBe('KIT_ERR_HTTP_NOT_FOUND');
    }
    const hit = new Set(own.map((s) => `${s.method} ${routeTemplate(s.method, s.path.split('?')[0]!)}`));
    expect(rows.filter((row) => !hit.has(row)), `${method} did not send these rows (it sent ${[...hit].join(', ')})`).toEqual([]);
  });
});
