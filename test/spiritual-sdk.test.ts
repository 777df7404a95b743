import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Maximus } from '@maximus/sdk';
import { runCli } from './gateway-helpers.js';
import type { FruitsReport, VirtuesReport } from '@maximus/contracts';
import { freshPgliteDir } from './helpers.js';
import { spiritualPlatform, type SpiritualPlatform } from './spiritual-helpers.js';

// client.spiritual and `maximus spiritual` against the real platform over HTTP, with the scores cached as in production.
describe('fruits and virtues through the SDK and the CLI', () => {
  let p: SpiritualPlatform;
  let url: string;
  let reader: Maximus;

  beforeAll(async () => {
    p = await spiritualPlatform(freshPgliteDir(), { MAXIMUS_PENELOPE_SCORES_TTL_SECONDS: '60' });
    url = await p.app.listen({ host: '127.0.0.1', port: 0 });
    reader = new Maximus({ baseURL: url, apiKey: (await p.security.keys.create({ name: 'reader', role: 'readonly', createdBy: null })).key });
    await p.spiritual.collectNow();
    for (let i = 0; i < 3; i++) await reader.governance.stats();
    await p.spiritual.collectNow();
    // Scraping penelope's own /metrics during the pass computed (and cached) the scores of the samples before it.
    await p.platform.cache.delete('penelope:spiritual:fruits');
    await p.platform.cache.delete('penelope:spiritual:virtues');
  });
  afterAll(async () => {
    await reader?.close();
    await p?.close();
  });

  it('reads the fruits and virtues; the second read within the TTL is served from the cache', async () => {
    const first = await reader.spiritual.fruits().withResponse();
    expect(first.response.headers['x-cache']).toBe('MISS');
    expect(first.data.cache).toEqual({ status: 'miss', age_seconds: 0, ttl_seconds: 60 });
    expect(first.data.fruits).toHaveLength(9);
    const joy = first.data.fruits.find((f) => f.name === 'joy')!;
    expect(joy).toMatchObject({ score: 1, status: 'healthy', window: { kind: 'signals', seconds: 3600 }, thresholds: { healthy: 0.99, warning: 0.95 } });
    expect(joy.inputs.find((i) => i.name === 'requests')?.value).toBeGreaterThanOrEqual(3);
    const second = await reader.spiritual.fruits().withResponse();
    expect(second.response.headers['x-cache']).toBe('HIT');
    expect(second.data.cache.status).toBe('hit');
    expect(second.data.cache.age_seconds).toBeGreaterThanOrEqual(0);
    expect(second.data.cache.age_seconds).toBeLessThan(60);
    expect(second.data.computed_at).toBe(first.data.computed_at);
    const virtues = await reader.spiritual.virtues().withResponse();
    expect(virtues.response.headers['x-cache']).toBe('MISS');
    expect(virtues.data.virtues.map((v) => [v.name, v.score, v.status])).toEqual([
      ['sophia', null, 'no_data'],
      ['praotes', null, 'no_data'],
      ['tapeinophrosyne', null, 'no_data'],
    ]);
  });

  it('maximus spiritual prints the panel, and --json both reports', async () => {
    const run = (...argv: string[]) => runCli(url, p.adminKey, argv);
    const panel = await run('spiritual');
    expect(panel.code).toBe(0);
    expect(panel.out).toContain('Fruits of the Spirit (Galatians 5:22-23)');
    expect(panel.out).toMatch(/✓ Joy\s+1\.00\s+Success rate of operations/);
    expect(panel.out).toMatch(/· Love\s+no data/);
    expect(panel.out).toMatch(/· sophia \(wisdom\)\s+no data/);
    expect(panel.out).toMatch(/healthy \d\/9 \(\d with data\)/);
    expect(panel.out).not.toContain('┌');
    expect(panel.out).not.toContain('\x1b[');
    const json = await run('spiritual', '--json');
    const parsed = JSON.parse(json.out) as { fruits: FruitsReport; virtues: VirtuesReport };
    expect(parsed.fruits.fruits.map((f) => f.name)).toContain('self_control');
    expect(parsed.virtues.virtues).toHaveLength(3);
  });
});
