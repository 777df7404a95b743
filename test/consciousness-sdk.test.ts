import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BadRequestError, Maximus, NotFoundError, PermissionDeniedError, type ConsciousnessStreamEvent } from '@maximus/sdk';
import type { ConsciousnessState } from '@maximus/contracts';
import { embeddedGateway, runCli, type TestGateway } from './gateway-helpers.js';

// The SDK's consciousness resource and `maximus consciousness` against the real platform over HTTP (every service
// mounted, core with its defaults: the 100-node fabric, the loops on their timers).
describe('consciousness through the SDK and the CLI', () => {
  let gateway: TestGateway;
  let url: string;
  let operator: Maximus;
  let reader: Maximus;
  beforeAll(async () => {
    gateway = await embeddedGateway();
    url = await gateway.app.listen({ host: '127.0.0.1', port: 0 });
    const key = async (role: 'operator' | 'readonly') => (await gateway.security.keys.create({ name: role, role, createdBy: null })).key;
    operator = new Maximus({ baseURL: url, apiKey: await key('operator') });
    reader = new Maximus({ baseURL: url, apiKey: await key('readonly') });
  });
  afterAll(async () => {
    await Promise.all([operator, reader].map((c) => c?.close()));
    await gateway?.close();
  });

  it('reads state, TIG metrics and graph, and arousal', async () => {
    const state = await reader.consciousness.state();
    expect(state.tig).toMatchObject({ node_count: 100, edge_count: 291 });
    expect(state.health.leader?.this_replica).toBe(true);
    const metrics = await reader.consciousness.tig.metrics();
    expect(metrics.node_count).toBe(100);
    expect(metrics.eigen_method).toBe('dense');
    const graph = await reader.consciousness.tig.graph();
    expect(graph.nodes).toHaveLength(100);
    expect(graph.edges).toHaveLength(metrics.edge_count);
    const arousal = await reader.consciousness.arousal.retrieve();
    expect(arousal.baseline).toBe(0.6);
    // measured pressure (the first, slow requests of a cold start) may already have lifted it
    const level = arousal.value <= 0.2 ? 'sleep' : arousal.value <= 0.4 ? 'drowsy' : arousal.value <= 0.6 ? 'relaxed' : arousal.value <= 0.8 ? 'alert' : 'hyperalert';
    expect(arousal.level).toBe(level);
    expect(arousal.contributions.length).toBeGreaterThan(0);
  });

  it('adjusts arousal and triggers ignitions; a readonly key may not, bad input is a 400', async () => {
    await expect(reader.consciousness.arousal.adjust({ delta: 0.1, duration_seconds: 5, source: 'sdk' })).rejects.toBeInstanceOf(PermissionDeniedError);
    await expect(operator.consciousness.arousal.adjust({ delta: 0.9, duration_seconds: 5, source: 'sdk' })).rejects.toBeInstanceOf(BadRequestError);
    const adjusted = await operator.consciousness.arousal.adjust({ delta: -0.2, duration_seconds: 30, source: 'sdk test' });
    expect(adjusted.modulation.source).toBe('sdk test');
    const blocked = await operator.consciousness.esgt.trigger({ novelty: 0, relevance: 0, urgency: 0, confidence: 0 });
    expect(blocked).toMatchObject({ outcome: 'blocked', gate: 'salience' });
    const ran = await operator.consciousness.esgt.trigger({ novelty: 1, relevance: 1, urgency: 1, context: { via: 'sdk' } });
    expect(['success', 'failed']).toContain(ran.outcome);
    expect(ran.phases).toHaveLength(5);
    expect(await reader.consciousness.esgt.events.retrieve(ran.id)).toEqual(ran);
    await expect(reader.consciousness.esgt.events.retrieve('00000000-0000-4000-8000-000000000000')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('lists ignition attempts page by page as it iterates', async () => {
    for (let i = 0; i < 3; i++) await operator.consciousness.esgt.trigger({ novelty: 0, relevance: 0, urgency: 0 });
    const ids: string[] = [];
    for await (const e of reader.consciousness.esgt.events.list({ gate: 'salience', limit: 2 })) ids.push(e.id);
    expect(ids.length).toBeGreaterThanOrEqual(4);
    expect(new Set(ids).size).toBe(ids.length);
    const page = await reader.consciousness.esgt.events.list({ limit: 1 }).page();
    expect(page.data).toHaveLength(1);
    expect(page.next_cursor).not.toBeNull();
  });

  it('streams state snapshots and model events', async () => {
    const stop = new AbortController();
    const seen: ConsciousnessStreamEvent[] = [];
    const reading = (async () => {
      for await (const e of reader.consciousness.stream({ intervalMs: 250, signal: stop.signal })) {
        seen.push(e);
        if (seen.some((x) => x.event === 'state') && seen.some((x) => x.event === 'esgt.blocked')) break;
      }
    })();
    await new Promise((r) => setTimeout(r, 300));
    await operator.consciousness.esgt.trigger({ novelty: 0, relevance: 0, urgency: 0 });
    await Promise.race([reading, new Promise((r) => setTimeout(r, 5000))]);
    stop.abort();
    const state = seen.find((e) => e.event === 'state');
    expect((state?.data as ConsciousnessState | undefined)?.tig.node_count).toBe(100);
    const blocked = seen.find((e) => e.event === 'esgt.blocked');
    expect(blocked?.id).toMatch(/^\d+$/);
    expect(blocked?.data).toMatchObject({ outcome: 'blocked', gate: 'salience' });
  });

  const cli = (argv: string[], interruptWhen?: (out: string) => boolean) => runCli(url, gateway.adminKey, argv, interruptWhen);

  it('maximus consciousness prints the panel as plain text: gauge, TIG metrics, recent ignitions', async () => {
    const { out, code } = await cli(['consciousness']);
    expect(code).toBe(0);
    expect(out).not.toMatch(/\x1b\[/); // eslint-disable-line no-control-regex
    expect(out).toMatch(/^MAXIMUS consciousness {2}(HEALTHY|DEGRADED)/);
    expect(out).toMatch(/Arousal {2}[█░]{30} {2}0\.\d{3} {2}(DROWSY|RELAXED|ALERT)/);
    expect(out).toMatch(/TIG {2}100 nodes {2}291 links/);
    expect(out).toMatch(/algebraic connectivity 1\.1114/);
    expect(out).toMatch(/TIME +OUTCOME +SALIENCE +NODES +SYNC +REASON/);
    expect(out).toContain('salience below the arousal-dependent threshold');
  });

  it('maximus consciousness --json prints one state and exits', async () => {
    const { out, code } = await cli(['consciousness', '--json', '--recent', '3']);
    expect(code).toBe(0);
    const data = JSON.parse(out) as { state: ConsciousnessState; arousal: { value: number }; metrics: { node_count: number }; recent: unknown[] };
    expect(data.state.tig.node_count).toBe(100);
    expect(data.metrics.node_count).toBe(100);
    expect(data.recent).toHaveLength(3);
    expect(typeof data.arousal.value).toBe('number');
  });

  it('maximus consciousness --watch redraws from the live stream until Ctrl-C (plain panels off a terminal)', async () => {
    const panels = (text: string) => text.match(/^MAXIMUS consciousness/gm)?.length ?? 0;
    const { out, code } = await cli(['consciousness', '--watch', '0.25'], (text) => panels(text) >= 2);
    expect(code).toBe(0);
    expect(out.match(/^MAXIMUS consciousness/gm)?.length).toBeGreaterThanOrEqual(2);
    expect(out).not.toContain('\x1b[2J');
  });

  it('maximus consciousness refuses a bad --watch and --recent', async () => {
    await expect(cli(['consciousness', '--watch', 'soon'])).rejects.toThrow(/--watch takes seconds/);
    await expect(cli(['consciousness', '--recent', '0'])).rejects.toThrow(/--recent takes an integer/);
  });
});
