import type { FastifyReply, FastifyRequest } from 'fastify';
import { OUTBOX_SETTLED } from '@maximus/kit/outbox';
import type { GovernanceRuntime } from './runtime.js';

const POLL_MS = 200;
const HEARTBEAT_MS = 15_000;

/**
 * SSE of transitions, read from core's outbox (`governance.decision.*` rows): every replica sees every transition,
 * in the order of their sequence numbers (a row is sent once no transaction that could still commit a lower number
 * is running, so none is skipped), and `Last-Event-ID` (the sequence number) resumes after a reconnect.
 */
export function streamTransitions(request: FastifyRequest, reply: FastifyReply, runtime: GovernanceRuntime): void {
  const lastEventId = request.headers['last-event-id'];
  let last = typeof lastEventId === 'string' && /^\d+$/.test(lastEventId) ? lastEventId : undefined;
  let closed = false;
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-request-id': request.id });
  raw.write(': governance transitions\n\n');
  let timer: NodeJS.Timeout | undefined;
  const heartbeat = setInterval(() => raw.write(': keep-alive\n\n'), HEARTBEAT_MS);
  heartbeat.unref();
  const close = () => {
    closed = true;
    clearTimeout(timer);
    clearInterval(heartbeat);
  };
  request.raw.on('close', close);
  raw.on('close', close);
  const poll = async () => {
    if (closed) return;
    try {
      if (last === undefined) {
        const { rows } = await runtime.db.query<{ seq: string | null }>(`SELECT max(seq)::text AS seq FROM core.outbox`);
        last = rows[0]?.seq ?? '0';
      }
      const { rows } = await runtime.db.query<{ seq: string; topic: string; payload: unknown }>(
        `SELECT seq::text AS seq, topic, payload FROM core.outbox WHERE seq > $1::bigint AND topic LIKE 'governance.decision.%' AND ${OUTBOX_SETTLED} ORDER BY seq LIMIT 100`,
        [last],
      );
      for (const row of rows) {
        if (closed) return;
        raw.write(`id: ${row.seq}\nevent: ${row.topic.slice('governance.decision.'.length)}\ndata: ${JSON.stringify(row.payload)}\n\n`);
        last = row.seq;
      }
    } catch (error) {
      request.log.warn({ err: error }, 'governance stream poll failed; will retry');
    }
    if (!closed) timer = setTimeout(() => void poll(), POLL_MS);
  };
  void poll();
}
