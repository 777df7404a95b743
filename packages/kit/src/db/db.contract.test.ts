import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshPglite, freshPostgresUrl, TEST_DATABASE_URL } from '../../../../test/helpers.js';
import { createPostgresDatabase, type Database } from './index.js';

/*
 * The contract both adapters keep. Where PGlite and PostgreSQL (node-postgres) answer differently,
 * the tests below assert only what is common, and the difference is written down here:
 *
 * - int8 / bigserial / count(*): `pg` returns a string ('42'); PGlite a number (42), or a BigInt
 *   once the value exceeds Number.MAX_SAFE_INTEGER. Portable code converts: Number(v) / BigInt(v) / String(v).
 * - bytea: `pg` returns a Buffer; PGlite a plain Uint8Array (same bytes). Wrap with Buffer.from().
 * - interval: `pg` returns a PostgresInterval object; PGlite the text ('1 day').
 * - A JS array passed as a jsonb parameter: PGlite sends JSON, `pg` sends a Postgres array literal
 *   ("invalid input syntax for type json"). Always pass JSON.stringify(value) for json/jsonb.
 * - rowCount of a plain SELECT: the number of rows on PostgreSQL, 0 on PGlite (types.ts says so).
 * - Inside db.transaction(fn), a query on `db` (not on `tx`) waits for the transaction on PGlite
 *   (one connection: it deadlocks if fn awaits it) and runs on another connection on PostgreSQL.
 */
interface Target {
  db: Database;
  cleanup(): Promise<void>;
}

function contract(kind: Database['kind'], open: () => Promise<Target>) {
  let target: Target;
  let db: Database;
  let n = 0;
  const table = () => `contract.t${++n}`;

  beforeAll(async () => {
    target = await open();
    db = target.db;
    await db.exec('CREATE SCHEMA contract');
  });
  afterAll(async () => {
    await target?.cleanup();
  });

  it('is the kind it says', () => {
    expect(db.kind).toBe(kind);
  });

  it('runs a query with $n parameters, passing strings through untouched', async () => {
    const tricky = `it's "quoted"; DROP TABLE x; --`;
    const { rows } = await db.query<{ sum: number; s: string; nothing: string | null }>(
      'SELECT $1::int + $2::int AS sum, $3::text AS s, $4::text AS nothing',
      [2, 3, tricky, null],
    );
    expect(rows).toEqual([{ sum: 5, s: tricky, nothing: null }]);
  });

  it('reports rowCount for insert, update and delete', async () => {
    const t = table();
    await db.exec(`CREATE TABLE ${t} (id int PRIMARY KEY, v text)`);
    expect((await db.query(`INSERT INTO ${t} (id, v) VALUES (1, 'a'), (2, 'b'), (3, 'b')`)).rowCount).toBe(3);
    expect((await db.query(`UPDATE ${t} SET v = 'c' WHERE v = $1`, ['b'])).rowCount).toBe(2);
    expect((await db.query(`UPDATE ${t} SET v = 'c' WHERE id = 99`)).rowCount).toBe(0);
    const returning = await db.query<{ id: number }>(`DELETE FROM ${t} WHERE v = 'c' RETURNING id`);
    expect(returning.rowCount).toBe(2);
    expect(returning.rows.map((r) => r.id).sort()).toEqual([2, 3]);
    expect((await db.query(`DELETE FROM ${t}`)).rowCount).toBe(1);
  });

  it('exec runs several statements, and a failing one undoes the whole string', async () => {
    const t = table();
    await db.exec(`CREATE TABLE ${t} (id int PRIMARY KEY);
      INSERT INTO ${t} VALUES (1);
      INSERT INTO ${t} VALUES (2);`);
    expect((await db.query<{ id: number }>(`SELECT id FROM ${t} ORDER BY id`)).rows).toEqual([{ id: 1 }, { id: 2 }]);
    // A multi-statement string is one implicit transaction on both.
    await expect(db.exec(`INSERT INTO ${t} VALUES (3); INSERT INTO ${t} VALUES (1);`)).rejects.toMatchObject({ code: '23505' });
    expect((await db.query(`SELECT id FROM ${t}`)).rows).toHaveLength(2);
  });

  it('commits a transaction and returns what fn returned', async () => {
    const t = table();
    await db.exec(`CREATE TABLE ${t} (id int PRIMARY KEY)`);
    const result = await db.transaction(async (tx) => {
      await tx.query(`INSERT INTO ${t} VALUES ($1)`, [1]);
      await tx.exec(`INSERT INTO ${t} VALUES (2); INSERT INTO ${t} VALUES (3)`);
      const { rows } = await tx.query<{ n: number | string }>(`SELECT count(*) AS n FROM ${t}`);
      return Number(rows[0]?.n);
    });
    expect(result).toBe(3);
    expect((await db.query(`SELECT id FROM ${t}`)).rows).toHaveLength(3);
  });

  it('rolls a transaction back when fn throws, and rethrows that very error', async () => {
    const t = table();
    await db.exec(`CREATE TABLE ${t} (id int PRIMARY KEY); INSERT INTO ${t} VALUES (1)`);
    const boom = new Error('changed my mind');
    await expect(
      db.transaction(async (tx) => {
        await tx.query(`INSERT INTO ${t} VALUES (2)`);
        await tx.query(`UPDATE ${t} SET id = 10 WHERE id = 1`);
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect((await db.query<{ id: number }>(`SELECT id FROM ${t}`)).rows).toEqual([{ id: 1 }]);
  });

  it('rolls back on an SQL error and rethrows it with its SQLSTATE', async () => {
    const t = table();
    await db.exec(`CREATE TABLE ${t} (id int PRIMARY KEY); INSERT INTO ${t} VALUES (1)`);
    await expect(
      db.transaction(async (tx) => {
        await tx.query(`INSERT INTO ${t} VALUES (2)`);
        await tx.query(`INSERT INTO ${t} VALUES (1)`);
      }),
    ).rejects.toMatchObject({ code: '23505' });
    expect((await db.query(`SELECT id FROM ${t}`)).rows).toHaveLength(1);
    // The connection is usable afterwards (no transaction left open).
    expect((await db.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  it('round-trips jsonb as parsed values, from a JSON string parameter', async () => {
    const t = table();
    await db.exec(`CREATE TABLE ${t} (j jsonb)`);
    const value = { text: 'olá ✓ "q"', n: 1.5, list: [1, 'two', null, { deep: true }], empty: {} };
    await db.query(`INSERT INTO ${t} VALUES ($1), ($2), ($3)`, [JSON.stringify(value), JSON.stringify('just a string'), JSON.stringify([1, 2])]);
    const { rows } = await db.query<{ j: unknown }>(`SELECT j FROM ${t}`);
    expect(rows.map((r) => r.j)).toEqual([value, 'just a string', [1, 2]]);
  });

  it('round-trips bigint values (type differs: see the note at the top)', async () => {
    const t = table();
    await db.exec(`CREATE TABLE ${t} (id bigserial PRIMARY KEY, b bigint)`);
    const big = '9007199254740993'; // 2^53 + 1: not representable as a JS number
    await db.query(`INSERT INTO ${t} (b) VALUES ($1), ($2), ($3)`, [big, '42', '-7']);
    const { rows } = await db.query<{ id: unknown; b: unknown }>(`SELECT id, b FROM ${t} ORDER BY id`);
    expect(rows.map((r) => String(r.b))).toEqual([big, '42', '-7']);
    expect(rows.map((r) => Number(r.id))).toEqual([1, 2, 3]);
    expect(rows.map((r) => BigInt(r.b as string))).toEqual([9007199254740993n, 42n, -7n]);
    // As a parameter both take a string (exact) and compare numerically.
    const hit = await db.query(`SELECT 1 FROM ${t} WHERE b = $1`, [big]);
    expect(hit.rows).toHaveLength(1);
  });

  it('round-trips timestamptz as Date (millisecond precision)', async () => {
    const t = table();
    await db.exec(`CREATE TABLE ${t} (id int, at timestamptz)`);
    const at = new Date('2024-02-29T23:59:58.123Z');
    await db.query(`INSERT INTO ${t} VALUES (1, $1), (2, $2), (3, $3)`, [at, '2024-02-29T23:59:58.123456Z', '2024-03-01 01:59:58.123+02']);
    const { rows } = await db.query<{ at: Date }>(`SELECT at FROM ${t} ORDER BY id`);
    for (const row of rows) {
      expect(row.at).toBeInstanceOf(Date);
      expect(row.at.toISOString()).toBe('2024-02-29T23:59:58.123Z');
    }
    // The database keeps the microseconds even though the Date cannot.
    const micro = await db.query<{ us: number | string }>(`SELECT extract(microseconds FROM at)::int AS us FROM ${t} WHERE id = 2`);
    expect(Number(micro.rows[0]?.us)).toBe(58_123_456);
  });

  it('round-trips bytea (Buffer on PostgreSQL, Uint8Array on PGlite: same bytes)', async () => {
    const t = table();
    await db.exec(`CREATE TABLE ${t} (b bytea)`);
    const bytes = Buffer.from([0, 1, 2, 127, 128, 254, 255, 0]);
    await db.query(`INSERT INTO ${t} VALUES ($1)`, [bytes]);
    const { rows } = await db.query<{ b: Uint8Array; len: number }>(`SELECT b, octet_length(b) AS len FROM ${t}`);
    expect(rows[0]?.b).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(rows[0]!.b).equals(bytes)).toBe(true);
    expect(rows[0]?.len).toBe(8);
  });

  it('reports healthy', async () => {
    const health = await db.health();
    expect(health).toMatchObject({ status: 'healthy', kind });
    expect(health.latency_ms).toBeGreaterThanOrEqual(0);
    expect(health.error).toBeUndefined();
  });
}

describe('Database contract: PGlite', () => {
  contract('pglite', async () => {
    const db = await freshPglite();
    return { db, cleanup: () => db.close() };
  });
});

describe.skipIf(!TEST_DATABASE_URL)('Database contract: PostgreSQL', () => {
  contract('postgres', async () => {
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

describe.skipIf(!TEST_DATABASE_URL)('PostgreSQL failures', () => {
  const PASSWORD = 'hunter2-Sup3rSecret';
  let silent: Server;
  const sockets = new Set<Socket>();
  let silentPort = 0;
  let closedPort = 0;

  beforeAll(async () => {
    // A port that was just free: nothing listens there (connection refused).
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    closedPort = (probe.address() as { port: number }).port;
    await new Promise((resolve) => probe.close(resolve));
    // A server that accepts TCP and never answers: only the acquire timeout ends the wait.
    silent = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    silentPort = (silent.address() as { port: number }).port;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent?.close(resolve));
  });

  for (const [what, port] of [
    ['a closed port', () => closedPort],
    ['a server that never answers', () => silentPort],
  ] as const) {
    it(`${what}: query fails with KIT_ERR_DB_UNAVAILABLE within the acquire timeout; health is down without the password`, async () => {
      const db = createPostgresDatabase({ url: `postgres://maximus:${PASSWORD}@127.0.0.1:${port()}/nothing`, acquireTimeoutMs: 500 });
      try {
        const started = performance.now();
        const error = await db.query('SELECT 1').then(
          () => undefined,
          (e: unknown) => e as { code?: string; statusCode?: number; message: string },
        );
        const elapsed = performance.now() - started;
        expect(error).toMatchObject({ code: 'KIT_ERR_DB_UNAVAILABLE', statusCode: 503 });
        expect(elapsed).toBeLessThan(500 + 400);
        expect(error?.message).not.toContain(PASSWORD);
        await expect(db.transaction(() => Promise.resolve())).rejects.toMatchObject({ code: 'KIT_ERR_DB_UNAVAILABLE' });

        const health = await db.health();
        expect(health.status).toBe('down');
        expect(health.error).toBeTruthy();
        expect(health.error).not.toContain(PASSWORD);
        expect(JSON.stringify(health)).not.toContain(PASSWORD);
        expect((db as unknown as { toString(): string }).toString()).not.toContain(PASSWORD); // its description (logs)
      } finally {
        await db.close();
      }
    });
  }

  it('waits at most acquireTimeoutMs for a pooled connection, then KIT_ERR_DB_UNAVAILABLE', async () => {
    const { url, drop } = await freshPostgresUrl();
    const db = createPostgresDatabase({ url, poolMax: 1, acquireTimeoutMs: 300 });
    try {
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      const holder = db.transaction(() => held);
      await new Promise((resolve) => setTimeout(resolve, 50));
      const started = performance.now();
      await expect(db.query('SELECT 1')).rejects.toMatchObject({ code: 'KIT_ERR_DB_UNAVAILABLE' });
      expect(performance.now() - started).toBeGreaterThanOrEqual(250);
      release();
      await holder;
      expect((await db.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      await db.close();
      await drop();
    }
  });

  it('statementTimeoutMs cancels a slow statement with KIT_ERR_DB_TIMEOUT, in and out of a transaction', async () => {
    const db = createPostgresDatabase({ url: TEST_DATABASE_URL!, statementTimeoutMs: 100 });
    try {
      const started = performance.now();
      await expect(db.query('SELECT pg_sleep(1)')).rejects.toMatchObject({ code: 'KIT_ERR_DB_TIMEOUT', statusCode: 503 });
      expect(performance.now() - started).toBeLessThan(900);
      const inTx = await db.transaction((tx) => tx.query('SELECT pg_sleep(1)')).then(
        () => undefined,
        (e: unknown) => e as { code?: string; message: string },
      );
      expect(inTx?.code).toBe('KIT_ERR_DB_TIMEOUT');
      expect(inTx?.message.match(/did not answer in time/g)).toHaveLength(1);
      expect((await db.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      await db.close();
    }
  });

  it('a transaction whose connection is killed rejects with KIT_ERR_DB_UNAVAILABLE (and the process survives)', async () => {
    const db = createPostgresDatabase({ url: TEST_DATABASE_URL! });
    const killer = createPostgresDatabase({ url: TEST_DATABASE_URL! });
    try {
      const error = await db
        .transaction(async (tx) => {
          const { rows } = await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
          await killer.query('SELECT pg_terminate_backend($1)', [rows[0]?.pid]);
          await new Promise((resolve) => setTimeout(resolve, 200));
          await tx.query('SELECT 1');
        })
        .then(
          () => undefined,
          (e: unknown) => e as { code?: string; message: string },
        );
      expect(error?.code).toBe('KIT_ERR_DB_UNAVAILABLE');
      expect(error?.message.match(/unreachable/g)).toHaveLength(1);
      expect((await db.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      await db.close();
      await killer.close();
    }
  });
});
