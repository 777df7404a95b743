import type { FastifyInstance, FastifyRequest } from 'fastify';
import websocket from '@fastify/websocket';
import { EventPublished, EventPublishParams, EventSubscribeQuery } from '@maximus/contracts';
import type { ServiceContext } from '@maximus/kit/service';
import { parseTopics } from '../../domain/topics.js';
import { HermesErrors } from '../../errors.js';
import { dedup } from '../../store/dedup.js';
import type { StreamLimits } from '../../stream/limits.js';
import type { EventSource } from '../../stream/source.js';
import { streamSse } from '../../stream/sse.js';
import { asWsSocket, streamWs } from '../../stream/ws.js';

export interface EventRoutesOptions {
  ctx: ServiceContext;
  source: EventSource;
  limits: StreamLimits;
  dedupWindowMs: number;
  closing: AbortSignal;
}

/** Where a subscription starts: after `Last-Event-ID` (header) or `last_event_id` (query); undefined: from now on. */
function resumePoint(request: FastifyRequest): bigint | undefined {
  const header = request.headers['last-event-id'];
  const raw = (typeof header === 'string' && header !== '' ? header : undefined) ?? (request.query as EventSubscribeQuery).last_event_id;
  if (raw === undefined) return undefined;
  if (!/^\d{1,19}$/.test(raw)) throw new HermesErrors.LastEventIdInvalid(raw.slice(0, 40));
  return BigInt(raw);
}

function patternsOf(request: FastifyRequest): string[] {
  const parsed = parseTopics((request.query as EventSubscribeQuery).topics);
  if ('problem' in parsed) throw new HermesErrors.TopicsInvalid(parsed.problem);
  return parsed.patterns;
}

/** `/events`: publish through hermes's outbox; subscribe over SSE and WebSocket, resumable by position. */
export async function eventRoutes(app: FastifyInstance, options: EventRoutesOptions): Promise<void> {
  const { ctx, source, limits, closing } = options;
  await app.register(websocket, { options: { maxPayload: 64 * 1024 } });

  app.post(
    '/events',
    {
      schema: {
        summary: 'Publish an event (through the outbox; a message id repeated within 2 minutes publishes once)',
        tags: ['events'],
        body: EventPublishParams,
        response: { 200: EventPublished, 202: EventPublished },
      },
    },
    async (request, reply) => {
      const body = request.body as EventPublishParams;
      const messageId = body.id;
      const headers: Record<string, string> = { ...body.headers, 'x-published-by': request.principal?.id ?? 'unknown' };
      if (messageId !== undefined) headers['x-message-id'] = messageId;
      const published = await ctx.outbox.transaction(async (tx, emit): Promise<EventPublished> => {
        if (messageId !== undefined) {
          const earlier = await dedup.claim(tx, messageId, body.topic, options.dedupWindowMs);
          if (earlier) {
            if (earlier.topic !== body.topic) throw new HermesErrors.MessageIdConflict(messageId, earlier.topic, body.topic);
            return earlier;
          }
        }
        const id = await emit(body.topic, body.payload, headers);
        if (messageId !== undefined) await dedup.bind(tx, messageId, id);
        const { rows } = await tx.query<{ time: Date | string }>('SELECT created_at AS time FROM hermes.outbox WHERE id = $1', [id]);
        return { id, topic: body.topic, message_id: messageId ?? null, time: new Date(rows[0]?.time ?? Date.now()).toISOString(), duplicate: false };
      });
      return reply.code(published.duplicate ? 200 : 202).send(published);
    },
  );

  app.get(
    '/events/subscribe',
    {
      schema: {
        summary: 'Server-Sent Events of the matching topics; resumes after Last-Event-ID (header or last_event_id)',
        tags: ['events'],
        querystring: EventSubscribeQuery,
        produces: ['text/event-stream'],
      },
    },
    async (request, reply) => {
      const patterns = patternsOf(request);
      const after = resumePoint(request);
      await streamSse(request, reply, { source, patterns, after, limits, closing });
    },
  );

  app.get(
    '/events/ws',
    { websocket: true, schema: { summary: 'The same stream over a WebSocket, with optional client acks', tags: ['events'], querystring: EventSubscribeQuery } },
    (socket, request) => {
      // The `ws` package ships no types: the socket is used through the few members WsSocket names.
      const ws = asWsSocket(socket);
      let patterns: string[];
      let after: bigint | undefined;
      try {
        patterns = patternsOf(request);
        after = resumePoint(request);
      } catch (error) {
        ws.send(JSON.stringify({ type: 'error', reason: (error as Error).message, code: (error as { code?: string }).code }));
        ws.close(1008, 'invalid subscription');
        return;
      }
      const query = request.query as EventSubscribeQuery;
      const ackWindow = query.ack ? (query.window ?? 100) : undefined;
      void streamWs(ws, request, { source, patterns, after, limits, closing, ackWindow });
    },
  );
}
