// The consciousness model: one ESGT ignition on the default 100-node fabric (the simulation alone, through the
// warm worker, and a whole POST /esgt/trigger), the TIG metrics at 100, 1,000 and 10,000 nodes (in the worker),
// and the event loop while ignitions and metrics run: GET /core/health p99 with and without that work, in the
// same run. Run: npm run bench -- consciousness  (BENCH_SECONDS=5 per health run; BENCH_DATABASE_URL=postgres://…
// runs the server in connected mode on that database, which it empties first).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { Compute, defaultWorker } from '../apps/core/dist/consciousness/compute.js';
import { createFabric } from '../apps/core/dist/consciousness/domain/graph.js';
import { assemblyOf, recruit } from '../apps/core/dist/consciousness/domain/health.js';
import { DEFAULT_IGNITION, runIgnition } from '../apps/core/dist/consciousness/domain/ignition.js';
import { load, stop, HEADER, row } from './lib.mjs';

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const root = mkdtempSync(join(tmpdir(), 'maximus-bench-consciousness-'));
const here = new URL('.', import.meta.url).pathname;
const SALIENCE = 0.25 * 0.95 + 0.3 * 0.95 + 0.3 * 0.95 + 0.15; // the HIGH stimulus below
const HIGH = { novelty: 0.95, relevance: 0.95, urgency: 0.95 };
const principal = JSON.stringify({ id: 'user:bench', kind: 'user', role: 'operator', via: 'api_key' });

const q = (values, p) => {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
};
const ms = (x) => (x < 10 ? x.toFixed(2) : x.toFixed(1));

const compute = new Compute(defaultWorker());
const databaseUrl = process.env.BENCH_DATABASE_URL;
if (databaseUrl) {
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  await admin.query('DROP SCHEMA IF EXISTS core CASCADE');
  await admin.end();
}
const child = spawn(process.execPath, [join(here, 'fixtures/serve-consciousness.mjs'), join(root, 'data'), ...(databaseUrl ? [databaseUrl] : [])], { stdio: ['pipe', 'pipe', 'inherit'] });
const lines = createInterface({ input: child.stdout });
const nextLine = () => new Promise((resolve) => lines.once('line', (l) => resolve(JSON.parse(l))));
try {
  const { url } = await nextLine();

  // 1. One ignition on 100 nodes.
  const fabric = createFabric({ n: 100, m: 3, triadicP: 0.3, seed: 42 });
  const recruits = recruit(fabric, () => true, () => 0, Math.round(SALIENCE * 100)).nodes;
  const assembly = assemblyOf(fabric, recruits);
  const runs = 200;
  const inThread = [];
  for (let i = -20; i < runs; i++) {
    const t = performance.now();
    runIgnition(assembly, SALIENCE, 1000 + i, DEFAULT_IGNITION);
    if (i >= 0) inThread.push(performance.now() - t);
  }
  const viaWorker = [];
  const simulated = [];
  let synced = 0;
  for (let i = -20; i < runs; i++) {
    const t = performance.now();
    const r = await compute.ignite({ op: 'ignite', assembly, salience: SALIENCE, seed: 5000 + i, params: DEFAULT_IGNITION });
    if (i < 0) continue;
    viaWorker.push(performance.now() - t);
    simulated.push(r.simulated_ms);
    if (r.synchronized) synced++;
  }
  const trigger = async () => {
    const t = performance.now();
    const res = await fetch(`${url}/core/api/v1/consciousness/esgt/trigger`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-test-principal': principal }, body: JSON.stringify(HIGH) });
    const body = await res.json();
    if (res.status !== 200 || body.outcome === 'blocked') throw new Error(`trigger: ${res.status} ${body.outcome} ${body.reason}`);
    return { ms: performance.now() - t, body };
  };
  const endToEnd = [];
  for (let i = -10; i < 100; i++) {
    const { ms: took } = await trigger();
    if (i >= 0) endToEnd.push(took);
  }
  console.log(`## One ESGT ignition, default fabric (${recruits.length} of 100 nodes recruited, salience ${SALIENCE.toFixed(3)}), ${runs} runs\n`);
  console.log('| measured | median ms | p95 ms |\n|---|---|---|');
  console.log(`| simulation alone (this thread, warm) | ${ms(q(inThread, 0.5))} | ${ms(q(inThread, 0.95))} |`);
  console.log(`| through the warm worker (message round trip included) | ${ms(q(viaWorker, 0.5))} | ${ms(q(viaWorker, 0.95))} |`);
  console.log(`| POST /esgt/trigger end to end (gates, worker, records; ${databaseUrl ? 'PostgreSQL' : 'PGlite'}) | ${ms(q(endToEnd, 0.5))} | ${ms(q(endToEnd, 0.95))} |`);
  console.log(`\nsynchronised in ${synced}/${runs} runs; simulated time per run: median ${q(simulated, 0.5)} ms (sync + 200 ms broadcast, sustain, dissolve)`);

  // 2. TIG metrics at 100, 1,000 and 10,000 nodes, in the worker.
  console.log('\n## TIG metrics in the worker (every metric of tig/metrics)\n');
  console.log('| nodes | links | median ms | runs | Fiedler solver |\n|---|---|---|---|---|');
  for (const [n, count] of [[100, 20], [1000, 5], [10000, 2]]) {
    const g = createFabric({ n, m: 3, triadicP: 0.3, seed: 42 });
    const edges = Int32Array.from(g.edges.flat());
    await compute.metrics({ op: 'metrics', n, edges, denseEigenMax: 400 }); // warm
    const times = [];
    let method = '';
    for (let i = 0; i < count; i++) {
      const t = performance.now();
      const m = await compute.metrics({ op: 'metrics', n, edges, denseEigenMax: 400 });
      times.push(performance.now() - t);
      method = m.eigen_method;
    }
    console.log(`| ${n.toLocaleString('en')} | ${g.edges.length.toLocaleString('en')} | ${ms(q(times, 0.5))} | ${count} | ${method} |`);
  }

  // 3. The event loop: GET /core/health while ignitions run and a worker computes metrics, in the same process.
  const health = () => load(`${url}/core/health`, { connections: 10, seconds, warmup: 1 });
  const underLoad = async (metricsNodes, pauseMs) => {
    child.stdin.write(`metrics ${metricsNodes}\n`);
    let firing = true;
    let fired = 0;
    const loop = (async () => {
      while (firing) {
        await trigger();
        fired++;
        if (pauseMs) await new Promise((r) => setTimeout(r, pauseMs));
      }
    })();
    const result = await health();
    firing = false;
    await loop;
    child.stdin.write('stop\n');
    await nextLine();
    return { ...result, fired };
  };
  const results = { idle: [], paced: [], stress: [] };
  for (let round = 0; round < 2; round++) {
    results.idle.push(await health());
    // the default gates allow 10 ignitions in 10 s: one a second
    results.paced.push(await underLoad(1000, 1000));
    results.stress.push(await underLoad(10000, 0));
  }
  const best = (list) => list.reduce((a, b) => (a.p99 <= b.p99 ? a : b));
  const idle = best(results.idle);
  const paced = best(results.paced);
  const stress = best(results.stress);
  console.log(`\n## Event loop: GET /core/health, 10 connections, ${seconds} s per run, best of 2 (${databaseUrl ? 'connected: PostgreSQL' : 'embedded: PGlite runs on the main thread'})\n`);
  console.log(HEADER);
  console.log(row('idle', idle));
  console.log(row(`ignitions at the default gates' rate (${(paced.fired / seconds).toFixed(1)}/s) + 1,000-node metrics back to back in a worker`, paced));
  console.log(row(`stress: ignitions back to back (${Math.round(stress.fired / seconds)}/s) + 10,000-node metrics back to back`, stress));
  const delta = (x) => `${x.p99 >= idle.p99 ? '+' : ''}${(x.p99 - idle.p99).toFixed(2)} ms`;
  console.log(`\np99 vs idle: ${delta(paced)} at the default rate, ${delta(stress)} under stress (goal: within 2 ms)`);
  child.stdin.write('quit\n');
} finally {
  await compute.close();
  await stop(child);
  rmSync(root, { recursive: true, force: true });
}
