import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freshPglite, freshPostgresUrl, silentLog, TEST_DATABASE_URL, uniqueName } from '../../../../test/helpers.js';
import { createMemoryBus, type Bus, type BusEvent } from '../bus/index.js';
import { createPostgresDatabase, type Database } from '../db/index.js';
import { runMigrations } from '../migrations/index.js';
import { Outbox, OUTBOX_SETTLED, type OutboxOptions } from './index.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** A consumer that deduplicates by event id, as every real consumer must (delivery is at-least-once). */
async function consumer(bus: Bus, pattern = '>') {
  const events: BusEvent[] = [];
  const seen = new Map<string, number>();
  await bus.subscribe(
    pattern,
    async (event) => {
      seen.set(event.id, (seen.get(event.id) ?? 0) + 1);
      if (seen.get(event.id) === 1) events.push(event);
      await Promise.resolve();
    },
    { durable: uniqueName('consumer') },
  );
  return { events, seen };
}

/** The outside dependency's double: a bus whose publish number n fails when `fails(n)`; the rest go to a memory bus. */
function flakyBus(inner: Bus, fails: (n: number) => boolean): Bus & { publishes: number } {
  const bus = {
    kind: 'memory' as const,
    publishes: 0,
    async publish(event: BusEvent) {
      const n = ++bus.publishes;
      if (fails(n)) throw new Error(`bus down (publish #${n})`);
      await inner.publish(event);
    },
    subscribe: inner.subscribe.bind(inner),
    health: inner.health.bind(inner),
    close: inner.close.bind(inner),
  };
  return bus;
}

interface OutboxRow {
  seq: number | string;
  id: string;
  published_at: Date | null;
  locked_until: Date | null;
  attempts: number;
  last_error: string | null;
  created_at: Date;
}

async function rows(db: Database, schema: string): Promise<OutboxRow[]> {
  return (await db.query<OutboxRow>(`SELECT * FROM "${schema}".outbox ORDER BY seq`)).rows;
}

function outboxSuite(open: () => Promise<{ db: Database; cleanup(): Promise<void> }>) {
  let db: Database;
  let cleanup: () => Promise<void>;
  const started: Outbox[] = [];
  beforeAll(async () => {
    ({ db, cleanup } = await open());
  });
  afterEach(async () => {
    await Promise.all(started.splice(0).map((o) => o.stop()));
  });
  afterAll(async () => {
    await cleanup?.();
  });

  async function setup(options: Partial<OutboxOptions> = {}) {
    const schema = uniqueName('ob');
    await runMigrations(db, schema);
    const bus = options.bus ?? createMemoryBus();
    const outbox = new Outbox({ db, schema, bus, log: silentLog, pollMs: 20, ...options });
    return { schema, bus, outbox, start: () => (started.push(outbox), outbox.start()) };
  }

  it('delivers events emitted in a transaction after commit, with topic, payload, headers and time', async () => {
    const { schema, bus, outbox, start } = await setup();
    const { events } = await consumer(bus, 'orders.>');
    start();
    const before = Date.now();
    const payload = { order: 7, items: [{ sku: 'a-1', qty: 2 }], note: 'olá' };
    const id = await outbox.transaction(async (_tx, emit) => {
      const eventId = await emit('orders.created', payload, { 'x-request-id': 'req-1' });
      await sleep(150); // the relay polls every 20 ms: nothing may leave before the commit
      expect(events).toHaveLength(0);
      return eventId;
    });
    await waitFor('the delivery', () => events.length === 1);
    const [event] = events;
    expect(event).toMatchObject({ id, topic: 'orders.created', payload, headers: { 'x-request-id': 'req-1' } });
    const [row] = await rows(db, schema);
    expect(event?.time).toBe(new Date(row!.created_at).toISOString());
    expect(Date.parse(event!.time)).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(event!.time)).toBeLessThanOrEqual(Date.now() + 1000);
    await waitFor('published_at', async () => (await rows(db, schema))[0]?.published_at != null);
    expect(await outbox.backlog()).toBe(0);
  });

  it('takes an event without a payload (delivered as null) without failing the transaction', async () => {
    const { bus, outbox } = await setup();
    const { events } = await consumer(bus);
    await outbox.transaction(async (_tx, emit) => {
      await emit('cache.flushed', undefined);
    });
    expect(await outbox.relayOnce()).toBe(1);
    expect(events.map((e) => [e.topic, e.payload, e.headers])).toEqual([['cache.flushed', null, {}]]);
  });

  it('emits nothing from a rolled-back transaction', async () => {
    const { schema, bus, outbox, start } = await setup();
    const { events } = await consumer(bus);
    start();
    await expect(
      outbox.transaction(async (_tx, emit) => {
        await emit('orders.created', { order: 1 });
        await emit('orders.created', { order: 2 });
        throw new Error('abandoned');
      }),
    ).rejects.toThrow('abandoned');
    await sleep(150);
    expect(events).toHaveLength(0);
    expect(await rows(db, schema)).toHaveLength(0);
    expect(await outbox.relayOnce()).toBe(0);
  });

  it('publishes in seq order within one relay, across batches and transactions', async () => {
    const { bus, outbox } = await setup({ batchSize: 7 });
    const { events } = await consumer(bus);
    let i = 0;
    for (let t = 0; t < 5; t++) {
      await outbox.transaction(async (_tx, emit) => {
        for (let k = 0; k < 6; k++) await emit(`seq.t${t}`, { i: i++ });
      });
    }
    let published = 0;
    for (let pass = 0; pass < 10; pass++) published += await outbox.relayOnce();
    expect(published).toBe(30);
    expect(events.map((e) => (e.payload as { i: number }).i)).toEqual(Array.from({ length: 30 }, (_, k) => k));
  });

  it('keeps events unpublished with last_error when the bus fails, and a later pass publishes them', async () => {
    const inner = createMemoryBus();
    const bus = flakyBus(inner, (n) => n <= 2);
    const { schema, outbox } = await setup({ bus });
    const { events } = await consumer(inner);
    const ids = await outbox.transaction(async (_tx, emit) => [await emit('a.b', { i: 0 }), await emit('a.b', { i: 1 }), await emit('a.b', { i: 2 })]);

    await expect(outbox.relayOnce()).rejects.toThrow('bus down (publish #1)');
    let state = await rows(db, schema);
    expect(state.map((r) => [r.published_at, r.locked_until, r.attempts, r.last_error])).toEqual(
      Array.from({ length: 3 }, () => [null, null, 1, 'bus down (publish #1)']),
    );
    await expect(outbox.relayOnce()).rejects.toThrow('bus down (publish #2)');
    expect((await rows(db, schema)).map((r) => r.last_error)).toEqual(Array.from({ length: 3 }, () => 'bus down (publish #2)'));

    expect(await outbox.relayOnce()).toBe(3);
    state = await rows(db, schema);
    expect(state.every((r) => r.published_at instanceof Date && r.last_error === null && r.locked_until === null)).toBe(true);
    expect(state.map((r) => r.attempts)).toEqual([3, 3, 3]);
    expect(events.map((e) => e.id)).toEqual(ids);
  });

  it('stops at the failed event (earlier ones stay published) and the running relay retries the rest', async () => {
    const inner = createMemoryBus();
    const bus = flakyBus(inner, (n) => n === 2);
    const { schema, outbox, start } = await setup({ bus });
    const { events, seen } = await consumer(inner);
    await outbox.transaction(async (_tx, emit) => {
      for (let i = 0; i < 4; i++) await emit('a.b', { i });
    });
    await expect(outbox.relayOnce()).rejects.toThrow('bus down (publish #2)');
    const state = await rows(db, schema);
    expect(state.map((r) => r.published_at !== null)).toEqual([true, false, false, false]);
    expect(state.map((r) => r.last_error)).toEqual([null, 'bus down (publish #2)', 'bus down (publish #2)', 'bus down (publish #2)']);

    start();
    await waitFor('the retry', () => events.length === 4);
    expect(events.map((e) => (e.payload as { i: number }).i)).toEqual([0, 1, 2, 3]);
    expect([...seen.values()]).toEqual([1, 1, 1, 1]);
    await waitFor('the backlog to drain', async () => (await outbox.backlog()) === 0);
  });

  it('hands a bus with publishAll the claimed batch in one call; when it fails, the whole batch is released and published later', async () => {
    const inner = createMemoryBus();
    let calls = 0;
    const bus = Object.assign(flakyBus(inner, () => false), {
      async publishAll(events: readonly BusEvent[]) {
        if (++calls === 1) throw new Error('bus down (batch #1)');
        await inner.publishAll!(events);
      },
    });
    const { schema, outbox } = await setup({ bus });
    const { events } = await consumer(inner);
    await outbox.transaction(async (_tx, emit) => {
      for (let i = 0; i < 5; i++) await emit('a.b', { i });
    });
    await expect(outbox.relayOnce()).rejects.toThrow('bus down (batch #1)');
    expect((await rows(db, schema)).map((r) => [r.published_at, r.last_error])).toEqual(Array.from({ length: 5 }, () => [null, 'bus down (batch #1)']));
    expect(await outbox.relayOnce()).toBe(5);
    expect(calls).toBe(2);
    expect(bus.publishes).toBe(0); // never one at a time
    expect(events.map((e) => (e.payload as { i: number }).i)).toEqual([0, 1, 2, 3, 4]);
  });

  it('prune() deletes published rows past the retention count and age, never unpublished ones', async () => {
    const { schema, outbox } = await setup({ retentionEvents: 5, retentionHours: 24 });
    await outbox.transaction(async (_tx, emit) => {
      for (let i = 0; i < 12; i++) await emit('p.q', { i });
    });
    expect(await outbox.relayOnce()).toBe(12);
    await outbox.transaction(async (_tx, emit) => {
      for (let i = 12; i < 15; i++) await emit('p.q', { i });
    });
    const seqs = (await rows(db, schema)).map((r) => Number(r.seq));
    const at = (k: number) => seqs[k];
    // Old: one recent-by-count published row (k = 10) and one unpublished row (k = 12).
    await db.query(`UPDATE "${schema}".outbox SET created_at = now() - interval '30 hours' WHERE seq = ANY($1::bigint[])`, [[at(10), at(12)]]);

    expect(await outbox.prune()).toBe(7); // k = 10 by age; then all but the newest 5 published (k = 0..5)
    const left = await rows(db, schema);
    expect(left.filter((r) => r.published_at).map((r) => Number(r.seq))).toEqual([at(6), at(7), at(8), at(9), at(11)]);
    expect(left.filter((r) => !r.published_at).map((r) => Number(r.seq))).toEqual([at(12), at(13), at(14)]);
    expect(await outbox.prune()).toBe(0);
    expect(await outbox.backlog()).toBe(3);
  });
}

describe('outbox on PGlite with the memory bus', () => {
  outboxSuite(async () => {
    const db = await freshPglite();
    return { db, cleanup: () => db.close() };
  });
});

describe.skipIf(!TEST_DATABASE_URL)('outbox on PostgreSQL with the memory bus', () => {
  let url: string;
  let drop: () => Promise<void>;
  const dbs: Database[] = [];
  const connect = () => {
    const db = createPostgresDatabase({ url });
    dbs.push(db);
    return db;
  };
  beforeAll(async () => {
    ({ url, drop } = await freshPostgresUrl());
  });
  afterAll(async () => {
    await Promise.all(dbs.map((db) => db.close()));
    await drop?.();
  });

  outboxSuite(() => Promise.resolve({ db: connect(), cleanup: () => Promise.resolve() }));

  it('a relay killed between commit and publish loses nothing: after the lease, a new relay delivers each event once', async () => {
    expect(existsSync(new URL('../../dist/outbox/index.js', import.meta.url)), 'run `npm run build` first').toBe(true);
    const db = connect();
    const schema = uniqueName('crash');
    await runMigrations(db, schema);
    const N = 25;
    const leaseMs = 1000;
    const fixture = fileURLToPath(new URL('../../../../test/fixtures/outbox-crash.mjs', import.meta.url));
    const child = spawn(process.execPath, [fixture, url, schema, String(N), String(leaseMs)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let ids: string[] = [];
    try {
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
      const next = async () => {
        const { value, done } = await lines.next();
        if (done) throw new Error(`the child ended early: ${stderr}`);
        return value;
      };
      ids = (JSON.parse(await next()) as { ids: string[] }).ids;
      expect(await next()).toBe(`publishing ${ids[0]}`);
    } finally {
      child.kill('SIGKILL');
    }
    await new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(null) : child.once('exit', resolve)));
    expect(child.signalCode).toBe('SIGKILL');
    expect(ids).toHaveLength(N);
    expect(new Set(ids).size).toBe(N);

    // The dead relay claimed the whole batch and published nothing.
    const claimed = await db.query<{ n: string }>(
      `SELECT count(*) AS n FROM "${schema}".outbox WHERE published_at IS NULL AND attempts = 1 AND locked_until > now()`,
    );
    expect(Number(claimed.rows[0]?.n)).toBe(N);

    const bus = createMemoryBus();
    const { events, seen } = await consumer(bus);
    const relay = new Outbox({ db, schema, bus, log: silentLog });
    expect(await relay.relayOnce()).toBe(0); // still leased to the dead one
    let published = 0;
    const deadline = Date.now() + leaseMs + 3000;
    while (published < N && Date.now() < deadline) {
      published += await relay.relayOnce();
      if (published < N) await sleep(25);
    }
    expect(published).toBe(N);
    expect(events.map((e) => e.id)).toEqual(ids);
    expect([...seen.values()].every((count) => count === 1)).toBe(true);
    expect(events.map((e) => (e.payload as { i: number }).i)).toEqual(Array.from({ length: N }, (_, i) => i));
    expect(events[3]?.headers).toEqual({ 'x-i': '3' });
    expect(await relay.backlog()).toBe(0);
    expect(await relay.relayOnce()).toBe(0);
  });

  it('two relays at once publish each event exactly once (SKIP LOCKED and leases)', async () => {
    const schema = uniqueName('pair');
    const [dbA, dbB] = [connect(), connect()];
    await runMigrations(dbA, schema);
    const N = 300;
    const inner = createMemoryBus();
    const { events, seen } = await consumer(inner);
    const count = { a: 0, b: 0 };
    const counting = (name: 'a' | 'b') => flakyBus(inner, () => (count[name]++, false));
    const a = new Outbox({ db: dbA, schema, bus: counting('a'), log: silentLog, batchSize: 10, pollMs: 10 });
    const b = new Outbox({ db: dbB, schema, bus: counting('b'), log: silentLog, batchSize: 10, pollMs: 10 });
    for (let t = 0; t < 10; t++) {
      await a.transaction(async (_tx, emit) => {
        for (let k = 0; k < N / 10; k++) await emit('pair.x', { t, k });
      });
    }
    try {
      a.start();
      b.start();
      await waitFor('every event', () => seen.size === N, 15_000);
      await waitFor('the backlog to drain', async () => (await a.backlog()) === 0);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
    expect(count.a + count.b).toBe(N);
    expect(count.a).toBeGreaterThan(0);
    expect(count.b).toBeGreaterThan(0);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    expect(events).toHaveLength(N);
  });

  it('a reader by seq waits for a lower seq that commits late, instead of stepping over it (OUTBOX_SETTLED)', async () => {
    const db = connect();
    const schema = uniqueName('late');
    await runMigrations(db, schema);
    const outbox = new Outbox({ db, schema, bus: createMemoryBus({ log: silentLog }), log: silentLog });
    const read = async () =>
      (await db.query<{ topic: string }>(`SELECT topic FROM ${schema}.outbox WHERE seq > 0 AND ${OUTBOX_SETTLED} ORDER BY seq`)).rows.map((r) => r.topic);
    let releaseEarly!: () => void;
    const early = new Promise<void>((resolve) => (releaseEarly = resolve));
    let emittedEarly!: () => void;
    const earlyEmitted = new Promise<void>((resolve) => (emittedEarly = resolve));
    // Transaction 1 takes the lower seq and stays open; transaction 2 takes the next one and commits first.
    const first = outbox.transaction(async (_tx, emit) => {
      await emit('late.first', {});
      emittedEarly();
      await early;
    });
    await earlyEmitted;
    await outbox.transaction(async (_tx, emit) => {
      await emit('late.second', {});
    });
    const naive = (await db.query<{ topic: string }>(`SELECT topic FROM ${schema}.outbox WHERE seq > 0 ORDER BY seq`)).rows.map((r) => r.topic);
    expect(naive).toEqual(['late.second']); // what a plain `seq > n` reader would send, and then never send late.first
    expect(await read()).toEqual([]);
    releaseEarly();
    await first;
    expect(await read()).toEqual(['late.first', 'late.second']);
  });
});
