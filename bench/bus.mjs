// Durable publishes/s and consumed msgs/s: the kit's NATS bus adapter vs the raw JetStream client, same run.
// Needs NATS_URL or MAXIMUS_TEST_NATS_URL (skips otherwise); run after `npm run build`:
//   MAXIMUS_TEST_NATS_URL=nats://127.0.0.1:4222 node bench/bus.mjs [messages=20000]
import { randomUUID } from 'node:crypto';
import { connect } from '@nats-io/transport-node';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { createNatsBus } from '../packages/kit/dist/bus/index.js';

const url = process.env.NATS_URL ?? process.env.MAXIMUS_TEST_NATS_URL;
if (!url) {
  console.log('bench/bus.mjs: set NATS_URL or MAXIMUS_TEST_NATS_URL to run the bus benchmark; skipped');
  process.exit(0);
}
const N = Number(process.argv[2] ?? 20_000);
const WINDOW = 256; // publishes in flight: each awaits its JetStream ack (durable)
const tag = randomUUID().slice(0, 8);
const payload = { kind: 'bench', body: 'x'.repeat(200) };

async function inFlight(n, fn) {
  let next = 0;
  await Promise.all(Array.from({ length: WINDOW }, async () => {
    while (next < n) await fn(next++);
  }));
}
const rate = (n, ms) => Math.round((n / ms) * 1000);

async function benchAdapter() {
  const stream = `BENCH_ADAPTER_${tag}`;
  const bus = await createNatsBus({ url, stream, subjectPrefix: `ba${tag}` });
  let received = 0;
  let done;
  const all = new Promise((resolve) => (done = resolve));
  const t0 = performance.now();
  await inFlight(N, (i) => bus.publish({ id: randomUUID(), topic: 'bench.item', payload: { ...payload, i }, headers: {}, time: new Date().toISOString() }));
  const publishMs = performance.now() - t0;
  // The adapter's durables start with new events: subscribe, then time a second batch published and consumed together.
  const sub = await bus.subscribe('bench.>', async () => {
    if (++received === N) done();
  }, { durable: `bench_${tag}` });
  const t2 = performance.now();
  await inFlight(N, (i) => bus.publish({ id: randomUUID(), topic: 'bench.item', payload: { ...payload, i }, headers: {}, time: new Date().toISOString() }));
  await all;
  const consumeMs = performance.now() - t2;
  await sub.unsubscribe();
  await bus.close();
  await deleteStream(stream);
  return { publish: rate(N, publishMs), consume: rate(N, consumeMs), consumeNote: 'publish+consume concurrently' };
}

async function benchRaw() {
  const stream = `BENCH_RAW_${tag}`;
  const nc = await connect({ servers: url });
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: stream, subjects: [`br${tag}.>`] });
  const js = jetstream(nc);
  const t0 = performance.now();
  await inFlight(N, (i) => js.publish(`br${tag}.bench.item`, JSON.stringify({ id: randomUUID(), topic: 'bench.item', payload: { ...payload, i }, headers: {}, time: new Date().toISOString() }), { msgID: randomUUID() }));
  const publishMs = performance.now() - t0;
  await jsm.consumers.add(stream, { durable_name: 'raw', ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All });
  const consumer = await js.consumers.get(stream, 'raw');
  const t1 = performance.now();
  let received = 0;
  const messages = await consumer.consume({ max_messages: 1000 });
  for await (const m of messages) {
    m.json();
    m.ack();
    if (++received === N) break;
  }
  const consumeMs = performance.now() - t1;
  await nc.drain();
  await deleteStream(stream);
  return { publish: rate(N, publishMs), consume: rate(N, consumeMs), consumeNote: 'stored backlog' };
}

async function deleteStream(name) {
  const nc = await connect({ servers: url });
  await (await jetstreamManager(nc)).streams.delete(name).catch(() => undefined);
  await nc.close();
}

const raw = await benchRaw();
const adapter = await benchAdapter();
console.log(`\nbus benchmark: ${N} messages of ~250 bytes, ${WINDOW} publishes in flight, file storage, ${url.replace(/\/\/[^@]*@/, '//')}\n`);
console.log('| client                 | durable publish msg/s | consume msg/s | consume measured on   |');
console.log('|------------------------|----------------------:|--------------:|-----------------------|');
for (const [name, r] of [['raw JetStream client', raw], ['kit NATS bus adapter', adapter]]) {
  console.log(`| ${name.padEnd(22)} | ${String(r.publish).padStart(21)} | ${String(r.consume).padStart(13)} | ${r.consumeNote.padEnd(21)} |`);
}
console.log(`\ngoals: publish ≥ 5,000 msg/s, consume ≥ 20,000 msg/s`);
