import type { QueryParams, QueryResponse, QueryStage, ToolExecutionResult } from '@maximus/contracts';
import type { Dispatcher } from 'undici';
import type { APIPromise } from '../core/api-promise.js';
import { VERSION, type RequestOptions } from '../core/request.js';
import { APIResource } from '../core/resource.js';
import { fromTransportError } from '../core/retry.js';
import { idleTimer } from '../core/streaming.js';
import { APIError, APIUserAbortError, MaximusError, StreamIdleTimeoutError } from '../errors.js';
import { SseParser } from './events.js';

const PATH = '/core/api/v1/query';

/**
 * The body of a query, without `stream` (the method chooses).
 * @example const params: QueryCreateParams = { query: 'What is wrong here?', context: { code: 'eval(x)', language: 'javascript' }, max_tokens: 800 };
 */
export type QueryCreateParams = Omit<QueryParams, 'stream'>;

/**
 * One event of a streamed query.
 * @example
 * for await (const e of client.query.stream({ query: 'pending decisions?' })) {
 *   if (e.type === 'tool') console.error(e.result.tool, e.result.status);
 *   if (e.type === 'delta') process.stdout.write(e.text);
 * }
 */
export type QueryStreamEvent =
  /** A stage of the pipeline ended (screening, context, provider, reflection, confidence, evidence). */
  | { type: 'stage'; stage: QueryStage }
  /** A tool call ended. */
  | { type: 'tool'; result: ToolExecutionResult }
  /** A piece of the answer (Markdown), in order. */
  | { type: 'delta'; text: string }
  /** The whole answer, last. */
  | { type: 'final'; response: QueryResponse };

/**
 * Per-call options of a streamed query: a timeout for the answer to start, and an AbortSignal.
 * @example const stream = client.query.stream({ query: 'state?' }, { timeout: 120_000, signal: AbortSignal.timeout(600_000) });
 */
export interface QueryStreamOptions {
  /** Milliseconds until the server starts answering. @default the client's `timeout` */
  timeout?: number;
  /** Aborts the request and ends the iteration. */
  signal?: AbortSignal;
  headers?: Readonly<Record<string, string>>;
  /**
   * No event for this long once the answer has started: the iteration throws {@link StreamIdleTimeoutError}.
   * Off by default: the query stream sends no heartbeat, and a provider may think for a long time.
   * @default none
   */
  idleTimeoutMs?: number;
}

/**
 * A streamed query: an async iterable of {@link QueryStreamEvent} (iterate it once), plus `finalResponse()`.
 * The request starts when the stream is created. Not retried (a query is not replayable mid-stream).
 * @example
 * const stream = client.query.stream({ query: 'what is the arousal level?' });
 * for await (const event of stream) if (event.type === 'delta') process.stdout.write(event.text);
 * const answer = await stream.finalResponse();
 */
export class QueryStream implements AsyncIterable<QueryStreamEvent> {
  readonly #controller = new AbortController();
  readonly #response: Promise<Dispatcher.ResponseData>;
  #iterating = false;
  #final: QueryResponse | undefined;
  #error: unknown;
  #end: () => void = () => {};
  readonly #ended = new Promise<void>((resolve) => {
    this.#end = resolve;
  });

  readonly #idleTimeoutMs: number | undefined;

  /** @internal use `client.query.stream()` */
  constructor(open: (signal: AbortSignal) => Promise<Dispatcher.ResponseData>, signal?: AbortSignal, idleTimeoutMs?: number) {
    this.#idleTimeoutMs = idleTimeoutMs;
    if (signal?.aborted) this.#controller.abort();
    signal?.addEventListener('abort', () => this.#controller.abort(), { once: true });
    this.#response = open(this.#controller.signal);
    this.#response.catch(() => {}); // reported by the iteration or finalResponse()
  }

  /** @internal resolves once the server has answered with a stream; rejects with its error otherwise. */
  async _ready(): Promise<this> {
    await this.#response;
    return this;
  }

  /** Stops the stream. */
  abort(): void {
    this.#controller.abort();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<QueryStreamEvent> {
    if (this.#iterating) throw new MaximusError('A query stream can be iterated once', { code: 'SDK_ERR_OPTIONS_INVALID' });
    this.#iterating = true;
    let response: Dispatcher.ResponseData;
    try {
      response = await this.#response;
    } catch (error) {
      this.#end();
      throw (this.#error = error);
    }
    const parser = new SseParser();
    response.body.setEncoding('utf8');
    const idle = this.#idleTimeoutMs ? idleTimer(this.#idleTimeoutMs, (error) => this.#controller.abort(error)) : undefined;
    try {
      idle?.arm();
      for await (const chunk of response.body as AsyncIterable<string>) {
        idle?.arm();
        for (const message of parser.push(chunk)) {
          const data: unknown = JSON.parse(message.data);
          if (message.event === 'error') {
            const problem = data as { status?: number };
            throw APIError.generate(problem.status ?? 500, data, response.headers);
          }
          if (message.event === 'final') {
            this.#final = data as QueryResponse;
            yield { type: 'final', response: this.#final };
            return;
          }
          if (message.event === 'delta') yield { type: 'delta', text: (data as { text: string }).text };
          else if (message.event === 'tool') yield { type: 'tool', result: data as ToolExecutionResult };
          else if (message.event === 'stage') yield { type: 'stage', stage: data as QueryStage };
        }
      }
      throw new MaximusError('The server closed the query stream before its final answer', { code: 'SDK_ERR_CONNECTION_FAILED' });
    } catch (error) {
      const reason: unknown = this.#controller.signal.reason;
      if (reason instanceof StreamIdleTimeoutError) throw (this.#error = reason);
      if (this.#controller.signal.aborted && !(error instanceof APIError)) throw (this.#error = new APIUserAbortError(error));
      throw (this.#error = error instanceof MaximusError ? error : fromTransportError(error, 0));
    } finally {
      idle?.stop();
      response.body.destroy();
      this.#end();
    }
  }

  /**
   * The whole answer: reads the rest of the stream (or waits for the loop that is reading it).
   * @throws APIError (the problem the server sent), ConnectionError when the stream broke
   */
  async finalResponse(): Promise<QueryResponse> {
    if (!this.#iterating) {
      try {
        for await (const event of this) void event;
      } catch {
        // kept in #error, thrown below
      }
    }
    await this.#ended;
    if (this.#final) return this.#final;
    throw this.#error instanceof Error ? this.#error : new MaximusError('The query stream ended without an answer', { code: 'SDK_ERR_CONNECTION_FAILED' });
  }
}

/**
 * The query pipeline (core's `POST /api/v1/query`): `client.query(params)` and `client.query.stream(params)`.
 * @example
 * const answer = await client.query.create({ query: 'How many decisions are pending?' });
 */
export class Query extends APIResource {
  /**
   * Asks a question; resolves with the whole answer.
   * @throws APIError: 400 (bad params), 422 (refused by screening), 502/503/504 (the provider failed, is down, or timed out)
   * @example
   * const answer = await client.query({ query: 'How many decisions are pending?' });
   * console.log(answer.final_response, answer.confidence_score);
   */
  create(params: QueryCreateParams, options?: RequestOptions): APIPromise<QueryResponse> {
    return this._client.request<QueryResponse>({ method: 'POST', path: PATH, body: { ...params, stream: false } }, options);
  }

  /**
   * Asks a question and streams the answer (Server-Sent Events): stages, tool calls, deltas, then the final answer.
   * @example
   * const stream = client.query.stream({ query: 'Analyse this', context: { code: 'def f(:', language: 'python' } });
   * for await (const e of stream) if (e.type === 'delta') process.stdout.write(e.text);
   */
  stream(params: QueryCreateParams, options: QueryStreamOptions = {}): QueryStream {
    const o = this._client.options;
    const base = new URL(o.baseURL);
    const headers: Record<string, string> = {
      accept: 'text/event-stream',
      'content-type': 'application/json',
      'user-agent': `maximus-sdk/${VERSION} node/${process.version}`,
    };
    if (o.apiKey) headers['x-api-key'] = o.apiKey;
    if (o.token) headers.authorization = `Bearer ${o.token}`;
    for (const [name, value] of Object.entries({ ...o.defaultHeaders, ...options.headers })) headers[name.toLowerCase()] = value;
    const timeout = options.timeout ?? o.timeout;
    return new QueryStream(async (signal) => {
      let response: Dispatcher.ResponseData;
      try {
        response = await o.dispatcher.request({
          origin: base.origin,
          path: `${base.pathname.replace(/\/+$/, '')}${PATH}`,
          method: 'POST',
          headers,
          body: JSON.stringify({ ...params, stream: true }),
          signal,
          headersTimeout: timeout,
          bodyTimeout: 0,
        });
      } catch (error) {
        throw signal.aborted ? new APIUserAbortError(error) : fromTransportError(error, timeout);
      }
      if (response.statusCode >= 400 || !String(response.headers['content-type'] ?? '').startsWith('text/event-stream')) {
        const text = await response.body.text();
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // not JSON: the text is the body
        }
        throw APIError.generate(response.statusCode, body, response.headers);
      }
      return response;
    }, options.signal, options.idleTimeoutMs);
  }
}

/**
 * `client.query`: call it to ask, or use `.stream()` (also `client.query({ …, stream: true })`).
 * @example
 * const answer = await client.query({ query: 'How many decisions are pending?' });
 * const stream = await client.query({ query: 'How many decisions are pending?', stream: true });
 * console.log((await stream.finalResponse()).confidence_score);
 */
export interface QueryFunction {
  (params: QueryCreateParams & { stream?: false }, options?: RequestOptions): APIPromise<QueryResponse>;
  (params: QueryCreateParams & { stream: true }, options?: QueryStreamOptions): Promise<QueryStream>;
  /** See {@link Query.stream}. */
  stream(params: QueryCreateParams, options?: QueryStreamOptions): QueryStream;
  /** See {@link Query.create}. */
  create(params: QueryCreateParams, options?: RequestOptions): APIPromise<QueryResponse>;
}

/**
 * @internal builds `client.query` from its resource.
 * @example this.query = queryFunction(new Query(this));
 */
export function queryFunction(resource: Query): QueryFunction {
  function query(params: QueryCreateParams & { stream?: boolean }, options?: RequestOptions & QueryStreamOptions): APIPromise<QueryResponse> | Promise<QueryStream> {
    const { stream, ...body } = params;
    return stream ? resource.stream(body, options)._ready() : resource.create(body, options);
  }
  return Object.assign(query as QueryFunction, { stream: resource.stream.bind(resource), create: resource.create.bind(resource) });
}
