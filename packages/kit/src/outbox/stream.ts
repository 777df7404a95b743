import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../db/index.js';
import { OUTBOX_SETTLED } from './settled.js';

const POLL_MS = 200;
const HEARTBEAT_MS = 15_000;

export interface OutboxStreamOptions {
  readonly db: Database;
  /** The service's schema: its `<schema>.outbox` is read. */
  readonly schema: string;
  /** Rows whose topic starts with it are sent; the SSE `event:` is the rest of the topic. */
  readonly topicPrefix: string;
  /** The SSE comment written first (what the stream carries). */
  readonly comment: string;
}

/** An open outbox stream: write more events on it while it is open. */
export interface OutboxStream {
  readonly closed: boolean;
  /** Writes an SSE event without an id (not resumable), unless the stream is closed. */
  send(event: string, data: unknown): void;
  /** Runs `fn` when the client leaves. */
  onClose(fn: () => void): void;
}

/**
 * SSE of a service's outbox rows under `topicPrefix`, in `seq` order with `seq` as the event id, so that
 * `Last-Event-ID` resumes after a reconnect and every replica sends every event. Without `Last-Event-ID` the stream
 * starts at the newest row, and says where with an `id:` line alone. A row is sent once no transaction
 * that could still commit a lower `seq` is running ({@link OUTBOX_SETTLED}), so none is skipped.
 */
export function streamOutbox(request: FastifyRequest, reply: FastifyReply, options: OutboxStreamOptions): OutboxStream {
  const { db, topicPrefix } = options;
  const table = `${options.schema}.outbox`;
  const lastEventId = request.headers['last-event-id'];
  let last = typeof lastEventId === 'string' && /^\d+$/.test(lastEventId) ? lastEventId : undefined;
  let closed = false;
  const closers: (() => void)[] = [];
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-request-id': request.id });
  raw.write(`: ${options.comment}\n\n`);
  let timer: NodeJS.Timeout | undefined;
  const heartbeat = setInterval(() => raw.write(': keep-alive\n\n'), HEARTBEAT_MS);
  heartbeat.unref();
  const close = () => {
    if (closed) return;
    closed = true;
    clearTimeout(timer);
    clearInterval(heartbeat);
    for (const fn of closers) fn();
  };
  request.raw.on('close', close);
  raw.on('close', close);
  const poll = async () => {
    if (closed) return;
    try {
      if (last === undefined) {
        const { rows } = await db.query<{ seq: string | null }>(`SELECT max(seq)::text AS seq FROM ${table}`);
        last = rows[0]?.seq ?? '0';
        // An id without data: no event, but the client's last event id (WHATWG SSE), so that a client that loses
        // the connection before the first event resumes from here instead of from "now" again.
        if (!closed) raw.write(`id: ${last}\n\n`);
      }
      const { rows } = await db.query<{ seq: string; topic: string; payload: unknown }>(
        `SELECT seq::text AS seq, topic, payload FROM ${table} WHERE seq > $1::bigint AND starts_with(topic, $2) AND ${OUTBOX_SETTLED} ORDER BY seq LIMIT 100`,
        [last, topicPrefix],
      );
      for (const row of rows) {
        if (closed) return;
        raw.write(`id: ${row.seq}\nevent: ${row.topic.slice(topicPrefix.length)}\ndata: ${JSON.stringify(row.payload)}\n\n`);
        last = row.seq;
      }
    } catch (error) {
      request.log.warn({ err: error, table }, 'outbox stream poll failed; will retry');
    }
    if (!closed) timer = setTimeout(() => void poll(), POLL_MS);
  };
  void poll();
  return {
    get closed() {
      return closed;
    },
    send(event, data) {
      if (!closed) raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    onClose(fn) {
      closers.push(fn);
    },
  };
}
