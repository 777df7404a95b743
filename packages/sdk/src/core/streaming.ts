import { APIError, APIUserAbortError, MaximusError, StreamIdleTimeoutError } from '../errors.js';
import type { ResolvedClientOptions } from './options.js';
import { baseHeaders } from './request.js';
import { fromTransportError, isRetryable, retryDelay } from './retry.js';

/**
 * One parsed Server-Sent Event.
 * @example
 * const message: SseMessage = { id: '42', event: 'message', data: '{"a":1}' };
 */
export interface SseMessage {
  id: string | undefined;
  event: string;
  data: string;
}

/**
 * A Server-Sent Events parser (WHATWG's field rules: `id`, `event`, `data`, comments ignored, any line ending).
 * @example
 * const parser = new SseParser();
 * parser.push('id: 1\ndata: {"a":1}\n\n'); // [{ id: '1', event: 'message', data: '{"a":1}' }]
 */
export class SseParser {
  #buffer = '';
  #id: string | undefined;
  #event = '';
  #data: string[] = [];
  #lastEventId: string | undefined;

  /**
   * The stream's last event id as WHATWG defines it: the `id` of the last complete block that had one, data or not
   * (a server may send `id: 42` alone to set where a reconnection resumes without sending an event).
   */
  get lastEventId(): string | undefined {
    return this.#lastEventId;
  }

  /** Feeds a chunk; returns the events it completed. */
  push(chunk: string): SseMessage[] {
    this.#buffer += chunk;
    const out: SseMessage[] = [];
    for (let nl = this.#buffer.search(/\r\n|\r|\n/); nl >= 0; nl = this.#buffer.search(/\r\n|\r|\n/)) {
      // A lone trailing \r may be the first half of \r\n: wait for the next chunk.
      if (this.#buffer[nl] === '\r' && nl === this.#buffer.length - 1) break;
      const line = this.#buffer.slice(0, nl);
      this.#buffer = this.#buffer.slice(nl + (this.#buffer.startsWith('\r\n', nl) ? 2 : 1));
      if (line === '') {
        if (this.#id !== undefined) this.#lastEventId = this.#id;
        if (this.#data.length) out.push({ id: this.#id, event: this.#event || 'message', data: this.#data.join('\n') });
        this.#id = undefined;
        this.#event = '';
        this.#data = [];
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'data') this.#data.push(value);
      else if (field === 'event') this.#event = value;
      else if (field === 'id' && !value.includes('\0')) this.#id = value;
    }
    return out;
  }
}

/**
 * The shared idle timer of the SDK's streams: `arm()` (re)starts it, at the start and on every chunk;
 * `stop()` ends it. When `ms` pass without an `arm()`, `onIdle` gets a {@link StreamIdleTimeoutError}.
 * @internal
 */
export function idleTimer(ms: number, onIdle: (error: StreamIdleTimeoutError) => void): { arm(): void; stop(): void } {
  let timer: NodeJS.Timeout | undefined;
  return {
    arm() {
      clearTimeout(timer);
      timer = setTimeout(() => onIdle(new StreamIdleTimeoutError(ms)), ms);
    },
    stop() {
      clearTimeout(timer);
    },
  };
}

/**
 * What {@link openEventStream} opens.
 * @example
 * const params: EventStreamParams = { path: '/core/api/v1/governance/stream', idleTimeoutMs: 45_000 };
 */
export interface EventStreamParams {
  /** Path below `baseURL`, query included. */
  path: string;
  /** Extra headers (`last-event-id`). */
  headers?: Record<string, string>;
  /** Ends the stream quietly (the iteration returns). */
  signal?: AbortSignal;
  /** No byte (event or heartbeat comment) for this long, from the request on: {@link StreamIdleTimeoutError}. */
  idleTimeoutMs: number;
  /**
   * Told the stream's last event id ({@link SseParser.lastEventId}) when it changes, once the events before it have
   * been yielded: where a reconnection should resume.
   */
  onLastEventId?: (id: string) => void;
}

/**
 * Opens a Server-Sent Events stream with the client's credentials and pool, and yields its events. The
 * shared idle timeout: when nothing (not even a heartbeat comment) arrives for `idleTimeoutMs`, the
 * connection is closed and the iteration throws {@link StreamIdleTimeoutError}. An error status throws its
 * {@link APIError}; a broken connection a ConnectionError; the caller's `signal` ends the iteration quietly.
 * Breaking out of the loop closes the connection.
 * @example
 * for await (const message of openEventStream(client.options, { path: '/core/api/v1/governance/stream', idleTimeoutMs: 45_000 })) {
 *   console.log(message.event, JSON.parse(message.data));
 * }
 */
export async function* openEventStream(client: ResolvedClientOptions, params: EventStreamParams): AsyncGenerator<SseMessage, void, undefined> {
  const outer = params.signal;
  if (outer?.aborted) return;
  const base = new URL(client.baseURL);
  const controller = new AbortController();
  const onAbort = () => controller.abort(new APIUserAbortError(outer?.reason));
  outer?.addEventListener('abort', onAbort, { once: true });
  const idle = idleTimer(params.idleTimeoutMs, (error) => controller.abort(error));
  try {
    idle.arm();
    const headers = { ...baseHeaders(client, undefined, 'text/event-stream'), ...params.headers };
    const response = await client.dispatcher.request({
      origin: base.origin,
      path: `${base.pathname.replace(/\/+$/, '')}${params.path}`,
      method: 'GET',
      headers,
      signal: controller.signal,
      headersTimeout: 0,
      bodyTimeout: 0,
    });
    if (response.statusCode !== 200) {
      const text = await response.body.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // not JSON: the text is the body
      }
      throw APIError.generate(response.statusCode, body, response.headers);
    }
    const parser = new SseParser();
    response.body.setEncoding('utf8');
    let reported: string | undefined;
    for await (const chunk of response.body as AsyncIterable<string>) {
      idle.arm();
      for (const message of parser.push(chunk)) yield message;
      if (parser.lastEventId !== undefined && parser.lastEventId !== reported) params.onLastEventId?.((reported = parser.lastEventId));
    }
  } catch (error) {
    if (outer?.aborted) return;
    if (controller.signal.aborted) throw controller.signal.reason;
    throw error instanceof APIError ? error : fromTransportError(error, params.idleTimeoutMs);
  } finally {
    idle.stop();
    outer?.removeEventListener('abort', onAbort);
    controller.abort();
  }
}

/**
 * What {@link resumeEventStream} opens, and how it resumes.
 * @example
 * const params: ResumableStreamParams = { path: '/core/api/v1/governance/stream', idleTimeoutMs: 45_000, maxReconnects: 20 };
 */
export interface ResumableStreamParams extends Omit<EventStreamParams, 'headers' | 'onLastEventId'> {
  /** Start after this event id (`Last-Event-ID`). @default the server's default: events from now on */
  lastEventId?: string;
  /**
   * Reconnections in a row, without a message in between, before the iteration throws the last failure; 0 never
   * reconnects. With the default backoff (full jitter from 0.5 s, doubling, at most 8 s) ten take about 28 s on
   * average: a gateway restarting, a rolling deployment, a proxy's idle cut. @default 10
   */
  maxReconnects?: number;
  /**
   * Recognises a message by which the server says it ended the stream (hermes's `dropped` and `error`):
   * returns its description, which becomes the failure; undefined for an ordinary message.
   */
  endedBy?: (message: SseMessage) => string | undefined;
}

const sleep = (ms: number, signal: AbortSignal | undefined) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });

/**
 * {@link openEventStream} that survives a lost connection, as a browser's EventSource does: a connection that
 * breaks, falls silent for `idleTimeoutMs`, is closed by the server, or is refused with a retryable status
 * (408, 429, 5xx: a restarting gateway) is reopened after the client's retry backoff (or the server's
 * `Retry-After`), with `Last-Event-ID` set to the last event id received, so the server replays what was
 * missed. Delivery is therefore at-least-once: an event may come twice, deduplicate by id. A refusal that
 * retrying cannot fix (400, 401, 403) throws at once; `maxReconnects` failures in a row throw the last one.
 * The caller's `signal` ends the iteration quietly.
 * @example
 * const stream = resumeEventStream(client.options, { path: '/core/api/v1/governance/stream', idleTimeoutMs: 45_000 });
 * for await (const message of stream) console.log(message.id, message.event);
 */
export async function* resumeEventStream(client: ResolvedClientOptions, params: ResumableStreamParams): AsyncGenerator<SseMessage, void, undefined> {
  const { lastEventId, maxReconnects = 10, endedBy, ...open } = params;
  const outer = params.signal;
  let last = lastEventId;
  for (let failures = 0; ; ) {
    if (outer?.aborted) return;
    let failure: MaximusError | undefined;
    try {
      const headers: Record<string, string> = last !== undefined ? { 'last-event-id': last } : {};
      // The parser's last event id, reported once the events before it are yielded: ids of events and id lines alone.
      for await (const message of openEventStream(client, { ...open, headers, onLastEventId: (id) => (last = id) })) {
        const ended = endedBy?.(message);
        if (ended !== undefined) {
          failure = new MaximusError(`The server ended the stream: ${ended}`, { code: 'SDK_ERR_CONNECTION_FAILED' });
          continue;
        }
        failures = 0;
        yield message;
      }
      if (outer?.aborted) return;
      failure ??= new MaximusError('The server closed the stream', { code: 'SDK_ERR_CONNECTION_FAILED' });
    } catch (error) {
      if (outer?.aborted) return;
      failure = error instanceof MaximusError ? error : fromTransportError(error, params.idleTimeoutMs);
      if (failure instanceof APIError && !isRetryable(failure)) throw failure;
    }
    if (++failures > maxReconnects) throw failure;
    await sleep(retryDelay(failure, failures - 1, client.retry), outer);
  }
}
