import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresDatabase, type Database } from '@maximus/kit/db';
import { runMigrations } from '@maximus/kit/migrations';
import { LedgerStore, TreeHeads, hashLeaf, service, verifyInclusion, verifyLedger } from '@maximus/eikos';
import { TEST_DATABASE_URL, freshPostgres, silentLog } from './helpers.js';

// The ledger's store on real PostgreSQL: two replicas (two stores, two pools) appending to one log.
describe.skipIf(!TEST_DATABASE_URL)('eikos ledger on PostgreSQL', () => {
  let pg: Awaited<ReturnType<typeof freshPostgres>>;
  let other: Database;
  let a: LedgerStore;
  let b: LedgerStore;
  beforeAll(async () => {
    pg = await freshPostgres();
    await runMigrations(pg.db, 'eikos', service.migrations);
    other = createPostgresDatabase({ url: pg.url });
    a = new LedgerStore(pg.db);
    b = new LedgerStore(other);
  });
  afterAll(async () => {
    await other?.close();
    await pg?.drop();
  });

  it('gives 200 concurrent appends from two replicas consecutive indexes, no gaps, no duplicates', async () => {
    const entries = await Promise.all(
      Array.from({ length: 200 }, (_, i) => (i % 2 ? a : b).append({ type: 'pg.test', subject_id: `s${i % 7}`, actor: 'user:test', payload: { i } })),
    );
    const indexes = entries.map((e) => e.index).sort((x, y) => x - y);
    expect(indexes).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(await a.size()).toBe(200);
    const stored = await a.page(0, 200);
    for (const e of stored) expect(hashLeaf(e.bytes).equals(e.leafHash)).toBe(true);
  });

  it('deduplicates an event appended by both replicas at once', async () => {
    const [x, y] = await Promise.all([
      a.append({ type: 'audit.x', subject_id: 'dup', actor: 'system', payload: {}, eventId: 'event-1' }),
      b.append({ type: 'audit.x', subject_id: 'dup', actor: 'system', payload: {}, eventId: 'event-1' }),
    ]);
    expect(x.index).toBe(y.index);
    expect((await a.find({ subjectId: 'dup', limit: 10 })).length).toBe(1);
  });

  it('signs heads that proofs verify against, and forensics names a flipped byte', async () => {
    const heads = new TreeHeads({ db: pg.db, store: a, privateKey: generateKeyPairSync('ed25519').privateKey, log: silentLog });
    const head = await heads.covering(150);
    const [entry] = await a.entries([150]);
    const proof = await a.inclusionProof(150, head.tree_size);
    expect(() => verifyInclusion(150, head.tree_size, entry!.leafHash, proof, Buffer.from(head.root_hash, 'hex'))).not.toThrow();
    expect((await verifyLedger(a, head, heads.publicKey)).ok).toBe(true);
    await pg.db.query(`UPDATE eikos.entries SET bytes = set_byte(bytes, 12, get_byte(bytes, 12) # 1) WHERE index = 123`);
    const report = await verifyLedger(a, head, heads.publicKey);
    expect(report.ok).toBe(false);
    expect(report.first_bad_index).toBe(123);
  });
});
