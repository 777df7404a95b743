import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { Maximus } from '../client.js';
import { StreamIdleTimeoutError, type GovernanceStreamEvent, type StreamEvent } from '../index.js';
import { sendSse, startServer, startSse, type Handler, type TestServer } from '../testing/http-server.js';
import { SseParser } from './streaming.js';

// Streams over a real local SSE server that falls silent on purpose: the shared idle timeout.
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(handler: Handler): Promise<{ server: TestServer; client: Maximus; open: ServerResponse[] }> {
  const open: ServerResponse[] = [];
  const server = await startServer((req, res, i) => {
    open.push(res);
    handler(req, res, i);
  });
  cleanups.push(() => server.close());
  const client = new Maximus({ baseURL: server.url, apiKey: 'k', token: null, retry: { baseDelayMs: 1, maxDelayMs: 5 } });
  cleanups.push(() => client.close());
  return { server, client, open };
}

const decision = { id: 'd1', status: 'pending' };

describe('the idle timeout', () => {
  it('ends a governance stream that falls silent with StreamIdleTimeoutError', async () => {
    const { client } = await setup((_req, res) => {
      startSse(res);
      sendSse(res, { id: '1', event: 'pending', data: { decision } });
    });
    const seen: GovernanceStreamEvent[] = [];
    const started = performance.now();
    const error = await (async () => {
      for await (const event of client.governance.stream({ idleTimeoutMs: 200 })) seen.push(event);
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StreamIdleTimeoutError);
    expect(error).toMatchObject({ code: 'SDK_ERR_STREAM_IDLE', idleMs: 200 });
    expect(performance.now() - started).toBeGreaterThanOrEqual(195);
    expect(seen).toEqual([{ id: '1', event: 'pending', decision }]);
  });

  it('is kept from firing by heartbeat comments, and the caller’s signal ends the stream quietly', async () => {
    const { client } = await setup((_req, res) => {
      startSse(res);
      const beat = setInterval(() => res.write(': keep-alive\n\n'), 50);
      res.on('close', () => clearInterval(beat));
    });
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 500);
    const events: unknown[] = [];
    for await (const event of client.governance.stream({ idleTimeoutMs: 200, signal: stop.signal })) events.push(event);
    expect(events).toEqual([]);
  });

  it('fires while waiting for the answer’s headers too', async () => {
    const { client } = await setup(() => {});
    const error = await (async () => {
      for await (const _ of client.governance.stream({ idleTimeoutMs: 150 })) break;
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StreamIdleTimeoutError);
  });

  it('makes events.subscribe reopen a silent connection after the last position it received', async () => {
    const { server, client } = await setup((req, res, i) => {
      startSse(res);
      sendSse(res, { id: String(i + 1), data: { id: `e${i + 1}`, topic: 't.x', payload: { i }, published_at: '2026-01-01T00:00:00Z' } });
    });
    const stop = new AbortController();
    const seen: StreamEvent[] = [];
    for await (const event of client.events.subscribe({ topics: ['t.>'], idleTimeoutMs: 150, signal: stop.signal })) {
      seen.push(event);
      if (seen.length === 3) stop.abort();
    }
    expect(seen.map((e) => e.position)).toEqual(['1', '2', '3']);
    expect(server.arrivals.map((a) => a.headers['last-event-id'])).toEqual([undefined, '1', '2']);
    expect(server.arrivals[0]!.headers['x-api-key']).toBe('k');
    expect(server.arrivals[0]!.headers.accept).toBe('text/event-stream');
  });
});

describe('SseParser', () => {
  it('parses events split anywhere, CRLF split across chunks included', () => {
    const parser = new SseParser();
    const text = 'id: 7\r\nevent: approved\r\ndata: {"a":\r\ndata: 1}\r\n\r\n: comment\r\n\r\ndata: x\n\n';
    const out = [];
    for (const ch of text) out.push(...parser.push(ch));
    expect(out).toEqual([
      { id: '7', event: 'approved', data: '{"a":\n1}' },
      { id: undefined, event: 'message', data: 'x' },
    ]);
  });
});
