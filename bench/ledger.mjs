// The evidence ledger: durable appends/s with 100 concurrent appenders (group commit vs one transaction per
// append, the baseline), on PostgreSQL (MAXIMUS_TEST_DATABASE_URL or DATABASE_URL) and PGlite; then inclusion
// proof generation at 1M entries (the tree built in the database with SQL, in the storage scheme of
// apps/eikos/migrations/0001_ledger.sql). Run: npm run build && node bench/ledger.mjs
// BENCH_PART=proofs skips the append rates (only the proof figures).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createPgliteDatabase, createPostgresDatabase } from '@maximus/kit/db';
import { runMigrations } from '@maximus/kit/migrations';
import { LedgerStore, service, verifyInclusion, inclusionProof, MemoryTree, hashLeaf } from '@maximus/eikos';

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const concurrency = 100;
const million = Number(process.env.BENCH_TREE_SIZE ?? 1_000_000);
const part = process.env.BENCH_PART ?? 'all';
const pgUrl = process.env.MAXIMUS_TEST_DATABASE_URL ?? process.env.DATABASE_URL;
const root = mkdtempSync(join(tmpdir(), 'maximus-bench-ledger-'));
const rows = [];

async function appendRate(db, maxBatch) {
  const store = new LedgerStore(db, { maxBatch });
  const until = performance.now() + seconds * 1000;
  let done = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, w) => {
      while (performance.now() < until) {
        await store.append({ type: 'bench.append', subject_id: `subject-${w}`, actor: 'user:bench', payload: { worker: w, n: done } });
        done++;
      }
    }),
  );
  return done / seconds;
}

async function freshPg(name) {
  const admin = new pg.Client({ connectionString: pgUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(pgUrl);
  url.pathname = `/${name}`;
  return {
    db: createPostgresDatabase({ url: url.toString() }),
    async drop() {
      const c = new pg.Client({ connectionString: pgUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** 1M entries and every perfect node, generated in SQL (same bytes shape and hashing as the service). */
async function buildTree(db, n) {
  await db.exec(`INSERT INTO eikos.entries (index, bytes, leaf_hash, type, subject_id, actor, timestamp)
    SELECT i, b, sha256('\\x00'::bytea || b), 'bench', 's' || (i % 1000), 'user:bench', '2026-01-01T00:00:00Z'
    FROM (SELECT i, convert_to(format('{"actor":"user:bench","payload":{"i":%s},"subject_id":"s%s","timestamp":"2026-01-01T00:00:00.000Z","type":"bench"}', i, i % 1000), 'UTF8') AS b
          FROM generate_series(0, ${n - 1}) AS i) AS g`);
  await db.exec(`INSERT INTO eikos.nodes (level, idx, hash)
    SELECT 1, l.index / 2, sha256('\\x01'::bytea || l.leaf_hash || r.leaf_hash) FROM eikos.entries l JOIN eikos.entries r ON r.index = l.index + 1 WHERE l.index % 2 = 0`);
  for (let level = 2; 2 ** level <= n; level++) {
    await db.exec(`INSERT INTO eikos.nodes (level, idx, hash)
      SELECT ${level}, l.idx / 2, sha256('\\x01'::bytea || l.hash || r.hash) FROM eikos.nodes l JOIN eikos.nodes r ON r.level = ${level - 1} AND r.idx = l.idx + 1
      WHERE l.level = ${level - 1} AND l.idx % 2 = 0`);
  }
  await db.query('UPDATE eikos.head SET tree_size = $1 WHERE id = 1', [n]);
}

async function proofTimes(db, n, samples = 2000, warmup = 200) {
  const store = new LedgerStore(db);
  const rootHash = await store.root(n);
  const times = [];
  const cold = [];
  for (let s = -warmup; s < samples; s++) {
    const index = Math.floor(Math.random() * n);
    const t = performance.now();
    const proof = await store.inclusionProof(index, n);
    (s < 0 ? cold : times).push(performance.now() - t);
    if (s < 50 - warmup) {
      const [entry] = await store.entries([index]);
      verifyInclusion(index, n, entry.leafHash, proof, rootHash);
    }
  }
  times.sort((a, b) => a - b);
  const at = (q) => times[Math.floor(times.length * q)];
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99), max: times.at(-1), coldMax: Math.max(...cold), coldMean: cold.reduce((a, b) => a + b, 0) / (cold.length || 1) };
}

const fmt = (x, digits = 0) => x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

try {
  const targets = [];
  if (pgUrl) targets.push({ name: 'PostgreSQL', open: () => freshPg(`maximus_bench_ledger_${process.pid}`) });
  else console.log('notice: MAXIMUS_TEST_DATABASE_URL / DATABASE_URL not set: PostgreSQL skipped');
  targets.push({
    name: 'PGlite',
    open: async () => {
      const dir = mkdtempSync(join(root, 'pglite-'));
      return { db: await createPgliteDatabase({ dataDir: dir }), drop: async () => {} };
    },
  });
  for (const target of part === 'proofs' ? [] : targets) {
    for (const [mode, maxBatch] of [['group commit', 1000], ['baseline: 1 tx per append', 1]]) {
      const { db, drop } = await target.open();
      await runMigrations(db, 'eikos', service.migrations);
      const rate = await appendRate(db, maxBatch);
      rows.push([`appends/s, ${target.name}, ${mode}, ${concurrency} concurrent`, fmt(rate)]);
      console.error(`${target.name} ${mode}: ${fmt(rate)} appends/s`);
      await db.close();
      await drop();
    }
  }

  // Proof generation at 1M: the pure assembly from nodes in memory, then the store's (one SQL query + hashing).
  let t = performance.now();
  {
    // Scoped: two million retained Buffers would otherwise sit in the heap (and in every major GC) while the store
    // is measured below.
    const tree = new MemoryTree();
    for (let i = 0; i < million; i++) tree.push(hashLeaf(Buffer.from(`entry ${i}`)));
    console.error(`in-memory tree of ${fmt(million)} built in ${fmt((performance.now() - t) / 1000, 1)} s`);
    t = performance.now();
    const N = 20_000;
    for (let s = 0; s < N; s++) inclusionProof(Math.floor(Math.random() * million), million, tree.node);
    rows.push([`inclusion proof at ${fmt(million)}, assembly from nodes in memory (mean)`, `${fmt(((performance.now() - t) / N) * 1000, 1)} µs`]);
  }

  const proofTarget = targets[0];
  const { db, drop } = await proofTarget.open();
  await runMigrations(db, 'eikos', service.migrations);
  t = performance.now();
  await buildTree(db, million);
  console.error(`${proofTarget.name}: ${fmt(million)}-entry tree built in SQL in ${fmt((performance.now() - t) / 1000, 1)} s`);
  // A steady state, as a live ledger's tables are: the bulk load's dirty pages written out and the tables analysed
  // (otherwise the checkpoint's writes and autovacuum's first pass over 300 MB run during the measurement).
  if (process.env.BENCH_NO_SETTLE === undefined) {
    t = performance.now();
    await db.exec('CHECKPOINT');
    await db.exec('VACUUM ANALYZE eikos.entries');
    await db.exec('VACUUM ANALYZE eikos.nodes');
    await db.exec('CHECKPOINT');
    console.error(`${proofTarget.name}: checkpoint + VACUUM ANALYZE in ${fmt((performance.now() - t) / 1000, 1)} s`);
  }
  const times = await proofTimes(db, million);
  rows.push([`inclusion proof at ${fmt(million)}, ${proofTarget.name} store (1 query), p50`, `${fmt(times.p50, 3)} ms`]);
  rows.push([`inclusion proof at ${fmt(million)}, ${proofTarget.name} store (1 query), p95`, `${fmt(times.p95, 3)} ms`]);
  rows.push([`inclusion proof at ${fmt(million)}, ${proofTarget.name} store (1 query), p99`, `${fmt(times.p99, 3)} ms`]);
  rows.push([`inclusion proof at ${fmt(million)}, ${proofTarget.name} store (1 query), max`, `${fmt(times.max, 3)} ms`]);
  rows.push([`inclusion proof at ${fmt(million)}, ${proofTarget.name} store, first 200 (cold pool/cache), mean / max`, `${fmt(times.coldMean, 3)} / ${fmt(times.coldMax, 3)} ms`]);
  await db.close();
  await drop();

  const width = Math.max(...rows.map((r) => r[0].length));
  console.log(`| ${'measure'.padEnd(width)} | value |\n|${'-'.repeat(width + 2)}|-------|`);
  for (const [k, v] of rows) console.log(`| ${k.padEnd(width)} | ${v} |`);
} finally {
  rmSync(root, { recursive: true, force: true });
}
