import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { createNatsBus } from '@maximus/kit/bus';
import { Maximus } from '@maximus/sdk';
import type { TestGateway } from './gateway-helpers.js';
import { freshPgliteDir, silentLog, TEST_NATS_URL, uniqueName } from './helpers.js';
import { collect, embeddedGatewayAt, startAll, waitFor } from './hermes-helpers.js';

/*
 * Connected mode's bus: NATS JetStream (the shared test server, a stream and subject prefix of this file's own).
 * Positions are stream sequences; they survive hermes restarting.
 */
describe.skipIf(!TEST_NATS_URL)('hermes on NATS JetStream', () => {
  const stream = uniqueName('HERMES_T').toUpperCase();
  const env = { NATS_URL: TEST_NATS_URL ?? '', MAXIMUS_NATS_STREAM: stream, MAXIMUS_NATS_SUBJECT_PREFIX: uniqueName('hx') };
  const opened: Array<{ gateway: TestGateway; client: Maximus }> = [];

  async function open() {
    const gateway = await embeddedGatewayAt(freshPgliteDir(), env);
    await startAll(gateway.services);
    const base = await gateway.app.listen({ host: '127.0.0.1', port: 0 });
    const client = new Maximus({ baseURL: base, apiKey: gateway.adminKey, maxRetries: 0 });
    opened.push({ gateway, client });
    return { gateway, client };
  }
  afterAll(async () => {
    for (const { gateway, client } of opened) {
      await client.close();
      await gateway.close().catch(() => undefined);
    }
  });

  it('streams by stream sequence and resumes on a restarted hermes with exactly the missed events', async () => {
    const first = await open();
    const r = `n${randomUUID().slice(0, 8)}`;
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push((await first.client.events.publish({ topic: `${r}.e`, payload: { i } })).id);
    const got = await collect(first.client.events.subscribe({ topics: [`${r}.e`], lastEventId: '0' }), 2);
    expect(got.map((e) => e.id)).toEqual(ids.slice(0, 2));
    await first.gateway.close();

    const second = await open();
    ids.push((await second.client.events.publish({ topic: `${r}.e`, payload: { i: 4 } })).id);
    const resumed = await collect(second.client.events.subscribe({ topics: [`${r}.e`, `${r}.other`], lastEventId: got[1]!.position }), 3);
    expect(resumed.map((e) => e.id)).toEqual(ids.slice(2));
    expect(BigInt(resumed[0]!.position)).toBeGreaterThan(BigInt(got[1]!.position));
  });

  it('dead-letters an always-failing consumer\'s event after 5 deliveries, visible through the stream', async () => {
    const { gateway, client } = opened.at(-1) ?? (await open());
    const r = `d${randomUUID().slice(0, 8)}`;
    let attempts = 0;
    const sub = await gateway.platform.bus.subscribe(
      `${r}.fail`,
      () => {
        attempts++;
        return Promise.reject(new Error('always fails'));
      },
      { durable: `fails_${r}` },
    );
    try {
      const since = await client.events.publish({ topic: `${r}.marker`, payload: {} });
      expect(since.id).toBeTruthy();
      const event = await client.events.publish({ topic: `${r}.fail`, payload: { doomed: true } });
      const [letter] = await collect(client.events.subscribe({ topics: [`deadletter.${r}.>`], lastEventId: '0' }), 1, 20_000);
      expect(letter).toMatchObject({ id: event.id, topic: `deadletter.${r}.fail`, payload: { doomed: true } });
      expect(letter!.headers['x-dead-letter-reason']).toBe('always fails');
      expect(attempts).toBe(5);
    } finally {
      await sub.unsubscribe();
    }
  });
});

/** A consumer in its own process (the kit's NATS bus, built), printing each event it handled; killable. */
function startConsumer(url: string, stream: string, prefix: string, topic: string): { child: ChildProcess; seen: Set<string> } {
  const kit = new URL('../packages/kit/dist/bus/index.js', import.meta.url).href;
  const script = `
    const { createNatsBus } = await import(${JSON.stringify(kit)});
    const bus = await createNatsBus({ url: ${JSON.stringify(url)}, stream: ${JSON.stringify(stream)}, subjectPrefix: ${JSON.stringify(prefix)}, ackWaitMs: 1500, redeliveryDelayMs: 50 });
    await bus.subscribe(${JSON.stringify(topic)}, async (event) => {
      await new Promise((r) => setTimeout(r, 5));
      process.stdout.write(event.id + '\\n');
    }, { durable: 'killable_worker' });
    process.stdout.write('ready\\n');`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const seen = new Set<string>();
  createInterface({ input: child.stdout }).on('line', (line) => seen.add(line));
  return { child, seen };
}

describe.skipIf(!TEST_NATS_URL)('a JetStream consumer killed mid-batch', () => {
  it('loses nothing once restarted (unacknowledged events come back after the ack wait)', async () => {
    const url = TEST_NATS_URL!;
    const stream = uniqueName('KILL_T').toUpperCase();
    const prefix = uniqueName('kx');
    const publisher = await createNatsBus({ url, stream, subjectPrefix: prefix, log: silentLog });
    let first: ReturnType<typeof startConsumer> | undefined;
    let second: ReturnType<typeof startConsumer> | undefined;
    try {
      first = startConsumer(url, stream, prefix, 'work.>');
      await waitFor(() => first!.seen.has('ready'), 10_000, 'the consumer subscribes');
      const ids = Array.from({ length: 400 }, () => randomUUID());
      for (const id of ids) await publisher.publish({ id, topic: 'work.item', payload: {}, headers: {}, time: new Date().toISOString() });
      await waitFor(() => first!.seen.size > 60, 10_000, 'the first consumer is mid-batch');
      first.child.kill('SIGKILL');
      await new Promise((resolve) => first!.child.once('exit', resolve));
      const before = new Set([...first.seen].filter((l) => l !== 'ready'));
      expect(before.size).toBeLessThan(ids.length);

      second = startConsumer(url, stream, prefix, 'work.>');
      await waitFor(() => ids.every((id) => before.has(id) || second!.seen.has(id)), 20_000, 'every event handled by one consumer or the other');
      expect(ids.filter((id) => !before.has(id) && !second!.seen.has(id))).toEqual([]);
    } finally {
      first?.child.kill('SIGKILL');
      second?.child.kill('SIGKILL');
      await publisher.close();
    }
  });
});
