import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '@maximus/kit/db';
import { OUTBOX_SETTLED } from '@maximus/kit/outbox';
import type { ConsciousnessRuntime } from './runtime.js';

const POLL_MS = 200;
const HEARTBEAT_MS = 15_000;

/**
 * SSE of the consciousness model: a `state` event (as `GET /state`) every `interval_ms`, and every
 * `consciousness.*` event from core's outbox as it commits (`esgt.success`, `arousal.level_changed`,
 * `tig.nodes_changed`, `safety.violation`, …) with its sequence number as the id, so `Last-Event-ID` resumes them
 * (a row is sent once no transaction that could still commit a lower number is running, so none is skipped).
 */
export function streamConsciousness(request: FastifyRequest, reply: FastifyReply, runtime: ConsciousnessRuntime, db: Database, intervalMs: number): void {
  const lastEventId = request.headers['last-event-id'];
  let last = typeof lastEventId === 'string' && /^\d+$/.test(lastEventId) ? lastEventId : undefined;
  let closed = false;
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-request-id': request.id });
  raw.write(': consciousness state and events\n\n');
  let poller: NodeJS.Timeout | undefined;
  let stater: NodeJS.Timeout | undefined;
  const heartbeat = setInterval(() => raw.write(': keep-alive\n\n'), HEARTBEAT_MS);
  heartbeat.unref();
  const close = () => {
    closed = true;
    clearTimeout(poller);
    clearTimeout(stater);
    clearInterval(heartbeat);
  };
  request.raw.on('close', close);
  raw.on('close', close);
  const poll = async () => {
    if (closed) return;
    try {
      if (last === undefined) {
        const { rows } = await db.query<{ seq: string | null }>('SELECT max(seq)::text AS seq FROM core.outbox');
        last = rows[0]?.seq ?? '0';
      }
      const { rows } = await db.query<{ seq: string; topic: string; payload: unknown }>(
        `SELECT seq::text AS seq, topic, payload FROM core.outbox WHERE seq > $1::bigint AND topic LIKE 'consciousness.%' AND ${OUTBOX_SETTLED} ORDER BY seq LIMIT 100`,
        [last],
      );
      for (const row of rows) {
        if (closed) return;
        raw.write(`id: ${row.seq}\nevent: ${row.topic.slice('consciousness.'.length)}\ndata: ${JSON.stringify(row.payload)}\n\n`);
        last = row.seq;
      }
    } catch (error) {
      request.log.warn({ err: error }, 'consciousness stream poll failed; will retry');
    }
    if (!closed) poller = setTimeout(() => void poll(), POLL_MS);
  };
  const state = async () => {
    if (closed) return;
    try {
      const snapshot = await runtime.state();
      if (!closed) raw.write(`event: state\ndata: ${JSON.stringify(snapshot)}\n\n`);
    } catch (error) {
      request.log.warn({ err: error }, 'consciousness stream state failed; will retry');
    }
    if (!closed) stater = setTimeout(() => void state(), intervalMs);
  };
  void state();
  void poll();
}
