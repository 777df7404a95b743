import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createServer } from '../service/index.js';
import { createLogger, redactUrl } from './index.js';

function capture() {
  const stream = new PassThrough();
  const lines: Record<string, unknown>[] = [];
  stream.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
  });
  return { stream, lines };
}

describe('logs', () => {
  it('are JSON with ISO time and a level name, secrets redacted', async () => {
    const { stream, lines } = capture();
    const log = createLogger({ destination: stream, base: { service: 'core' } });
    log.info({ req: { headers: { authorization: 'Bearer s3cr3t', 'x-api-key': 'k3y', accept: 'json' } }, config: { databaseUrl: 'postgres://u:pw@h/db', password: 'pw' } }, 'hello');
    await new Promise((r) => setImmediate(r));
    const text = JSON.stringify(lines);
    expect(lines[0]).toMatchObject({ level: 'info', service: 'core', msg: 'hello' });
    expect(String(lines[0]!.time)).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(text).not.toContain('s3cr3t');
    expect(text).not.toContain('k3y');
    expect(text).not.toContain('pw@');
    expect(text).toContain('json');
  });

  it('carry the request id on the access line of every request', async () => {
    const { stream, lines } = capture();
    const app = createServer({ log: createLogger({ destination: stream }) });
    app.get('/x/:id', () => ({ ok: true }));
    await app.inject({ method: 'GET', url: '/x/42', headers: { 'x-request-id': 'rid-1', authorization: 'Bearer nope' } });
    await app.close();
    await new Promise((r) => setImmediate(r));
    const access = lines.find((l) => l.msg === 'request completed');
    expect(access).toMatchObject({ request_id: 'rid-1', method: 'GET', route: '/x/:id', status: 200 });
    expect(JSON.stringify(lines)).not.toContain('Bearer nope');
  });

  it('log successful probes (/health, /ready, /metrics) at debug, failed ones and every other route at info', async () => {
    const { stream, lines } = capture();
    const app = createServer({ log: createLogger({ destination: stream, level: 'info' }) });
    let up = true;
    app.get('/core/health', (_request, reply) => reply.code(up ? 200 : 503).send({ up }));
    app.get('/metrics', () => 'ok');
    app.get('/api/v1/health-report', () => ({ ok: true }));
    for (const url of ['/core/health', '/metrics', '/api/v1/health-report']) await app.inject({ method: 'GET', url });
    up = false;
    await app.inject({ method: 'GET', url: '/core/health' });
    await app.close();
    await new Promise((r) => setImmediate(r));
    const access = lines.filter((l) => l.msg === 'request completed').map((l) => [l.route, l.status]);
    expect(access).toEqual([['/api/v1/health-report', 200], ['/core/health', 503]]);
  });

  it('print URLs without their password', () => {
    expect(redactUrl('postgres://maximus:hunter2@db:5432/x')).toBe('postgres://maximus:***@db:5432/x');
    expect(redactUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
    expect(redactUrl('not a url')).toBe('[unparseable URL]');
  });
});
