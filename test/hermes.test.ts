import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'undici';
import { SERVICE_NAMES } from '@maximus/contracts';
import { Maximus, NotFoundError, ConflictError, BadRequestError } from '@maximus/sdk';
import type { TestGateway } from './gateway-helpers.js';
import { freshPgliteDir } from './helpers.js';
import { collect, embeddedGatewayAt, openSse, startAll, waitFor } from './hermes-helpers.js';

/*
 * hermes in the embedded platform, through the gateway and the SDK: the in-process bus, every service's
 * outbox feeding hermes.events, positions being that log's seq.
 */
describe('hermes (embedded): events and registry through the gateway', () => {
  let gateway: TestGateway;
  let base: string;
  let client: Maximus;
  const root = () => `h${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    gateway = await embeddedGatewayAt(freshPgliteDir());
    await startAll(gateway.services);
    base = await gateway.app.listen({ host: '127.0.0.1', port: 0 });
    client = new Maximus({ baseURL: base, apiKey: gateway.adminKey, maxRetries: 0 });
  });
  afterAll(async () => {
    await client?.close();
    await gateway?.close();
  });

  it('publishes through the outbox and streams the matching topics, in order, with positions', async () => {
    const r = root();
    const published = [];
    for (const [i, topic] of [`${r}.a.created`, `${r}.b.created`, `${r}.a.deleted`, `${r}.a.created`].entries()) {
      published.push(await client.events.publish({ topic, payload: { i } }));
    }
    expect(published[0]).toMatchObject({ topic: `${r}.a.created`, message_id: null, duplicate: false });
    const got = await collect(client.events.subscribe({ topics: [`${r}.a.*`], lastEventId: '0' }), 3);
    expect(got.map((e) => e.topic)).toEqual([`${r}.a.created`, `${r}.a.deleted`, `${r}.a.created`]);
    expect(got.map((e) => e.id)).toEqual([published[0]!.id, published[2]!.id, published[3]!.id]);
    expect(got.map((e) => (e.payload as { i: number }).i)).toEqual([0, 2, 3]);
    const positions = got.map((e) => BigInt(e.position));
    expect([...positions].sort((a, b) => (a < b ? -1 : 1))).toEqual(positions);
    expect(got[0]!.headers['x-published-by']).toMatch(/^user:/);
  });

  it('speaks SSE: id is the position, event the topic, data the envelope; a fresh subscriber gets only new events', async () => {
    const r = root();
    await client.events.publish({ topic: `${r}.old`, payload: 1 });
    const sse = await openSse(base, gateway.adminKey, `topics=${r}.>`);
    try {
      expect(sse.status).toBe(200);
      expect(sse.headers['content-type']).toContain('text/event-stream');
      const event = await client.events.publish({ topic: `${r}.new`, payload: { hello: 'world' } });
      const [frame] = await sse.frames(1);
      expect(frame).toMatchObject({ event: `${r}.new` });
      expect(frame!.id).toMatch(/^\d+$/);
      expect(JSON.parse(frame!.data)).toEqual({ id: event.id, topic: `${r}.new`, payload: { hello: 'world' }, headers: expect.any(Object), time: event.time });
    } finally {
      sse.close();
    }
  });

  it('resumes after Last-Event-ID (header or query) with exactly the missed events', async () => {
    const r = root();
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push((await client.events.publish({ topic: `${r}.n`, payload: { i } })).id);
    const first = await collect(client.events.subscribe({ topics: [`${r}.n`], lastEventId: '0' }), 2);
    expect(first.map((e) => e.id)).toEqual(ids.slice(0, 2));
    const resumed = await collect(client.events.subscribe({ topics: [`${r}.n`], lastEventId: first[1]!.position }), 4);
    expect(resumed.map((e) => e.id)).toEqual(ids.slice(2));
    // Nothing else follows: the next event is a new one.
    const after = (async () => collect(client.events.subscribe({ topics: [`${r}.n`], lastEventId: resumed[3]!.position }), 1))();
    const seventh = await client.events.publish({ topic: `${r}.n`, payload: { i: 6 } });
    expect((await after).map((e) => e.id)).toEqual([seventh.id]);

    const byQuery = await openSse(base, gateway.adminKey, `topics=${r}.n&last_event_id=${first[1]!.position}`);
    try {
      expect((await byQuery.frames(5)).map((f) => (JSON.parse(f.data) as { id: string }).id)).toEqual([...ids.slice(2), seventh.id]);
    } finally {
      byQuery.close();
    }
  });

  it('publishes a message id once within the window, answering with the same event', async () => {
    const r = root();
    const id = `msg-${randomUUID()}`;
    const first = await client.events.publish({ topic: `${r}.once`, payload: { n: 1 }, id });
    const again = await client.events.publish({ topic: `${r}.once`, payload: { n: 2 }, id });
    expect(first).toMatchObject({ message_id: id, duplicate: false });
    expect(again).toEqual({ ...first, duplicate: true });
    await expect(client.events.publish({ topic: `${r}.other`, payload: {}, id })).rejects.toBeInstanceOf(ConflictError);
    const marker = await client.events.publish({ topic: `${r}.once`, payload: { marker: true } });
    const got = await collect(client.events.subscribe({ topics: [`${r}.once`], lastEventId: '0' }), 2);
    expect(got.map((e) => e.id)).toEqual([first.id, marker.id]);
    expect(got[0]!.headers['x-message-id']).toBe(id);
  });

  it('refuses bad patterns and positions with problem+json', async () => {
    await expect(collect(client.events.subscribe({ topics: ['a.>.b'] }), 1)).rejects.toBeInstanceOf(BadRequestError);
    const res = await fetch(`${base}/hermes/api/v1/events/subscribe?topics=a.b`, { headers: { 'x-api-key': gateway.adminKey, 'last-event-id': 'abc' } });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'HERMES_ERR_SUBSCRIBE_LAST_EVENT_ID_INVALID' });
    const anonymous = await fetch(`${base}/hermes/api/v1/events/subscribe?topics=a.b`);
    expect(anonymous.status).toBe(401);
  });

  it('dead-letters an event whose consumer always fails after the bound, visible through the stream', async () => {
    const r = root();
    let attempts = 0;
    const sub = await gateway.platform.bus.subscribe(
      `${r}.fail`,
      () => {
        attempts++;
        return Promise.reject(new Error('this consumer always fails'));
      },
      { durable: `always-fails-${r}` },
    );
    try {
      const event = await client.events.publish({ topic: `${r}.fail`, payload: { doomed: true } });
      const [letter] = await collect(client.events.subscribe({ topics: [`deadletter.${r}.>`], lastEventId: '0' }), 1);
      expect(letter).toMatchObject({ id: event.id, topic: `deadletter.${r}.fail`, payload: { doomed: true } });
      expect(letter!.headers).toMatchObject({ 'x-dead-letter-reason': 'this consumer always fails', 'x-dead-letter-durable': `always-fails-${r}` });
      expect(attempts).toBe(gateway.platform.config.bus.maxDeliver);
      expect(attempts).toBe(5);
    } finally {
      await sub.unsubscribe();
    }
  });

  it('streams over a WebSocket with the same resume, paced by client acks', async () => {
    const r = root();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await client.events.publish({ topic: `${r}.ws`, payload: { i } })).id);
    const url = `${base.replace('http', 'ws')}/hermes/api/v1/events/ws?topics=${r}.ws&last_event_id=0&ack=true&window=2`;
    const ws = new WebSocket(url, { headers: { 'x-api-key': gateway.adminKey } });
    const frames: Array<{ type: string; position?: string; event?: { id: string } }> = [];
    ws.addEventListener('message', (m) => frames.push(JSON.parse(String(m.data))));
    try {
      await waitFor(() => frames.length >= 2, 5000, 'two events');
      await new Promise((resolve) => setTimeout(resolve, 300));
      // The window is full: nothing more until an ack.
      expect(frames.filter((f) => f.type === 'event')).toHaveLength(2);
      ws.send(JSON.stringify({ type: 'ack', position: frames[1]!.position }));
      await waitFor(() => frames.filter((f) => f.type === 'event').length >= 4, 5000, 'two more after the ack');
      const events = frames.filter((f) => f.type === 'event');
      expect(events.map((f) => f.event!.id)).toEqual(ids.slice(0, 4));
      ws.close();

      const resumed = new WebSocket(`${base.replace('http', 'ws')}/hermes/api/v1/events/ws?topics=${r}.ws&last_event_id=${events[3]!.position}`, {
        headers: { 'x-api-key': gateway.adminKey },
      });
      const more: Array<{ type: string; event?: { id: string } }> = [];
      resumed.addEventListener('message', (m) => more.push(JSON.parse(String(m.data))));
      await waitFor(() => more.some((f) => f.type === 'event'), 5000, 'the missed event');
      expect(more.filter((f) => f.type === 'event').map((f) => f.event!.id)).toEqual([ids[4]]);
      resumed.close();
    } finally {
      ws.close();
    }
  });

  it('registers, heartbeats, lists only the unexpired, and removes', async () => {
    const name = root();
    const entry = await client.services.register({ name, url: 'http://10.0.0.9:9000', health_url: 'http://10.0.0.9:9000/health', ttl_seconds: 1 });
    expect(entry).toMatchObject({ name, url: 'http://10.0.0.9:9000', ttl_seconds: 1 });
    const again = await client.services.register({ name, url: 'http://10.0.0.9:9000', health_url: 'http://10.0.0.9:9000/health', ttl_seconds: 1 });
    expect(again.instance_id).toBe(entry.instance_id);
    expect(Date.parse(again.expires_at)).toBeGreaterThanOrEqual(Date.parse(entry.expires_at));
    expect(again.registered_at).toBe(entry.registered_at);
    const other = await client.services.register({ name, url: 'http://10.0.0.10:9000', health_url: 'http://10.0.0.10:9000/health', ttl_seconds: 60, instance_id: `${name}-b` });
    expect((await client.services.list({ name })).map((s) => s.instance_id).sort()).toEqual([entry.instance_id, other.instance_id].sort());
    await waitFor(async () => (await client.services.list({ name })).length === 1, 5000, 'the 1 s registration expires');
    expect((await client.services.list({ name }))[0]!.instance_id).toBe(`${name}-b`);
    expect(await client.services.remove(`${name}-b`)).toMatchObject({ instance_id: `${name}-b` });
    expect(await client.services.list({ name })).toEqual([]);
    await expect(client.services.remove(`${name}-b`)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('has every service registered by itself at start, in process, and deregistered at stop', async () => {
    const listed = await client.services.list();
    for (const name of SERVICE_NAMES) {
      expect(listed.find((s) => s.name === name), `${name} registered`).toMatchObject({ url: 'in-process', health_url: `/${name}/health`, ttl_seconds: 30 });
    }
    const thoth = gateway.services.find((s) => s.ctx.name === 'thoth')!;
    await thoth.stop();
    expect((await client.services.list({ name: 'thoth' })).length).toBe(0);
    await thoth.start();
    expect((await client.services.list({ name: 'thoth' })).length).toBe(1);
  });
});
