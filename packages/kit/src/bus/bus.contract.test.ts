import { randomUUID } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { freePort, NATS_SERVER, sleep, startNats, waitFor, type PrivateServer } from '../../../../test/servers.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLog, tempDir, TEST_NATS_URL, uniqueName } from '../../../../test/helpers.js';
import { createMemoryBus, createNatsBus, type Bus, type BusEvent, type BusHandler } from './index.js';

const MAX_DELIVER = 3;

/*
 * The contract both buses keep. Differences the tests allow for:
 * - the memory bus's publish resolves after every subscriber handled the event; JetStream's once
 *   the event is stored, so the tests wait for deliveries instead of assuming them;
 * - a JetStream consumer created for the first time starts with the events published after it.
 */
function contract(kind: Bus['kind'], open: () => Promise<{ bus: Bus; cleanup(): Promise<void> }>) {
  let bus: Bus;
  let cleanup: () => Promise<void>;
  let n = 0;
  /** A topic root of this test's own, so that tests never see each other's events. */
  const root = () => `c${++n}_${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    ({ bus, cleanup } = await open());
    await waitFor(async () => (await bus.health()).status === 'healthy', 10_000, 'the bus is healthy');
  });
  afterAll(async () => {
    await cleanup?.();
  });

  it('is the kind it says and reports healthy', async () => {
    expect(bus.kind).toBe(kind);
    expect(await bus.health()).toMatchObject({ status: 'healthy', kind });
  });

  it('delivers a published event with its id, topic, payload and headers', async () => {
    const r = root();
    const got: Array<{ event: BusEvent; attempt: number }> = [];
    await bus.subscribe(`${r}.created`, (event, { attempt }) => {
      got.push({ event, attempt });
      return Promise.resolve();
    }, { durable: `d_${r}` });
    const event = makeEvent(`${r}.created`, { name: 'x', nested: { list: [1, 'two', null] } }, { 'x-request-id': 'req-1' });
    await bus.publish(event);
    await waitFor(() => got.length === 1, 5000, 'the event arrives');
    expect(got[0]).toEqual({ event, attempt: 1 });
  });

  it('matches `*` to one segment and `>` to the rest', async () => {
    const r = root();
    const star: string[] = [];
    const rest: string[] = [];
    await bus.subscribe(`${r}.*.created`, collect(star, (e) => e.topic), { durable: `star_${r}` });
    await bus.subscribe(`${r}.>`, collect(rest, (e) => e.topic), { durable: `rest_${r}` });
    const topics = [`${r}.a.created`, `${r}.b.created`, `${r}.a.deleted`, `${r}.a.b.created`];
    for (const topic of topics) await bus.publish(makeEvent(topic));
    await waitFor(() => rest.length === 4 && star.length >= 2, 5000, 'the matching events arrive');
    await sleep(300);
    expect(star.sort()).toEqual([`${r}.a.created`, `${r}.b.created`]);
    expect(rest.sort()).toEqual([...topics].sort());
  });

  it('shares the events of one durable between its members: each is handled once per group', async () => {
    const r = root();
    const a: string[] = [];
    const b: string[] = [];
    await bus.subscribe(`${r}.job`, collect(a, (e) => e.id), { durable: `workers_${r}` });
    await bus.subscribe(`${r}.job`, collect(b, (e) => e.id), { durable: `workers_${r}` });
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const event = makeEvent(`${r}.job`, { i });
      ids.push(event.id);
      await bus.publish(event);
    }
    await waitFor(() => a.length + b.length >= 20, 5000, 'all jobs are handled');
    await sleep(300);
    expect([...a, ...b].sort()).toEqual([...ids].sort());
  });

  it('gives every event to each of two different durables', async () => {
    const r = root();
    const one: string[] = [];
    const two: string[] = [];
    await bus.subscribe(`${r}.evt`, collect(one, (e) => e.id), { durable: `one_${r}` });
    await bus.subscribe(`${r}.evt`, collect(two, (e) => e.id), { durable: `two_${r}` });
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) {
      const event = makeEvent(`${r}.evt`, { i });
      ids.push(event.id);
      await bus.publish(event);
    }
    await waitFor(() => one.length >= 10 && two.length >= 10, 5000, 'both durables get every event');
    expect(one).toEqual(ids);
    expect(two).toEqual(ids);
  });

  it('redelivers an event whose handler threw, with the next attempt number, then stops once it succeeds', async () => {
    const r = root();
    const attempts: number[] = [];
    await bus.subscribe(
      `${r}.flaky`,
      (_e, { attempt }) => {
        attempts.push(attempt);
        return attempt === 1 ? Promise.reject(new Error('transient')) : Promise.resolve();
      },
      { durable: `flaky_${r}` },
    );
    await bus.publish(makeEvent(`${r}.flaky`));
    await waitFor(() => attempts.length >= 2, 5000, 'the event is redelivered');
    await sleep(800);
    expect(attempts).toEqual([1, 2]);
  });

  it(`dead-letters an event after ${MAX_DELIVER} failed deliveries, with the reason`, async () => {
    const r = root();
    const attempts: number[] = [];
    const letters: BusEvent[] = [];
    const durable = `poison_${r}`;
    await bus.subscribe(`deadletter.${r}.poison`, collect(letters, (e) => e), { durable: `dlq_${r}` });
    await bus.subscribe(
      `${r}.poison`,
      (_e, { attempt }) => {
        attempts.push(attempt);
        return Promise.reject(new Error(`cannot handle ${r}`));
      },
      { durable },
    );
    const event = makeEvent(`${r}.poison`, { bad: true }, { 'x-trace': 't1' });
    await bus.publish(event);
    await waitFor(() => letters.length >= 1, 8000, 'the dead letter arrives');
    await sleep(500);
    expect(attempts).toEqual([1, 2, 3]);
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({
      id: event.id,
      topic: `deadletter.${r}.poison`,
      payload: { bad: true },
      headers: { 'x-trace': 't1', 'x-dead-letter-reason': `cannot handle ${r}`, 'x-dead-letter-durable': durable },
    });
  });

  it('stops delivering to a subscription after unsubscribe', async () => {
    const r = root();
    const got: string[] = [];
    const sub = await bus.subscribe(`${r}.x`, collect(got, (e) => e.id), { durable: `unsub_${r}` });
    await bus.publish(makeEvent(`${r}.x`));
    await waitFor(() => got.length === 1, 5000, 'the first event arrives');
    await sub.unsubscribe();
    await bus.publish(makeEvent(`${r}.x`));
    await sleep(500);
    expect(got).toHaveLength(1);
  });
}

describe('memory bus', () => {
  contract('memory', () => {
    const bus = createMemoryBus({ maxDeliver: MAX_DELIVER, redeliveryDelayMs: 10, log: silentLog });
    return Promise.resolve({ bus, cleanup: () => bus.close() });
  });
});

describe.skipIf(!TEST_NATS_URL)('NATS JetStream bus (shared server)', () => {
  const url = TEST_NATS_URL ?? '';
  const stream = uniqueName('MAXIMUS_TEST');
  const subjectPrefix = uniqueName('mxt');
  const buses: Bus[] = [];
  const openBus = async (extra: { ackWaitMs?: number } = {}) => {
    const bus = await createNatsBus({ url, stream, subjectPrefix, maxDeliver: MAX_DELIVER, ackWaitMs: 2000, log: silentLog, ...extra });
    buses.push(bus);
    return bus;
  };

  afterAll(async () => {
    await Promise.allSettled(buses.map((b) => b.close()));
    const nc = await connect({ servers: url });
    try {
      const jsm = await jetstreamManager(nc);
      await jsm.streams.delete(stream).catch(() => false);
    } finally {
      await nc.close();
    }
  });

  contract('nats', async () => ({ bus: await openBus(), cleanup: () => Promise.resolve() }));

  it('creates the stream with the subjects, deduplication window and retention asked for', async () => {
    await openBus();
    const nc = await connect({ servers: url });
    try {
      const info = await (await jetstreamManager(nc)).streams.info(stream);
      expect(info.config).toMatchObject({
        subjects: [`${subjectPrefix}.>`],
        storage: 'file',
        duplicate_window: 120_000_000_000,
        max_age: 86_400_000_000_000,
      });
    } finally {
      await nc.close();
    }
  });

  it('deduplicates a republished event (same id) within the window', async () => {
    const bus = await openBus();
    const topic = `dedup_${randomUUID().slice(0, 8)}.evt`;
    const got: string[] = [];
    await bus.subscribe(topic, collect(got, (e) => e.id), { durable: uniqueName('dedup') });
    const event = makeEvent(topic);
    await bus.publish(event);
    await bus.publish(event);
    await bus.publish(makeEvent(topic));
    await waitFor(() => got.length >= 2, 5000, 'two events arrive');
    await sleep(500);
    expect(got).toHaveLength(2);
    expect(got[0]).toBe(event.id);
  });

  it('starts a new durable from `replaySeconds` ago when asked, and from now otherwise', async () => {
    const bus = await openBus();
    const topic = `replay_${randomUUID().slice(0, 8)}.evt`;
    const before = makeEvent(topic);
    await bus.publish(before);
    const replayed: string[] = [];
    const fresh: string[] = [];
    await bus.subscribe(topic, collect(replayed, (e) => e.id), { durable: uniqueName('replay'), replaySeconds: 60 });
    await bus.subscribe(topic, collect(fresh, (e) => e.id), { durable: uniqueName('fresh') });
    const after = makeEvent(topic);
    await bus.publish(after);
    await waitFor(() => replayed.length === 2 && fresh.length === 1, 5000, 'the events arrive');
    expect(replayed).toEqual([before.id, after.id]);
    expect(fresh).toEqual([after.id]);
  });

  it('sanitises durable names into valid consumer names', async () => {
    const bus = await openBus();
    const topic = `names_${randomUUID().slice(0, 8)}.evt`;
    const got: string[] = [];
    await bus.subscribe(topic, collect(got, (e) => e.id), { durable: `core.governance/worker ${randomUUID().slice(0, 6)}*` });
    await bus.publish(makeEvent(topic));
    await waitFor(() => got.length === 1, 5000, 'the event arrives');
  });

  it('runs up to `concurrency` handlers at once and still handles every event once', async () => {
    const bus = await createNatsBus({ url, stream, subjectPrefix, maxDeliver: MAX_DELIVER, ackWaitMs: 2000, log: silentLog, concurrency: 4 });
    buses.push(bus);
    const topic = `conc_${randomUUID().slice(0, 8)}.evt`;
    const seen: string[] = [];
    let running = 0;
    let most = 0;
    await bus.subscribe(
      topic,
      async (e) => {
        most = Math.max(most, ++running);
        await sleep(20);
        running--;
        seen.push(e.id);
      },
      { durable: uniqueName('conc') },
    );
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) {
      const event = makeEvent(topic, { i });
      ids.push(event.id);
      await bus.publish(event);
    }
    await waitFor(() => seen.length >= 40, 10_000, 'every event is handled');
    await sleep(300);
    expect([...seen].sort()).toEqual([...ids].sort());
    expect(most).toBeGreaterThan(1);
    expect(most).toBeLessThanOrEqual(4);
  });

  it('loses nothing when a consumer dies mid-stream and another bus takes over its durable', async () => {
    const publisher = await openBus();
    const first = await openBus();
    const topic = `restart_${randomUUID().slice(0, 8)}.evt`;
    const durable = uniqueName('restart');
    const seen: string[] = [];
    const handler = async (e: BusEvent) => {
      seen.push(e.id);
      await sleep(5);
    };
    await first.subscribe(topic, handler, { durable });
    const ids: string[] = [];
    const publishing = (async () => {
      for (let i = 0; i < 60; i++) {
        const event = makeEvent(topic, { i });
        ids.push(event.id);
        await publisher.publish(event);
        await sleep(3);
      }
    })();
    await waitFor(() => seen.length >= 15, 10_000, 'the first consumer gets going');
    await first.close();
    const second = await openBus();
    await second.subscribe(topic, handler, { durable });
    await publishing;
    await waitFor(() => new Set(seen).size >= 60, 15_000, 'every event is seen');
    expect([...new Set(seen)].sort()).toEqual([...ids].sort());
  });
});

describe.skipIf(!NATS_SERVER)('NATS JetStream bus (private server that stops and starts)', () => {
  let server: PrivateServer | undefined;
  let bus: Bus | undefined;
  afterAll(async () => {
    await bus?.close();
    await server?.stop();
  });

  it('starts without NATS, reports down, rejects publish at once, and recovers when the server comes and goes', async () => {
    const port = await freePort();
    const storeDir = tempDir('nats');
    const url = `nats://127.0.0.1:${port}`;
    const started = Date.now();
    bus = await createNatsBus({ url, stream: 'PRIVATE', subjectPrefix: 'priv', maxDeliver: MAX_DELIVER, ackWaitMs: 2000, log: silentLog });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await bus.health()).toMatchObject({ status: 'down', kind: 'nats' });
    await expect(bus.publish(makeEvent('priv.evt'))).rejects.toMatchObject({ code: 'KIT_ERR_BUS_UNAVAILABLE' });

    server = await startNats(port, storeDir);
    await waitFor(async () => (await bus!.health()).status === 'healthy', 10_000, 'the bus connects once NATS is up');
    const got: string[] = [];
    await bus.subscribe('evt', collect(got, (e) => e.id), { durable: 'private_sub' });
    const before = makeEvent('evt');
    await bus.publish(before);
    await waitFor(() => got.includes(before.id), 5000, 'the event arrives');

    await server.stop();
    await waitFor(async () => (await bus!.health()).status === 'down', 5000, 'health turns down');
    const t0 = Date.now();
    const failure = await bus.publish(makeEvent('evt')).catch((error: unknown) => error);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(failure).toMatchObject({ code: 'KIT_ERR_BUS_UNAVAILABLE' });
    expect((failure as Error).cause).toBeDefined();

    server = await startNats(port, storeDir);
    const after = makeEvent('evt');
    await waitFor(
      () =>
        bus!.publish(after).then(
          () => true,
          () => false,
        ),
      15_000,
      'publish works again after NATS is back',
    );
    await waitFor(() => got.includes(after.id), 10_000, 'the consumer resumes after the restart');
    expect((await bus.health()).status).toBe('healthy');
  });
});

/** A handler that records what `pick` takes from each event. */
function collect<T>(list: T[], pick: (event: BusEvent) => T): BusHandler {
  return (event) => {
    list.push(pick(event));
    return Promise.resolve();
  };
}

function makeEvent(topic: string, payload: unknown = { n: 1 }, headers: Record<string, string> = {}): BusEvent {
  return { id: randomUUID(), topic, payload, headers, time: new Date().toISOString() };
}
