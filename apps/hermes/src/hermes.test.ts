import { request, type IncomingMessage } from 'node:http';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Principal } from '@maximus/contracts';
import { internalHeaders } from '@maximus/kit/auth';
import { loadConfig } from '@maximus/kit/config';
import { createPlatform, type Platform } from '@maximus/kit/platform';
import { buildService } from '@maximus/kit/service';
import { freshPgliteDir, silentLog } from '../../../test/helpers.js';
import { createHermesService, type HermesOptions } from './index.js';

// hermes alone, as `maximus serve hermes` runs it (requests carry the gateway's proof), on an embedded platform.
const PROOF = Buffer.from('hermes test gateway proof');
const ADMIN: Principal = { id: 'user:test', kind: 'user', role: 'admin', via: 'api_key' };

interface Running {
  app: FastifyInstance;
  platform: Platform;
  base: string;
  call(method: string, path: string, body?: unknown): Promise<{ status: number; json: () => unknown }>;
  close(): Promise<void>;
}

async function runHermes(dataDir: string, options: HermesOptions = {}, log = silentLog): Promise<Running> {
  const platform = await createPlatform({ config: loadConfig({ MAXIMUS_DATA_DIR: dataDir }), log, dataDir });
  const { app, service } = await buildService(createHermesService(options), { platform, gatewayProof: PROOF });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  await service.start();
  return {
    app,
    platform,
    base,
    async call(method, path, body) {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: { ...internalHeaders(PROOF, method, path, ADMIN), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      return { status: res.status, json: () => JSON.parse(text) as unknown };
    },
    async close() {
      await app.close();
      await platform.close();
    },
  };
}

/** A raw SSE request that can stop reading; resolves with the response once headers arrive. */
function subscribeRaw(running: Running, query: string, headers: Record<string, string> = {}) {
  const url = new URL(`${running.base}/api/v1/events/subscribe?${query}`);
  const path = url.pathname + url.search;
  return new Promise<{ res: IncomingMessage; destroy: () => void }>((resolve, reject) => {
    const req = request(`${running.base}${path}`, { headers: { ...internalHeaders(PROOF, 'GET', path, ADMIN), ...headers } }, (res) => resolve({ res, destroy: () => req.destroy() }));
    req.on('error', reject);
    req.end();
  });
}

function readAll(res: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (c: string) => (text += c));
    res.on('end', () => resolve(text));
    res.on('close', () => resolve(text));
  });
}

const positionsOf = (text: string) => [...text.matchAll(/^id: (\d+)$/gm)].map((m) => m[1]!);

describe('hermes alone: heartbeats, slow consumers, cleanup', () => {
  let running: Running;
  // hermes's warnings, to know when it dropped a subscriber (the test's client cannot tell while it does not read).
  const warnings: string[] = [];
  beforeAll(async () => {
    const log = pino({ level: 'warn' }, new Writable({ write: (chunk: Buffer, _enc, done) => (warnings.push(chunk.toString()), done()) }));
    running = await runHermes(freshPgliteDir(), { cleanupIntervalMs: 100, limits: { heartbeatMs: 100, maxBufferedBytes: 16 * 1024, slowConsumerMs: 300 } }, log);
  });
  afterAll(async () => running?.close());

  it('sends a heartbeat comment every interval', async () => {
    const { res, destroy } = await subscribeRaw(running, 'topics=quiet.>');
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (c: string) => (text += c));
    await new Promise((resolve) => setTimeout(resolve, 450));
    destroy();
    expect(res.statusCode).toBe(200);
    expect(text.match(/^: heartbeat$/gm)?.length ?? 0).toBeGreaterThanOrEqual(3);
  });

  it('drops a client that stops reading with a final event, never buffering without bound', async () => {
    // 96 MB of events: far more than loopback socket buffers hold (Linux autotunes receive buffers up to 32 MB).
    await running.platform.db.query(
      `INSERT INTO hermes.events (id, topic, payload, headers, time)
       SELECT 'bulk-' || g, 'bulk.item', jsonb_build_object('pad', repeat('x', 32000), 'n', g), '{}'::jsonb, now() FROM generate_series(1, 3000) g`,
    );
    const { res } = await subscribeRaw(running, 'topics=bulk.>&last_event_id=0');
    res.pause();
    const until = Date.now() + 25_000;
    while (!warnings.some((w) => w.includes('dropping a slow event subscriber')) && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 50));
    const text = await readAll(res.resume());
    const positions = positionsOf(text);
    expect(positions.length).toBeGreaterThan(0);
    expect(positions.length).toBeLessThan(3000);
    const final = text.trimEnd().split('\n\n').at(-1)!;
    expect(final).toContain('event: dropped');
    expect(JSON.parse(final.split('data: ')[1]!)).toMatchObject({ reason: expect.stringContaining('slow consumer'), last_event_id: positions.at(-1) });
  });

  it('deletes expired registrations in the periodic cleanup', async () => {
    const created = await running.call('POST', '/api/v1/services', { name: 'shortlived', url: 'http://127.0.0.1:1', health_url: 'http://127.0.0.1:1/health', ttl_seconds: 1 });
    expect(created.status).toBe(200);
    const id = (created.json() as { instance_id: string }).instance_id;
    const count = async () => (await running.platform.db.query<{ n: number }>('SELECT count(*)::int AS n FROM hermes.services WHERE instance_id = $1', [id])).rows[0]!.n;
    expect(await count()).toBe(1);
    const until = Date.now() + 5000;
    while ((await count()) > 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await count()).toBe(0);
  });
});

describe('hermes alone: resume across a restart on the same PGlite directory', () => {
  it('resumes after Last-Event-ID with exactly the missed events, and remembers message ids', async () => {
    const dir = freshPgliteDir();
    let running = await runHermes(dir);
    const ids: string[] = [];
    let first = '';
    try {
      for (const n of [1, 2, 3]) {
        const res = await running.call('POST', '/api/v1/events', { topic: 'restart.n', payload: { n }, id: `restart-${n}` });
        expect(res.status).toBe(202);
        ids.push((res.json() as { id: string }).id);
      }
      const { res, destroy } = await subscribeRaw(running, 'topics=restart.*&last_event_id=0');
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      const until = Date.now() + 5000;
      while (positionsOf(text).length < 3 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
      destroy();
      first = positionsOf(text)[0]!;
    } finally {
      await running.close();
    }

    running = await runHermes(dir);
    try {
      const again = await running.call('POST', '/api/v1/events', { topic: 'restart.n', payload: { n: 1 }, id: 'restart-1' });
      expect(again.json()).toMatchObject({ id: ids[0], duplicate: true });
      const fourth = await running.call('POST', '/api/v1/events', { topic: 'restart.n', payload: { n: 4 } });
      ids.push((fourth.json() as { id: string }).id);
      const { res, destroy } = await subscribeRaw(running, 'topics=restart.*', { 'last-event-id': first });
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      const until = Date.now() + 5000;
      while (positionsOf(text).length < 3 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
      await new Promise((resolve) => setTimeout(resolve, 200));
      destroy();
      const got = [...text.matchAll(/^data: (.*)$/gm)].map((m) => (JSON.parse(m[1]!) as { id: string }).id);
      expect(got).toEqual(ids.slice(1));
    } finally {
      await running.close();
    }
  });
});
