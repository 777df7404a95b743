// The SDK's client machinery against a local upstream (bench/fixtures/serve-sdk.mjs, its own process):
// 1. overhead: time per call of `client.request` (default options: breaker, budget, coalescing on; hooks,
//    metrics and spans off) against raw undici `Agent.request` + `JSON.parse`, on the same server, same
//    connections and concurrency, in the same run. Each client runs alone in a child process
//    (bench/fixtures/sdk-client.mjs: a warm-up, then the measured calls), the two alternating in ABBA order,
//    medians reported: two clients in one process disturb each other's measurements (shared heap and GC).
// 2. cache hit ratio on a repeated-read workload (reads over a small set of keys, TTL longer than the run);
// 3. coalescing ratio: bursts of identical concurrent reads against a 20 ms upstream.
// Run: npm run bench -- sdk   (BENCH_CALLS=10000 BENCH_CONCURRENCY=32 BENCH_ROUNDS=8)
import { execFileSync } from 'node:child_process';
import { Agent } from 'undici';
import { Maximus } from '@maximus/sdk';
import { startJsonChild, stop } from './lib.mjs';

const calls = Number(process.env.BENCH_CALLS ?? 10_000);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 32);
const rounds = Number(process.env.BENCH_ROUNDS ?? 8);
const { child, info } = await startJsonChild([new URL('./fixtures/serve-sdk.mjs', import.meta.url).pathname]);
const { url } = info;
const origin = new URL(url).origin;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const raw = new Agent({ connections: concurrency, keepAliveTimeout: 60_000 });
const served = async () => (await (await raw.request({ origin, path: '/__count', method: 'GET' })).body.json()).served;

const clientScript = new URL('./fixtures/sdk-client.mjs', import.meta.url).pathname;
const measure = (which) => JSON.parse(execFileSync(process.execPath, [clientScript, url, which, String(calls), String(concurrency)], { encoding: 'utf8' }));
// BENCH_MODES=raw,dispatch,bare,sdk also measures undici's dispatch API alone and the SDK without its guards.
const modes = (process.env.BENCH_MODES ?? 'raw,sdk').split(',');
const times = Object.fromEntries(modes.map((mode) => [mode, []]));
for (let r = 0; r < rounds; r++) {
  for (const which of r % 2 === 0 ? modes : [...modes].reverse()) times[which].push(measure(which));
}
const m = (which, key) => median(times[which].map((t) => t[key]));
const pct = (key) => `${(((m('sdk', key) - m('raw', key)) / m('raw', key)) * 100).toFixed(1)}%`;
console.log(`## SDK overhead (${calls} GETs per round after as many to warm up, ${concurrency} in flight, each client alone in a process, median of ${rounds} ABBA rounds)\n`);
console.log('| client | wall µs per call | calls/s | event-loop busy µs per call | CPU µs per call |\n|---|---|---|---|---|');
const labels = { raw: 'raw undici Agent.request + JSON.parse', dispatch: 'undici Agent.dispatch, minimal handler', bare: 'SDK client.request, no breaker/budget/coalescing/cache', sdk: 'SDK client.request (defaults)' };
for (const [which, label] of Object.entries(labels).filter(([mode]) => modes.includes(mode))) {
  console.log(`| ${label} | ${m(which, 'wall').toFixed(1)} | ${Math.round(1e6 / m(which, 'wall'))} | ${m(which, 'busy').toFixed(1)} | ${m(which, 'cpu').toFixed(1)} |`);
}
console.log(`\nSDK overhead: ${pct('wall')} wall time, ${pct('busy')} event-loop busy time, ${pct('cpu')} CPU time per call (goal ≤ 10%)\n`);

// Repeated reads: 20,000 reads over 100 keys (uniform), TTL 60 s, 32 in flight.
const cached = new Maximus({ baseURL: url, token: null, apiKey: 'bench-key', cache: { rules: [{ prefix: '/core/api/v1/governance', ttlMs: 60_000 }] } });
const keys = 100;
const before = await served();
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
const upstreamCached = (await served()) - before;
console.log(`## Cache (20000 reads over ${keys} keys, TTL 60 s, ${concurrency} in flight)\n`);
console.log(`hit ratio ${(stats.hitRatio * 100).toFixed(2)}% (goal ≥ 95%): ${stats.hits} hits, ${stats.misses} misses, ${upstreamCached} upstream requests\n`);

// Coalescing: 10 bursts of 1,000 identical concurrent reads against a 20 ms upstream.
const coalescing = new Maximus({ baseURL: url, token: null, apiKey: 'bench-key' });
const beforeBursts = await served();
const burstStarted = performance.now();
for (let b = 0; b < 10; b++) {
  await Promise.all(Array.from({ length: 1_000 }, () => coalescing.request({ method: 'GET', path: '/core/api/v1/governance/stats', query: { delay: 20 } })));
}
const burstMs = performance.now() - burstStarted;
const upstreamBursts = (await served()) - beforeBursts;
const c = coalescing.coalescingStats();
console.log('## Coalescing (10 bursts of 1000 identical concurrent reads, 20 ms upstream)\n');
console.log(`${10_000} reads → ${upstreamBursts} upstream requests (ratio ${(upstreamBursts / 10_000).toFixed(4)}; ${c.joined} joined an in-flight request), ${Math.round(burstMs)} ms for the 10 bursts\n`);

await Promise.all([cached.close(), coalescing.close(), raw.close()]);
await stop(child);
