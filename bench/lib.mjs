import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';

/** Runs autocannon for `seconds` at `connections`; returns req/s and exact latency percentiles (ms) of every response. */
export async function load(url, { connections = 100, seconds = 10, warmup = 2, headers = {}, expectStatus } = {}) {
  if (warmup) await autocannon({ url, connections, duration: warmup, headers });
  const samples = [];
  const r = await autocannon({
    url,
    connections,
    duration: seconds,
    headers,
    expectBody: undefined,
    setupClient: (client) => client.on('response', (_status, _bytes, ms) => samples.push(ms)),
  });
  const unexpected = expectStatus ? r.requests.total - (r.statusCodeStats[String(expectStatus)]?.count ?? 0) : r.non2xx;
  if (unexpected > r.requests.total * 0.001 || r.errors) throw new Error(`${url}: ${unexpected} unexpected answers, ${r.errors} errors`);
  samples.sort((a, b) => a - b);
  const q = (p) => round(samples[Math.min(samples.length - 1, Math.floor((p / 100) * samples.length))]);
  return { rps: r.requests.total / seconds, p50: q(50), p95: q(95), p99: q(99), requests: samples.length };
}

const round = (ms) => Math.round(ms * 100) / 100;

/** Starts `node <args>` and resolves with the first stdout line parsed as JSON, plus the child. */
export function startJsonChild(args, env = {}) {
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (line) => resolve({ child, info: JSON.parse(line) }));
    child.once('exit', (code) => reject(new Error(`child exited with ${code}`)));
  });
}

export function stop(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', resolve);
    child.kill('SIGTERM');
  });
}

export function row(label, m) {
  return `| ${label} | ${Math.round(m.rps)} | ${m.p50} | ${m.p95} | ${m.p99} |`;
}

export const HEADER = '| target | req/s | p50 ms | p95 ms | p99 ms |\n|---|---|---|---|---|';
