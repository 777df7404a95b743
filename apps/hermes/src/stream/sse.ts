import type { FastifyReply, FastifyRequest } from 'fastify';
import type { EventSource } from './source.js';
import { waitBelow, type StreamLimits } from './limits.js';

export interface SseOptions {
  source: EventSource;
  patterns: readonly string[];
  after: bigint | undefined;
  limits: StreamLimits;
  /** Aborts when the service stops. */
  closing: AbortSignal;
}

const line = (value: string) => value.replace(/[\r\n]/g, ' ');

/**
 * Streams events as Server-Sent Events: `id:` the position, `event:` the topic, `data:` the JSON envelope;
 * a comment every `heartbeatMs`. A client that stops reading is given `slowConsumerMs` to catch up, then
 * dropped with a final `event: dropped` (no `id:`, so its Last-Event-ID stays on the last event it got).
 */
export async function streamSse(request: FastifyRequest, reply: FastifyReply, options: SseOptions): Promise<void> {
  const { limits } = options;
  const stop = new AbortController();
  const abort = () => stop.abort();
  options.closing.addEventListener('abort', abort, { once: true });
  request.raw.once('close', abort);
  reply.hijack();
  const res = reply.raw;
  res.on('close', abort);
  res.writeHead(200, {
    ...(reply.getHeaders() as Record<string, string>),
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  res.write('retry: 1000\n: subscribed\n\n');
  const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), limits.heartbeatMs);
  let last: string | undefined;
  try {
    for await (const { position, event } of options.source.open(options.patterns, options.after, stop.signal)) {
      res.write(`id: ${position}\nevent: ${line(event.topic)}\ndata: ${JSON.stringify(event)}\n\n`);
      last = position;
      if (res.writableLength > limits.maxBufferedBytes) {
        const caughtUp = await waitBelow(() => res.writableLength, limits.maxBufferedBytes, limits.slowConsumerMs, stop.signal);
        if (!caughtUp && !stop.signal.aborted) {
          request.log.warn({ buffered: res.writableLength, last_event_id: last }, 'dropping a slow event subscriber');
          res.write(`event: dropped\ndata: ${JSON.stringify({ reason: 'slow consumer: the client did not keep up', last_event_id: last ?? null })}\n\n`);
          break;
        }
      }
    }
  } catch (error) {
    if (!stop.signal.aborted) {
      request.log.error({ err: error }, 'event subscription failed');
      res.write(`event: error\ndata: ${JSON.stringify({ reason: 'the event source failed; reconnect with Last-Event-ID', last_event_id: last ?? null })}\n\n`);
    }
  } finally {
    clearInterval(heartbeat);
    options.closing.removeEventListener('abort', abort);
    stop.abort();
    res.end();
  }
}
