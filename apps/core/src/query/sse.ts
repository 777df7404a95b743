import type { FastifyReply, FastifyRequest } from 'fastify';
import { toProblem, type CodedError } from '@maximus/kit/errors';

/**
 * The Server-Sent Events of a streamed query, opened lazily: stage events wait in a queue until the first tool
 * result or piece of the answer, so that a query refused or failing before that still gets its plain HTTP problem
 * (422, 502, 503, 504) rather than a 200 stream carrying an error.
 */
export class QuerySse {
  #open = false;
  #queue: string[] = [];

  constructor(
    private readonly request: FastifyRequest,
    private readonly reply: FastifyReply,
  ) {}

  get opened(): boolean {
    return this.#open;
  }

  /** Queues an event until the stream opens. */
  queue(event: string, data: unknown): void {
    const frame = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    if (this.#open) this.#write(frame);
    else this.#queue.push(frame);
  }

  /** Sends an event, opening the stream first. */
  send(event: string, data: unknown): void {
    this.#openNow();
    this.#write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  /** Ends an open stream with an `error` event (the problem+json body). */
  fail(error: unknown): void {
    this.send('error', toProblem(error as CodedError, this.request.id, this.request.url));
    this.end();
  }

  end(): void {
    if (this.#open && !this.reply.raw.writableEnded) this.reply.raw.end();
  }

  #openNow() {
    if (this.#open) return;
    this.#open = true;
    this.reply.hijack();
    this.reply.raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-request-id': this.request.id });
    for (const frame of this.#queue) this.#write(frame);
    this.#queue = [];
  }

  /** A client that went away gets nothing more; the query still ends and is recorded. */
  #write(frame: string) {
    const raw = this.reply.raw;
    if (!raw.destroyed && !raw.writableEnded) raw.write(frame);
  }
}
