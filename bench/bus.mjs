// Durable publishes/s and consumed msgs/s: the kit's NATS bus adapter vs the raw JetStream client, same run.
// Both are measured the same way: publish N into a stream whose durable already exists (a stored backlog),
// consume that backlog, then consume N more while they are being published.
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
const RAW_BATCH = 1000; // the raw client's pull batch
const tag = randomUUID().slice(0, 8);
const payload = { kind: 'bench', body: 'x'.repeat(200) };
const envelope = (i) => ({ id: randomUUID(), topic: 'bench.item', payload: { ...payload, i }, headers: {}, time: new Date().toISOString() });

async function inFlight(n, fn) {
  let next = 0;
  await Promise.all(Array.from({ length: WINDOW }, async () => {
    while (next < n) await fn(next++);
  }));
}
const rate = (n, ms) => Math.round((n / ms) * 1000);

/** A counter that resolves `all` once `n` messages were handled. */
function counter(n) {
  let received = 0;
  let done;
  const all = new Promise((resolve) => (done = resolve));
  return { all, tick: () => { if (++received === n) done(); } };
}

async function benchAdapter() {
  const stream = `BENCH_ADAPTER_${tag}`;
  const bus = await createNatsBus({ url, stream, subjectPrefix: `ba${tag}` });
  const publish = (i) => bus.publish(envelope(i));
  const noop = () => Promise.resolve();

  // Stored backlog: the durable exists (its position is kept while nobody is subscribed); publish, then consume.
  await (await bus.subscribe('bench.>', noop, { durable: `backlog_${tag}` })).unsubscribe();
  const t0 = performance.now();
  await inFlight(N, publish);
  const publishMs = performance.now() - t0;
  const backlog = counter(N);
  const t1 = performance.now();
  const sub1 = await bus.subscribe('bench.>', () => (backlog.tick(), Promise.resolve()), { durable: `backlog_${tag}` });
  await backlog.all;
  const backlogMs = performance.now() - t1;
  await sub1.unsubscribe();

  // Publishing and consuming together.
  const live = counter(N);
  const sub2 = await bus.subscribe('bench.>', () => (live.tick(), Promise.resolve()), { durable: `live_${tag}` });
  const t2 = performance.now();
  await inFlight(N, publish);
  await live.all;
  const liveMs = performance.now() - t2;
  await sub2.unsubscribe();

  await bus.close();
  await deleteStream(stream);
  return { publish: rate(N, publishMs), backlog: rate(N, backlogMs), live: rate(N, liveMs) };
}

async function benchRaw() {
  const stream = `BENCH_RAW_${tag}`;
  const nc = await connect({ servers: url });
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: stream, subjects: [`br${tag}.>`] });
  const js = jetstream(nc);
  const publish = (i) => js.publish(`br${tag}.bench.item`, JSON.stringify(envelope(i)), { msgID: randomUUID() });
  const durable = async (name) => {
    await jsm.consumers.add(stream, { durable_name: name, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.New });
    return js.consumers.get(stream, name);
  };
  /** Consumes until `n` messages were handled (decoded, acked), then stops the pull. */
  const consume = async (consumer, n) => {
    let received = 0;
    const messages = await consumer.consume({ max_messages: RAW_BATCH });
    for await (const m of messages) {
      m.json();
      m.ack();
      if (++received === n) break;
    }
    await messages.close();
  };

  const backlogConsumer = await durable('backlog');
  const t0 = performance.now();
  await inFlight(N, publish);
  const publishMs = performance.now() - t0;
  const t1 = performance.now();
  await consume(backlogConsumer, N);
  const backlogMs = performance.now() - t1;

  const liveConsumer = await durable('live');
  const t2 = performance.now();
  await Promise.all([consume(liveConsumer, N), inFlight(N, publish)]);
  const liveMs = performance.now() - t2;

  await nc.drain();
  await deleteStream(stream);
  return { publish: rate(N, publishMs), backlog: rate(N, backlogMs), live: rate(N, liveMs) };
}

async function deleteStream(name) {
  const nc = await connect({ servers: url });
  await (await jetstreamManager(nc)).streams.delete(name).catch(() => undefined);
  await nc.close();
}

const raw = await benchRaw();
const adapter = await benchAdapter();
console.log(`\nbus benchmark: ${N} messages of ~250 bytes, ${WINDOW} publishes in flight, file storage, ${url.replace(/\/\/[^@]*@/, '//')}\n`);
console.log('| client                 | durable publish msg/s | consume backlog msg/s | consume while publishing msg/s |');
console.log('|------------------------|----------------------:|----------------------:|-------------------------------:|');
for (const [name, r] of [[`raw JetStream client`, raw], ['kit NATS bus adapter', adapter]]) {
  console.log(`| ${name.padEnd(22)} | ${String(r.publish).padStart(21)} | ${String(r.backlog).padStart(21)} | ${String(r.live).padStart(30)} |`);
}
console.log(`\nraw client: pull batch ${RAW_BATCH}, ack() per message; adapter: its defaults (sequential handler)`);
console.log('goals: publish ≥ 5,000 msg/s, consume ≥ 20,000 msg/s');
