// Embedded start to ready: `maximus up` in a child process, cold (new data directory: PGlite's initdb and
// every migration) and warm (the same directory again). Reports the time from spawn until GET /ready
// answers 200, and the process's own figure (from its banner).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const cli = new URL('../apps/cli/bin/maximus.js', import.meta.url).pathname;
const root = mkdtempSync(join(tmpdir(), 'maximus-start-'));
const runs = Number(process.env.BENCH_RUNS ?? 5);

async function start(dataDir, port) {
  const begin = performance.now();
  const child = spawn(process.execPath, [cli, 'up', '--port', String(port), '--data-dir', dataDir], {
    env: { ...process.env, MAXIMUS_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let banner = '';
  child.stderr.on('data', (d) => (banner += d));
  for (;;) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/ready`)).ok) break;
    } catch {
      // not yet
    }
    if (child.exitCode !== null) throw new Error(`maximus up exited: ${banner}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  const wall = performance.now() - begin;
  const self = Number(/ready in (\d+) ms/.exec(banner)?.[1]);
  await new Promise((resolve) => {
    child.once('exit', resolve);
    child.kill('SIGINT');
  });
  return { wall, self };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const cold = [];
const warm = [];
try {
  for (let i = 0; i < runs; i++) {
    const dir = join(root, `data-${i}`);
    cold.push(await start(dir, 18700 + i));
    warm.push(await start(dir, 18700 + i));
  }
  console.log(`## Embedded start to ready (${runs} runs each, median; wall = spawn → GET /ready 200, self = the process's own count)\n`);
  console.log('| start | wall ms | self ms |\n|---|---|---|');
  console.log(`| cold (new data directory) | ${Math.round(median(cold.map((r) => r.wall)))} | ${median(cold.map((r) => r.self))} |`);
  console.log(`| warm (existing directory) | ${Math.round(median(warm.map((r) => r.wall)))} | ${median(warm.map((r) => r.self))} |`);
} finally {
  rmSync(root, { recursive: true, force: true });
}
