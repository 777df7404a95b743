// The embedded gateway vs the same service plugin served bare, in one server process, loaded from this
// process with 100 connections; then the connected-mode hop (gateway process → core process).
// Run: npm run bench -- gateway   (figures go to stdout; docs/performance.md quotes them)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HEADER, load, row, startJsonChild, stop } from './lib.mjs';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const root = mkdtempSync(join(tmpdir(), 'maximus-bench-'));
const here = new URL('.', import.meta.url).pathname;
const cli = new URL('../apps/cli/bin/maximus.js', import.meta.url).pathname;

try {
  const { child, info } = await startJsonChild([join(here, 'fixtures/serve-both.mjs'), join(root, 'embedded')]);
  // Alternate the two targets so that drift (thermal, GC) hits both alike.
  const bare1 = await load(`${info.bareUrl}/health`, { seconds });
  const gw1 = await load(`${info.gatewayUrl}/core/health`, { seconds });
  const bare2 = await load(`${info.bareUrl}/health`, { seconds });
  const gw2 = await load(`${info.gatewayUrl}/core/health`, { seconds });
  await stop(child);
  const best = (a, b) => (a.p50 <= b.p50 ? a : b);
  const bare = best(bare1, bare2);
  const gw = best(gw1, gw2);
  console.log(`## Embedded: GET /core/health, 100 connections, ${seconds} s per run (best of 2 alternating runs)\n`);
  console.log(HEADER);
  console.log(row('core served bare (same process)', bare));
  console.log(row('through the embedded gateway', gw));
  console.log(`\ngateway adds ${(gw.p50 - bare.p50).toFixed(2)} ms at p50, ${(gw.p95 - bare.p95).toFixed(2)} ms at p95; throughput ratio ${(gw.rps / bare.rps).toFixed(3)}`);

  // Connected: one process per component, the gateway proxying over keep-alive undici.
  const env = { MAXIMUS_DATA_DIR: join(root, 'connected'), MAXIMUS_LOG_LEVEL: 'silent' };
  const { spawn } = await import('node:child_process');
  const core = spawn(process.execPath, [cli, 'serve', 'core', '--port', '18100'], { env: { ...process.env, ...env }, stdio: 'ignore' });
  const gateway = spawn(process.execPath, [cli, 'serve', 'gateway', '--port', '18000'], { env: { ...process.env, ...env, MAXIMUS_CORE_URL: 'http://127.0.0.1:18100' }, stdio: 'ignore' });
  await waitFor('http://127.0.0.1:18100/ready');
  await waitFor('http://127.0.0.1:18000/ready');
  const direct = await load('http://127.0.0.1:18100/health', { seconds });
  const hop = await load('http://127.0.0.1:18000/core/health', { seconds });
  await Promise.all([stop(gateway), stop(core)]);
  console.log(`\n## Connected: gateway process → core process, 100 connections, ${seconds} s\n`);
  console.log(HEADER);
  console.log(row('core process directly', direct));
  console.log(row('through the gateway process', hop));
  console.log(`\nproxy hop adds ${(hop.p50 - direct.p50).toFixed(2)} ms at p50; throughput ratio ${(hop.rps / direct.rps).toFixed(3)}`);
} finally {
  rmSync(root, { recursive: true, force: true });
}

async function waitFor(url) {
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not come up`);
}
