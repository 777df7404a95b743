import { freePort, NATS_SERVER, sleep, startNats, waitFor, type PrivateServer } from '../../../../test/servers.js';
import { afterAll, describe, expect, it } from 'vitest';
import { freshPglite, silentLog, tempDir } from '../../../../test/helpers.js';
import { createNatsBus, type Bus } from '../bus/index.js';
import type { Database } from '../db/index.js';
import { runMigrations } from '../migrations/index.js';
import { Outbox } from './index.js';


describe.skipIf(!NATS_SERVER)('outbox relaying to NATS JetStream through an outage', () => {
  let server: PrivateServer | undefined;
  let bus: Bus | undefined;
  let db: Database | undefined;
  let outbox: Outbox | undefined;

  afterAll(async () => {
    await outbox?.stop();
    await bus?.close();
    await db?.close();
    await server?.stop();
  });

  it('keeps the events emitted while NATS is down and delivers all of them, once each, when it is back', async () => {
    const port = await freePort();
    const storeDir = tempDir('nats');
    server = await startNats(port, storeDir);
    bus = await createNatsBus({ url: `nats://127.0.0.1:${port}`, stream: 'OUTBOX_TEST', subjectPrefix: 'ob', ackWaitMs: 3000, log: silentLog });
    await waitFor(async () => (await bus!.health()).status === 'healthy', 10_000, 'the bus is healthy');
    db = await freshPglite();
    await runMigrations(db, 'svc');
    const box = new Outbox({ db, schema: 'svc', bus, log: silentLog, pollMs: 50 });
    outbox = box;
    box.start();

    const deliveries = new Map<string, number>();
    const payloads = new Map<string, unknown>();
    await bus.subscribe(
      'test.evt',
      (event) => {
        deliveries.set(event.id, (deliveries.get(event.id) ?? 0) + 1);
        payloads.set(event.id, event.payload);
        return Promise.resolve();
      },
      { durable: 'outbox_consumer' },
    );

    const ids: string[] = [];
    const emitOne = async (n: number) => ids.push(await box.transaction(async (_tx, emit) => emit('test.evt', { n })));
    const firstBatch = (async () => {
      for (let n = 0; n < 50; n++) {
        await emitOne(n);
        await sleep(15);
      }
    })();

    await waitFor(() => deliveries.size >= 20, 10_000, '20 events arrive');
    await server.stop();
    await firstBatch;
    for (let n = 50; n < 100; n++) await emitOne(n);
    await sleep(300);
    expect(await box.backlog()).toBeGreaterThan(0);
    expect(deliveries.size).toBeLessThan(100);

    server = await startNats(port, storeDir);
    await waitFor(() => deliveries.size >= 100, 20_000, 'all 100 events arrive');
    await waitFor(async () => (await box.backlog()) === 0, 5000, 'the backlog drains');

    expect([...deliveries.keys()].sort()).toEqual([...ids].sort());
    const ns = [...payloads.values()].map((p) => (p as { n: number }).n).sort((a, b) => a - b);
    expect(ns).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });
});
