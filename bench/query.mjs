// POST /core/api/v1/query with the local provider through the embedded gateway, 20 concurrent clients
// (goal: p95 < 50 ms on plain questions), against a baseline measured in the same run: GET governance/stats
// (the read the governance question's tool makes) at the same concurrency. Then a question with code to
// analyse, reported separately: it needs PENELOPE's diagnose route, and says "not available" without it.
// On PGlite (embedded), and on PostgreSQL too when MAXIMUS_TEST_DATABASE_URL (or DATABASE_URL) is set.
// Run: npm run bench -- query   (BENCH_SECONDS, default 10)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { HEADER, row, startJsonChild, stop } from './lib.mjs';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const connections = 20;
const pgUrl = process.env.MAXIMUS_TEST_DATABASE_URL ?? process.env.DATABASE_URL;
const root = mkdtempSync(join(tmpdir(), 'maximus-bench-query-'));
const here = new URL('.', import.meta.url).pathname;

/** autocannon with a JSON body; exact percentiles from every response's latency; every answer must be `status`. */
async function load(url, { method = 'GET', body, headers, status = 200 }) {
  const opts = { url, method, connections, timeout: 30, headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) };
  await autocannon({ ...opts, duration: 2 });
  const samples = [];
  const r = await autocannon({ ...opts, duration: seconds, setupClient: (client) => client.on('response', (_s, _b, ms) => samples.push(ms)) });
  const bad = r.requests.total - (r.statusCodeStats[String(status)]?.count ?? 0);
  if (bad > r.requests.total * 0.001 || r.errors) throw new Error(`${method} ${url}: ${bad} unexpected answers, ${r.errors} errors (${JSON.stringify(r.statusCodeStats)})`);
  samples.sort((a, b) => a - b);
  const q = (p) => Math.round(samples[Math.min(samples.length - 1, Math.floor((p / 100) * samples.length))] * 100) / 100;
  return { rps: samples.length / seconds, p50: q(50), p95: q(95), p99: q(99), requests: samples.length };
}

const CODE = 'def handler(request):\n    user = request.args["user"]\n    return eval(user)\n';

async function measure(label, env) {
  const { child, info } = await startJsonChild([join(here, 'fixtures/serve-query.mjs'), join(root, label)], { MAXIMUS_LLM_PROVIDER: 'local', ...env });
  const headers = { 'x-api-key': info.adminKey };
  const query = `${info.url}/core/api/v1/query`;
  try {
    const baseline = await load(`${info.url}/core/api/v1/governance/stats`, { headers });
    const governance = await load(query, { method: 'POST', body: { query: 'How many governance decisions are pending?' }, headers });
    const noTool = await load(query, { method: 'POST', body: { query: 'What can you tell me?' }, headers });
    console.log(`## /query, local provider, ${label}, ${connections} concurrent, ${seconds} s per run\n`);
    console.log(HEADER);
    console.log(row('baseline: GET governance/stats', baseline));
    console.log(row('POST /query, governance question (1 tool)', governance));
    console.log(row('POST /query, no tool matches', noTool));
    const worst = Math.max(governance.p95, noTool.p95);
    console.log(`\nplain questions: p95 ${worst} ms (goal < 50 ms: ${worst < 50 ? 'met' : 'NOT met'}); /query p50 is ${(governance.p50 / baseline.p50).toFixed(2)}× the baseline read's`);

    const probe = await fetch(`${info.url}/penelope/api/v1/healing/diagnose`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ code: CODE, language: 'python' }) });
    await probe.arrayBuffer();
    console.log(`\n## /query with code to analyse (PENELOPE diagnose), ${label}, ${connections} concurrent\n`);
    if (probe.status === 404 || probe.status === 405) {
      console.log(`not available: PENELOPE's POST /api/v1/healing/diagnose answers ${probe.status} in this build\n`);
    } else {
      const code = await load(query, { method: 'POST', body: { query: 'What is wrong with this code?', context: { code: CODE, language: 'python' } }, headers });
      console.log(HEADER);
      console.log(row(`POST /query with code (diagnose answered ${probe.status} to a probe)`, code));
      console.log('');
    }
  } finally {
    await stop(child);
  }
}

async function withDatabase(name, fn) {
  const admin = new pg.Client({ connectionString: pgUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  try {
    const url = new URL(pgUrl);
    url.pathname = `/${name}`;
    await fn(url.toString());
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

try {
  await measure('PGlite', {});
  if (pgUrl) await withDatabase('maximus_bench_query', (url) => measure('PostgreSQL', { DATABASE_URL: url, MAXIMUS_SECRET: 'bench-secret-0123456789abcdef0123456789' }));
  else console.log('PostgreSQL: skipped (set MAXIMUS_TEST_DATABASE_URL)');
} finally {
  rmSync(root, { recursive: true, force: true });
}
