// The SDK's client machinery against a local upstream (bench/fixtures/serve-sdk.mjs, its own process):
// 1. overhead: time per call of `client.request` (default options: breaker, budget, coalescing, hooks off)
//    against raw undici `Agent.request` on the same server, same connections, same concurrency, in the
//    same run (alternating rounds, median of each);
// 2. cache hit ratio on a repeated-read workload (reads over a small set of keys, TTL longer than the run);
// 3. coalescing ratio: bursts of identical concurrent reads against a 20 ms upstream.
// Run: npm run bench -- sdk   (BENCH_CALLS=10000 BENCH_CONCURRENCY=32 BENCH_ROUNDS=9)
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Agent } from 'undici';
import { Maximus } from '@maximus/sdk';
import { startJsonChild, stop } from './lib.mjs';

const calls = Number(process.env.BENCH_CALLS ?? 10_000);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 32);
const rounds = Number(process.env.BENCH_ROUNDS ?? 9);
const { child, info } = await startJsonChild([new URL('./fixtures/serve-sdk.mjs', import.meta.url).pathname]);
const { url } = info;
const origin = new URL(url).origin;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const served = async (agent) => (await (await agent.request({ origin, path: '/__count', method: 'GET' })).body.json()).served;

/**
 * Runs `calls` calls of `one(i)` with `concurrency` in flight; returns µs per call of wall time and of the
 * event loop's busy time (its active time: the client's own work on its thread; the upstream runs in another
 * process). On this loaded 2-core machine the busy time is the steadier measure of what a client costs.
 */
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');

async function run(one) {
  gc(); // each round starts without the previous one's garbage
  let next = 0;
  const started = performance.now();
  const elu = performance.eventLoopUtilization();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < calls) await one(next++);
    }),
  );
  const busy = performance.eventLoopUtilization(elu).active;
  return { wall: ((performance.now() - started) * 1000) / calls, cpu: (busy * 1000) / calls };
}

const headers = { accept: 'application/json', 'user-agent': 'bench', 'x-api-key': 'bench-key' };
const raw = new Agent({ connections: concurrency, keepAliveTimeout: 60_000 });
const rawCall = async (i) => {
  const response = await raw.request({ origin, path: `/core/api/v1/governance/decisions/${i}`, method: 'GET', headers, headersTimeout: 0, bodyTimeout: 0 });
  const text = await response.body.text();
  if (response.statusCode !== 200) throw new Error(`status ${response.statusCode}`);
  return JSON.parse(text);
};
const client = new Maximus({ baseURL: url, apiKey: 'bench-key', token: null, connections: concurrency, keepAliveTimeout: 60_000 });
const sdkCall = (i) => client.request({ method: 'GET', path: `/core/api/v1/governance/decisions/${i}` });

// Warm both paths (JIT, connections), then alternate rounds so that both see the same machine.
await run(rawCall);
await run(sdkCall);
const rawTimes = [];
const sdkTimes = [];
for (let r = 0; r < rounds; r++) {
  // ABBA order, so that neither client always runs right after the other's garbage or a load spike.
  if (r % 2 === 0) {
    rawTimes.push(await run(rawCall));
    sdkTimes.push(await run(sdkCall));
  } else {
    sdkTimes.push(await run(sdkCall));
    rawTimes.push(await run(rawCall));
  }
}
const rawWall = median(rawTimes.map((t) => t.wall));
const sdkWall = median(sdkTimes.map((t) => t.wall));
const rawCpu = median(rawTimes.map((t) => t.cpu));
const sdkCpu = median(sdkTimes.map((t) => t.cpu));
const pct = (a, b) => `${(((a - b) / b) * 100).toFixed(1)}%`;
console.log(`## SDK overhead (${calls} GETs per round, ${concurrency} in flight, median of ${rounds} alternating rounds)\n`);
console.log('| client | wall µs per call | calls/s | event-loop busy µs per call |\n|---|---|---|---|');
console.log(`| raw undici Agent.request + JSON.parse | ${rawWall.toFixed(1)} | ${Math.round(1e6 / rawWall)} | ${rawCpu.toFixed(1)} |`);
console.log(`| SDK client.request (defaults) | ${sdkWall.toFixed(1)} | ${Math.round(1e6 / sdkWall)} | ${sdkCpu.toFixed(1)} |`);
console.log(`\nSDK overhead: ${pct(sdkWall, rawWall)} more wall time per call, ${pct(sdkCpu, rawCpu)} more event-loop busy time per call (goal ≤ 10%)\n`);

// Repeated reads: 20,000 reads over 100 keys (uniform), TTL 60 s, 32 in flight.
const cached = new Maximus({ baseURL: url, token: null, apiKey: 'bench-key', cache: { rules: [{ prefix: '/core/api/v1/governance', ttlMs: 60_000 }] } });
const keys = 100;
const before = await served(raw);
let n = 0;
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (n < 20_000) {
      n++;
      await cached.request({ method: 'GET', path: `/core/api/v1/governance/decisions/k${Math.floor(Math.random() * keys)}` });
    }
  }),
);
const stats = cached.cacheStats();
const upstreamCached = (await served(raw)) - before;
console.log(`## Cache (20000 reads over ${keys} keys, TTL 60 s, ${concurrency} in flight)\n`);
console.log(`hit ratio ${(stats.hitRatio * 100).toFixed(2)}% (goal ≥ 95%): ${stats.hits} hits, ${stats.misses} misses, ${upstreamCached} upstream requests\n`);

// Coalescing: 10 bursts of 1,000 identical concurrent reads against a 20 ms upstream.
const coalescing = new Maximus({ baseURL: url, token: null, apiKey: 'bench-key' });
const beforeBursts = await served(raw);
const burstStarted = performance.now();
for (let b = 0; b < 10; b++) {
  await Promise.all(Array.from({ length: 1_000 }, () => coalescing.request({ method: 'GET', path: '/core/api/v1/governance/stats', query: { delay: 20 } })));
}
const burstMs = performance.now() - burstStarted;
const upstreamBursts = (await served(raw)) - beforeBursts;
const c = coalescing.coalescingStats();
console.log('## Coalescing (10 bursts of 1000 identical concurrent reads, 20 ms upstream)\n');
console.log(`${10_000} reads → ${upstreamBursts} upstream requests (ratio ${(upstreamBursts / 10_000).toFixed(4)}; ${c.joined} joined an in-flight request), ${Math.round(burstMs)} ms for the 10 bursts\n`);

await Promise.all([client.close(), cached.close(), coalescing.close(), raw.close()]);
await stop(child);
