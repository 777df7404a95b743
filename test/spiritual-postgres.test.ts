import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@maximus/kit/config';
import { createPlatform, type Platform } from '@maximus/kit/platform';
import { prepareService, type PreparedService } from '@maximus/kit/service';
import { service as penelope, SignalCollector, spiritualRuntime } from '@maximus/penelope';
import { freshPostgresUrl, silentLog, TEST_DATABASE_URL } from './helpers.js';

interface Replica {
  platform: Platform;
  penelope: PreparedService;
  collector: SignalCollector;
}

/** One penelope replica: its own platform (its own PostgreSQL pool) on the shared database. */
async function replica(url: string): Promise<Replica> {
  const config = loadConfig({ DATABASE_URL: url, MAXIMUS_SECRET: 'a shared test secret of the platform' });
  const platform = await createPlatform({ config, log: silentLog });
  const prepared = await prepareService(penelope, platform);
  const collector = new SignalCollector(prepared.ctx, { sloSeconds: 0.3, intervalSeconds: 30, signalsWindowSeconds: 3600, outcomesWindowSeconds: 3600 });
  return { platform, penelope: prepared, collector };
}

describe.skipIf(!TEST_DATABASE_URL)('the signal collector on PostgreSQL: one pass per interval across replicas', () => {
  let database: { url: string; drop: () => Promise<void> };
  let a: Replica;
  let b: Replica;
  beforeAll(async () => {
    database = await freshPostgresUrl();
    a = await replica(database.url);
    b = await replica(database.url);
  });
  afterAll(async () => {
    for (const r of [a, b]) {
      r?.collector.stop();
      await r?.platform.close();
    }
    await database?.drop();
  });

  it('lets one replica sample per interval, and both read the same samples', async () => {
    const first = await Promise.all([a.collector.pass(), b.collector.pass()]);
    expect(first.filter((r) => r !== null)).toHaveLength(1);
    // Not due again within the interval, whoever asks.
    expect(await Promise.all([a.collector.pass(), b.collector.pass()])).toEqual([null, null]);
    // An operator's forced pass still runs (one at a time: the advisory lock serialises them).
    const forced = await Promise.all([a.collector.pass(true), b.collector.pass(true)]);
    expect(forced.filter((r) => r !== null).length).toBeGreaterThanOrEqual(1);
    const passes = forced.filter((r) => r !== null).length + 1;
    for (const r of [a, b]) {
      const report = await spiritualRuntime(r.penelope.ctx).fruits();
      expect(report.collector.passes_in_window).toBe(passes);
      // Not mounted behind a gateway here: every probe failed, and kindness says so.
      expect(report.fruits.find((f) => f.name === 'kindness')?.score).toBe(0);
    }
  });
});
