// Auth + rate limit + request id at the gateway vs the gateway with authentication off vs the service plugin
// served bare, 100 connections, one server process, alternating runs. The route is a read under
// /core/api/v1 that core does not have yet, so every target ends in core's own 404 (problem+json): what differs
// is only what runs before it. Run: npm run bench -- security
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { internalHeaders } from '@maximus/kit/auth';
import { HEADER, load, row, startJsonChild, stop } from './lib.mjs';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const root = mkdtempSync(join(tmpdir(), 'maximus-bench-sec-'));
const here = new URL('.', import.meta.url).pathname;
const PATH = '/api/v1/bench/read';

try {
  const { child, info } = await startJsonChild([join(here, 'fixtures/serve-security.mjs'), join(root, 'data')]);
  const secret = Buffer.from(info.internalSecret, 'base64');
  const principal = { id: 'user:bench', kind: 'user', role: 'readonly', via: 'api_key' };
  // The proof is valid for 60 s: made afresh for each bare run.
  const bare = () => load(`${info.bareUrl}${PATH}`, { seconds, expectStatus: 404, headers: internalHeaders(secret, 'GET', PATH, principal) });
  const off = () => load(`${info.unsecuredUrl}/core${PATH}`, { seconds, expectStatus: 404 });
  const on = () => load(`${info.securedUrl}/core${PATH}`, { seconds, expectStatus: 404, headers: { 'x-api-key': info.adminKey } });
  const results = { bare: [], off: [], on: [] };
  for (let round = 0; round < 2; round++) {
    results.bare.push(await bare());
    results.off.push(await off());
    results.on.push(await on());
  }
  await stop(child);
  const best = (runs) => runs.reduce((a, b) => (a.p50 <= b.p50 ? a : b));
  const [b, f, o] = [best(results.bare), best(results.off), best(results.on)];
  console.log(`## Security at the gateway: GET /core${PATH} (core's 404), 100 connections, ${seconds} s per run, best of 2\n`);
  console.log(HEADER);
  console.log(row('core plugin served bare (gateway proof checked)', b));
  console.log(row('gateway, MAXIMUS_AUTH=off (limits on, anonymous)', f));
  console.log(row('gateway, API key + permission + rate limit', o));
  console.log(
    `\nauth + limits vs bare: +${(o.p50 - b.p50).toFixed(2)} ms p50, +${(o.p99 - b.p99).toFixed(2)} ms p99, throughput ${(o.rps / b.rps).toFixed(3)} of bare` +
      `\nauthentication alone (on vs off): +${(o.p50 - f.p50).toFixed(2)} ms p50, +${(o.p99 - f.p99).toFixed(2)} ms p99, throughput ${(o.rps / f.rps).toFixed(3)}`,
  );
} finally {
  rmSync(root, { recursive: true, force: true });
}
