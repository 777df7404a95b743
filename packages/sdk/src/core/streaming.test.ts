import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { Maximus } from '../client.js';
import { AuthenticationError, ConnectionError, StreamIdleTimeoutError, type ConsciousnessStreamEvent, type GovernanceStreamEvent, type StreamEvent } from '../index.js';
import { sendProblem, sendSse, startServer, startSse, type Handler, type TestServer } from '../testing/http-server.js';
import { SseParser } from './streaming.js';

// Streams over a real local SSE server that falls silent, drops connections and refuses on purpose: the shared idle
// timeout and the reconnection after the last event id.
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
  it('ends a governance stream that falls silent with StreamIdleTimeoutError when it may not reconnect', async () => {
    const { client } = await setup((_req, res) => {
      startSse(res);
      sendSse(res, { id: '1', event: 'pending', data: { decision } });
    });
    const seen: GovernanceStreamEvent[] = [];
    const started = performance.now();
    const error = await (async () => {
      for await (const event of client.governance.stream({ idleTimeoutMs: 200, maxReconnects: 0 })) seen.push(event);
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
      for await (const _ of client.governance.stream({ idleTimeoutMs: 150, maxReconnects: 0 })) break;
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

describe('reconnection', () => {
  it('reopens a governance stream the server dropped or refused (503), after the last event id, and no transition is lost', async () => {
    const { server, client } = await setup((req, res, i) => {
      if (i === 0) {
        startSse(res);
        sendSse(res, { id: '1', event: 'pending', data: { decision } });
        setTimeout(() => res.destroy(), 20); // the gateway restarts mid-stream
      } else if (i === 1) {
        sendProblem(res, 503, 'KIT_ERR_NOT_READY', {}, { 'retry-after': '0' });
      } else {
        startSse(res);
        sendSse(res, { id: '2', event: 'approved', data: { decision: { ...decision, status: 'approved' } } });
      }
    });
    const stop = new AbortController();
    const seen: GovernanceStreamEvent[] = [];
    for await (const event of client.governance.stream({ signal: stop.signal })) {
      seen.push(event);
      if (seen.length === 2) stop.abort();
    }
    expect(seen.map((e) => [e.id, e.event])).toEqual([
      ['1', 'pending'],
      ['2', 'approved'],
    ]);
    expect(server.arrivals.map((a) => a.headers['last-event-id'])).toEqual([undefined, '1', '1']);
  });

  it('resumes where the server said it started (an id line alone) when the connection broke before any event', async () => {
    const { server, client } = await setup((_req, res, i) => {
      startSse(res);
      if (i === 0) {
        res.write('id: 41\n\n');
        setTimeout(() => res.destroy(), 20);
      } else sendSse(res, { id: '42', event: 'pending', data: { decision } });
    });
    const stop = new AbortController();
    const seen: GovernanceStreamEvent[] = [];
    for await (const event of client.governance.stream({ signal: stop.signal })) {
      seen.push(event);
      stop.abort();
    }
    expect(seen.map((e) => e.id)).toEqual(['42']);
    expect(server.arrivals.map((a) => a.headers['last-event-id'])).toEqual([undefined, '41']);
  });

  it('resumes a consciousness stream after its last model event; snapshots carry no id and just resume', async () => {
    const state = { arousal: { value: 0.6 } };
    const { server, client } = await setup((_req, res, i) => {
      startSse(res);
      if (i === 0) sendSse(res, { id: '7', event: 'esgt.success', data: { salience: 0.9 } });
      sendSse(res, { event: 'state', data: state });
      if (i === 0) setTimeout(() => res.end(), 20); // closed by the server
    });
    const stop = new AbortController();
    const seen: ConsciousnessStreamEvent[] = [];
    for await (const event of client.consciousness.stream({ lastEventId: '5', signal: stop.signal })) {
      seen.push(event);
      if (seen.length === 3) stop.abort();
    }
    expect(seen.map((e) => [e.event, e.id])).toEqual([
      ['esgt.success', '7'],
      ['state', undefined],
      ['state', undefined],
    ]);
    expect(server.arrivals.map((a) => a.headers['last-event-id'])).toEqual(['5', '7']);
  });

  it('gives up after maxReconnects failures in a row with the last one, and never retries a refusal it cannot fix', async () => {
    const silent = await setup((_req, res) => startSse(res));
    const idle = await (async () => {
      for await (const _ of silent.client.governance.stream({ idleTimeoutMs: 50, maxReconnects: 2 })) break;
    })().catch((e: unknown) => e);
    expect(idle).toBeInstanceOf(StreamIdleTimeoutError);
    expect(silent.server.arrivals).toHaveLength(3);

    const dropping = await setup((_req, res) => res.destroy());
    const reset = await (async () => {
      for await (const _ of dropping.client.consciousness.stream({ maxReconnects: 3 })) break;
    })().catch((e: unknown) => e);
    expect(reset).toBeInstanceOf(ConnectionError);
    expect(dropping.server.arrivals).toHaveLength(4);

    const refusing = await setup((_req, res) => sendProblem(res, 401, 'GATEWAY_ERR_UNAUTHENTICATED'));
    const refused = await (async () => {
      for await (const _ of refusing.client.governance.stream()) break;
    })().catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AuthenticationError);
    expect(refusing.server.arrivals).toHaveLength(1);
  });
});

describe('SseParser', () => {
  it('keeps the last event id of complete blocks only, an id line alone included, as WHATWG defines it', () => {
    const parser = new SseParser();
    expect(parser.push('id: 5\n\n')).toEqual([]);
    expect(parser.lastEventId).toBe('5');
    expect(parser.push('data: x\n\n')).toEqual([{ id: undefined, event: 'message', data: 'x' }]);
    expect(parser.lastEventId).toBe('5'); // an event without an id keeps it
    parser.push('id: 6\ndata: half');
    expect(parser.lastEventId).toBe('5'); // the block is not complete yet
    expect(parser.push('\n\n')).toEqual([{ id: '6', event: 'message', data: 'half' }]);
    expect(parser.lastEventId).toBe('6');
    parser.push('id: 7\0\n\n');
    expect(parser.lastEventId).toBe('6'); // an id with NUL is ignored
  });

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
