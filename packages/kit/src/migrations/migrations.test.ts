import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freshPglite, freshPostgresUrl, tempDir, TEST_DATABASE_URL, uniqueName } from '../../../../test/helpers.js';
import { createPostgresDatabase, type Database } from '../db/index.js';
import { loadMigrations, runMigrations } from './index.js';

const KIT = ['kit:0001_outbox', 'kit:0002_idempotency_keys', 'kit:0003_outbox_txid'];

/** A temp directory holding `files` (name → SQL). */
function migrationDir(files: Record<string, string>): string {
  const dir = tempDir('migrations');
  for (const [name, sql] of Object.entries(files)) writeFileSync(join(dir, name), sql);
  return dir;
}

const WIDGETS = `CREATE TABLE {{schema}}.widgets (
  id int PRIMARY KEY,
  name text NOT NULL
);
`;
const SEED = `INSERT INTO {{schema}}.widgets VALUES (1, 'first'), (2, 'second');`;

/** What schema_migrations holds, sorted (one run shares one applied_at, so the table has no order of its own). */
async function versions(db: Database, schema: string): Promise<string[]> {
  const { rows } = await db.query<{ version: string; name: string }>(`SELECT version, name FROM "${schema}".schema_migrations`);
  return rows.map((r) => `${r.version}_${r.name}`).sort();
}

const sorted = (list: readonly string[]) => [...list].sort();

async function exists(db: Database, name: string): Promise<boolean> {
  const { rows } = await db.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [name]);
  return rows[0]?.t != null;
}

async function failure(promise: Promise<unknown>): Promise<{ code?: string; message: string }> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error as { code?: string; message: string },
  );
}

function migrationSuite(open: () => Promise<{ db: Database; cleanup(): Promise<void> }>) {
  let db: Database;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ db, cleanup } = await open());
  });
  afterAll(async () => {
    await cleanup?.();
  });

  it('applies the kit migrations and then the files, in file order, once', async () => {
    const schema = uniqueName('m');
    // Written out of order, plus files that are not migrations: the runner goes by the NNNN prefix.
    const dir = migrationDir({
      '0002_seed.sql': SEED,
      '0001_widgets.sql': WIDGETS,
      'README.md': 'not a migration',
      '3_bad_name.sql': 'SELECT nonsense;',
    });
    const migrations = loadMigrations(dir);
    expect(migrations.map((m) => `${m.version}_${m.name}`)).toEqual(['0001_widgets', '0002_seed']);

    const first = await runMigrations(db, schema, migrations);
    expect(first).toEqual({ schema, applied: [...KIT, '0001_widgets', '0002_seed'], alreadyApplied: 0 });
    expect(await versions(db, schema)).toEqual(sorted([...KIT, '0001_widgets', '0002_seed']));
    const { rows } = await db.query<{ name: string }>(`SELECT name FROM "${schema}".widgets ORDER BY id`);
    expect(rows.map((r) => r.name)).toEqual(['first', 'second']);

    const second = await runMigrations(db, schema, loadMigrations(dir));
    expect(second).toEqual({ schema, applied: [], alreadyApplied: KIT.length + 2 });
    expect((await db.query(`SELECT * FROM "${schema}".widgets`)).rows).toHaveLength(2); // the seed did not run again

    // A new file later applies just that one.
    writeFileSync(join(dir, '0003_more.sql'), `INSERT INTO {{schema}}.widgets VALUES (3, 'third');`);
    expect(await runMigrations(db, schema, loadMigrations(dir))).toEqual({ schema, applied: ['0003_more'], alreadyApplied: KIT.length + 2 });
  });

  it('creates the kit tables (outbox, idempotency_keys) in the schema', async () => {
    const schema = uniqueName('m');
    await runMigrations(db, schema);
    const { rows } = await db.query<{ table_name: string }>(
      'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name',
      [schema],
    );
    expect(rows.map((r) => r.table_name)).toEqual(['idempotency_keys', 'outbox', 'schema_migrations']);
    const outboxColumns = await db.query<{ column_name: string }>(
      "SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'outbox'",
      [schema],
    );
    expect(outboxColumns.rows.map((r) => r.column_name)).toEqual(
      expect.arrayContaining(['seq', 'id', 'topic', 'payload', 'headers', 'created_at', 'published_at', 'locked_until', 'attempts', 'last_error']),
    );
  });

  it('refuses a changed applied migration with KIT_ERR_MIGRATION_CHECKSUM_MISMATCH naming schema and migration', async () => {
    const schema = uniqueName('m');
    const dir = migrationDir({ '0001_widgets.sql': WIDGETS, '0002_seed.sql': SEED });
    await runMigrations(db, schema, loadMigrations(dir));
    writeFileSync(join(dir, '0001_widgets.sql'), `${WIDGETS}\n-- an innocent-looking edit\n`);
    writeFileSync(join(dir, '0003_more.sql'), `INSERT INTO {{schema}}.widgets VALUES (3, 'third');`);
    const error = await failure(runMigrations(db, schema, loadMigrations(dir)));
    expect(error.code).toBe('KIT_ERR_MIGRATION_CHECKSUM_MISMATCH');
    expect(error.message).toContain(`${schema}/0001_widgets`);
    // Nothing else ran: 0003 is not applied.
    expect(await versions(db, schema)).not.toContain('0003_more');
    expect((await db.query(`SELECT * FROM "${schema}".widgets`)).rows).toHaveLength(2);
    // Put back (with CRLF line endings, which are not a change), it passes and 0003 applies.
    writeFileSync(join(dir, '0001_widgets.sql'), WIDGETS.replace(/\n/g, '\r\n'));
    expect((await runMigrations(db, schema, loadMigrations(dir))).applied).toEqual(['0003_more']);
  });

  it('refuses a database ahead of the files with KIT_ERR_MIGRATION_UNKNOWN_VERSION', async () => {
    const schema = uniqueName('m');
    const dir = migrationDir({ '0001_widgets.sql': WIDGETS, '0002_seed.sql': SEED });
    await runMigrations(db, schema, loadMigrations(dir));
    const older = loadMigrations(dir).filter((m) => m.version === '0001');
    const error = await failure(runMigrations(db, schema, older));
    expect(error.code).toBe('KIT_ERR_MIGRATION_UNKNOWN_VERSION');
    expect(error.message).toContain(`${schema}/0002_seed`);
  });

  it('leaves nothing half-applied when a migration fails', async () => {
    const schema = uniqueName('m');
    const dir = migrationDir({ '0001_widgets.sql': WIDGETS });
    await runMigrations(db, schema, loadMigrations(dir));
    writeFileSync(join(dir, '0002_seed.sql'), SEED);
    writeFileSync(
      join(dir, '0003_broken.sql'),
      `CREATE TABLE {{schema}}.gadgets (id int);
       INSERT INTO {{schema}}.widgets VALUES (99, 'half');
       SELECT 1 / 0;`,
    );
    const error = await failure(runMigrations(db, schema, loadMigrations(dir)));
    expect(error).toMatchObject({ code: '22012' }); // division_by_zero, passed through
    expect(await versions(db, schema)).toEqual(sorted([...KIT, '0001_widgets']));
    expect(await exists(db, `"${schema}".gadgets`)).toBe(false);
    expect((await db.query(`SELECT * FROM "${schema}".widgets`)).rows).toHaveLength(0); // 0002's seed rolled back too

    // On a schema never migrated, even the kit tables and the schema itself roll back.
    const fresh = uniqueName('m');
    await failure(runMigrations(db, fresh, loadMigrations(dir)));
    expect(await exists(db, `"${fresh}".outbox`)).toBe(false);
    const { rows } = await db.query('SELECT 1 FROM information_schema.schemata WHERE schema_name = $1', [fresh]);
    expect(rows).toHaveLength(0);

    // Fixed, it applies.
    writeFileSync(join(dir, '0003_broken.sql'), 'CREATE TABLE {{schema}}.gadgets (id int);');
    expect((await runMigrations(db, schema, loadMigrations(dir))).applied).toEqual(['0002_seed', '0003_broken']);
  });
}

describe('migrations on PGlite', () => {
  migrationSuite(async () => {
    const db = await freshPglite();
    return { db, cleanup: () => db.close() };
  });
});

describe.skipIf(!TEST_DATABASE_URL)('migrations on PostgreSQL', () => {
  migrationSuite(async () => {
    const { url, drop } = await freshPostgresUrl();
    const db = createPostgresDatabase({ url });
    return {
      db,
      async cleanup() {
        await db.close();
        await drop();
      },
    };
  });
});

interface RunReport {
  ok: boolean;
  pid: number;
  started: number;
  finished: number;
  result?: { applied: string[]; alreadyApplied: number };
  error?: string;
}

describe.skipIf(!TEST_DATABASE_URL)('migrations from concurrent processes on PostgreSQL', () => {
  const fixture = fileURLToPath(new URL('../../../../test/fixtures/migrate.mjs', import.meta.url));
  const children = new Set<ChildProcessWithoutNullStreams>();
  afterEach(() => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    children.clear();
  });

  it('three processes at once: all succeed, each migration applied exactly once', async () => {
    expect(existsSync(new URL('../../dist/migrations/index.js', import.meta.url)), 'run `npm run build` first').toBe(true);
    const { url, drop } = await freshPostgresUrl();
    const schema = uniqueName('race');
    // Each of these fails if it runs twice: CREATE TABLE without IF NOT EXISTS, a unique counter row.
    const dir = migrationDir({
      '0001_counter.sql': 'CREATE TABLE {{schema}}.counter (id int PRIMARY KEY, runs int NOT NULL);',
      '0002_slow.sql': `CREATE TABLE {{schema}}.once (id int);
        INSERT INTO {{schema}}.counter VALUES (1, 1);
        SELECT pg_sleep(0.3);`,
      '0003_bump.sql': 'UPDATE {{schema}}.counter SET runs = runs + 1; CREATE INDEX once_id ON {{schema}}.once (id);',
    });
    try {
      const reports = await (async () => {
        const lines: Promise<string>[] = [];
        const ready: Promise<void>[] = [];
        for (let i = 0; i < 3; i++) {
          const child = spawn(process.execPath, [fixture, url, schema, dir], { stdio: 'pipe' });
          children.add(child);
          let stderr = '';
          child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
          const out = createInterface({ input: child.stdout });
          const iterator = out[Symbol.asyncIterator]();
          const next = async (): Promise<string> => {
            const { value, done } = await iterator.next();
            if (done) throw new Error(`child ${child.pid} ended early: ${stderr}`);
            return value;
          };
          const isReady = next().then((line) => expect(line).toBe('ready'));
          ready.push(isReady);
          lines.push(isReady.then(next));
        }
        await Promise.all(ready);
        for (const child of children) child.stdin.write('go\n'); // the start barrier
        return (await Promise.all(lines)).map((line) => JSON.parse(line) as RunReport);
      })();

      for (const report of reports) expect(report.error ?? null).toBeNull();
      expect(reports.every((r) => r.ok)).toBe(true);
      // They really overlapped: each started before any finished.
      expect(Math.max(...reports.map((r) => r.started))).toBeLessThan(Math.min(...reports.map((r) => r.finished)));
      const all = [...KIT, '0001_counter', '0002_slow', '0003_bump'];
      const appliers = reports.filter((r) => r.result?.applied.length);
      expect(appliers).toHaveLength(1);
      expect(appliers[0]?.result?.applied).toEqual(all);
      for (const other of reports.filter((r) => r !== appliers[0])) {
        expect(other.result).toMatchObject({ applied: [], alreadyApplied: all.length });
      }

      const db = createPostgresDatabase({ url });
      try {
        expect(await versions(db, schema)).toEqual(sorted(all));
        const { rows } = await db.query<{ id: number; runs: number }>(`SELECT id, runs FROM "${schema}".counter`);
        expect(rows).toEqual([{ id: 1, runs: 2 }]); // inserted once (runs 1), bumped once (runs 2)
      } finally {
        await db.close();
      }
    } finally {
      await drop();
    }
  });
});
