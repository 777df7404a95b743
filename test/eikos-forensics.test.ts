import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { LedgerStore, setForensicsWorker } from '@maximus/eikos';
import { embeddedGateway, type TestGateway } from './gateway-helpers.js';

// Forensics re-hashes the whole log in a worker thread (apps/eikos/src/ledger/verify-worker.ts). Sources under vitest
// have no runnable worker beside forensics.ts (Node 20 cannot load the .ts), so they verify in-process unless pointed
// at the built one: these tests use the built worker from dist/ and compare it with the in-process path.
const builtWorker = new URL('../apps/eikos/dist/ledger/verify-worker.js', import.meta.url);
if (!existsSync(builtWorker)) throw new Error('run `npm run build` first (npm test does)');

let gw: TestGateway;
let headers: Record<string, string>;
const api = (path: string) => `/eikos/api/v1${path}`;

beforeAll(async () => {
  gw = await embeddedGateway({ MAXIMUS_RATE_LIMITS: 'read=100000/60,write=100000/60,expensive=1000/60' });
  headers = { 'x-api-key': gw.adminKey };
});
afterAll(async () => {
  setForensicsWorker(undefined);
  vi.restoreAllMocks();
  await gw.close();
});

async function analyze(worker: URL | false) {
  setForensicsWorker(worker);
  const res = await gw.app.inject({ method: 'POST', url: api('/forensics/analyze'), headers, payload: { subject_id: 'nobody' } });
  expect(res.statusCode, res.body).toBe(200);
  return res.json<{ verification: { ok: boolean; entries_checked: number; nodes_checked: number; first_bad_index: number | null; computed_root: string } }>();
}

describe('eikos forensics off the event loop', () => {
  it('answers a health request while a 20,000-entry analysis re-hashes the log in the worker', async () => {
    const store = new LedgerStore(gw.platform.db);
    await Promise.all(Array.from({ length: 20_000 }, (_, i) => store.append({ type: 'test.bulk', subject_id: `s${i % 50}`, actor: 'user:test', payload: { i } })));

    // Ask for health once the analysis is past its first page (the worker hashes it while the next is read).
    const original = LedgerStore.prototype.rawPage;
    let pastFirstPage!: () => void;
    const hashing = new Promise<void>((resolve) => (pastFirstPage = resolve));
    const spy = vi.spyOn(LedgerStore.prototype, 'rawPage').mockImplementation(function (this: LedgerStore, from: number, limit: number) {
      if (from > 0) pastFirstPage();
      return original.call(this, from, limit);
    });
    try {
      setForensicsWorker(builtWorker);
      let analysisDone = false;
      const analysis = gw.app.inject({ method: 'POST', url: api('/forensics/analyze'), headers, payload: {} }).then((res) => {
        analysisDone = true;
        return res;
      });
      await hashing;
      const health = await gw.app.inject({ method: 'GET', url: '/eikos/health' });
      expect(health.statusCode, health.body).toBe(200);
      // The health request completed before the analysis did.
      expect(analysisDone).toBe(false);
      const res = await analysis;
      expect(res.statusCode, res.body).toBe(200);
      const report = res.json<{ verification: { ok: boolean; entries_checked: number }; tree_head: { tree_size: number } }>();
      expect(report.verification.ok).toBe(true);
      expect(report.verification.entries_checked).toBe(report.tree_head.tree_size);
      expect(report.verification.entries_checked).toBeGreaterThanOrEqual(20_000);
    } finally {
      spy.mockRestore();
    }
  });

  it('finds the same things in the worker as in-process: a clean log, a changed entry, a missing entry', async () => {
    const clean = [await analyze(builtWorker), await analyze(false)];
    expect(clean[0]!.verification.ok).toBe(true);
    expect(clean[0]!.verification.nodes_checked).toBeGreaterThan(0);
    expect(clean[0]!.verification).toEqual(clean[1]!.verification);

    await gw.platform.db.query(`UPDATE eikos.entries SET bytes = convert_to(replace(convert_from(bytes, 'UTF8'), '"i":777}', '"i":778}'), 'UTF8') WHERE type = 'test.bulk' AND convert_from(bytes, 'UTF8') LIKE '%"i":777}%'`);
    const changed = [await analyze(builtWorker), await analyze(false)];
    expect(changed[0]!.verification.ok).toBe(false);
    expect(changed[0]!.verification.first_bad_index).not.toBeNull();
    expect(changed[0]!.verification).toEqual(changed[1]!.verification);

    const { rows } = await gw.platform.db.query<{ idx: string }>(`SELECT index::text AS idx FROM eikos.entries WHERE type = 'test.bulk' ORDER BY index OFFSET 12345 LIMIT 1`);
    const gone = Number(rows[0]!.idx);
    await gw.platform.db.query('DELETE FROM eikos.entries WHERE index = $1', [gone]);
    const missing = [await analyze(builtWorker), await analyze(false)];
    expect(missing[0]!.verification.ok).toBe(false);
    expect(missing[0]!.verification.first_bad_index).toBeLessThanOrEqual(gone);
    expect(missing[0]!.verification.entries_checked).toBe(gone);
    expect(missing[0]!.verification).toEqual(missing[1]!.verification);
  });
});
