import type { FastifyRequest } from 'fastify';
import type { EventSource } from './source.js';
import { waitBelow, type StreamLimits } from './limits.js';

/** The part of a `ws` WebSocket hermes uses (the `ws` package ships no types). */
export interface WsSocket {
  readonly bufferedAmount: number;
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  on(event: 'message', listener: (data: Buffer | string) => void): void;
  on(event: 'close', listener: () => void): void;
}

/** A `ws` socket (untyped) seen through {@link WsSocket}. */
export function asWsSocket(socket: unknown): WsSocket {
  return socket as WsSocket;
}

export interface WsOptions {
  source: EventSource;
  patterns: readonly string[];
  after: bigint | undefined;
  limits: StreamLimits;
  closing: AbortSignal;
  /** With acks: at most this many events unacknowledged; hermes waits for `{"type":"ack","position":"…"}`. */
  ackWindow: number | undefined;
}

const OPEN = 1;
/** Close codes: 1001 going away (service stops), 4008 dropped as a slow consumer, 1011 the source failed. */
const GOING_AWAY = 1001;
const SLOW_CONSUMER = 4008;
const SOURCE_FAILED = 1011;

/**
 * Streams events over a WebSocket as JSON frames: `{type:'event', position, event}`, `{type:'heartbeat'}`,
 * and a final `{type:'dropped'|'error', reason, last_event_id}`. With an ack window the client's acks pace
 * the stream (cumulative: acking a position acknowledges every one before it), so memory stays bounded by
 * the window; without, a client that does not keep up is dropped as over SSE.
 */
export async function streamWs(socket: WsSocket, request: FastifyRequest, options: WsOptions): Promise<void> {
  const { limits, ackWindow } = options;
  const stop = new AbortController();
  const abort = () => stop.abort();
  options.closing.addEventListener('abort', abort, { once: true });
  socket.on('close', abort);
  const unacked: bigint[] = [];
  let wakeAck: (() => void) | undefined;
  socket.on('message', (data) => {
    try {
      const msg = JSON.parse(String(data)) as { type?: unknown; position?: unknown };
      if (msg.type !== 'ack' || typeof msg.position !== 'string' || !/^\d+$/.test(msg.position)) return;
      const acked = BigInt(msg.position);
      while (unacked.length && unacked[0]! <= acked) unacked.shift();
      wakeAck?.();
    } catch {
      // not JSON: ignored, as any frame that is not an ack
    }
  });
  const send = (frame: object) => {
    if (socket.readyState === OPEN) socket.send(JSON.stringify(frame));
  };
  const heartbeat = setInterval(() => send({ type: 'heartbeat' }), limits.heartbeatMs);
  let last: string | undefined;
  let closeCode = GOING_AWAY;
  try {
    for await (const { position, event } of options.source.open(options.patterns, options.after, stop.signal)) {
      while (ackWindow !== undefined && unacked.length >= ackWindow && !stop.signal.aborted) {
        await new Promise<void>((resolve) => {
          wakeAck = resolve;
          stop.signal.addEventListener('abort', () => resolve(), { once: true });
        });
      }
      if (stop.signal.aborted) break;
      send({ type: 'event', position, event });
      if (ackWindow !== undefined) unacked.push(BigInt(position));
      last = position;
      if (socket.bufferedAmount > limits.maxBufferedBytes) {
        const caughtUp = await waitBelow(() => socket.bufferedAmount, limits.maxBufferedBytes, limits.slowConsumerMs, stop.signal);
        if (!caughtUp && !stop.signal.aborted) {
          request.log.warn({ buffered: socket.bufferedAmount, last_event_id: last }, 'dropping a slow event subscriber');
          send({ type: 'dropped', reason: 'slow consumer: the client did not keep up', last_event_id: last });
          closeCode = SLOW_CONSUMER;
          break;
        }
      }
    }
  } catch (error) {
    if (!stop.signal.aborted) {
      request.log.error({ err: error }, 'event subscription failed');
      send({ type: 'error', reason: 'the event source failed; reconnect with last_event_id', last_event_id: last ?? null });
      closeCode = SOURCE_FAILED;
    }
  } finally {
    clearInterval(heartbeat);
    options.closing.removeEventListener('abort', abort);
    stop.abort();
    if (socket.readyState === OPEN) socket.close(closeCode);
  }
}
