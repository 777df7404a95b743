import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Bus, BusEvent } from '../bus/index.js';
import type { Database, Queryable } from '../db/index.js';
import { schemaIdent } from '../migrations/index.js';

export interface OutboxOptions {
  db: Database;
  /** The owning service's schema (its `outbox` table). */
  schema: string;
  bus: Bus;
  log: Logger;
  /** Fallback poll interval; writes through `transaction()` wake the relay at once. @default 250 */
  pollMs?: number;
  /** Events claimed per round. @default 100 */
  batchSize?: number;
  /** How long a claimed batch is reserved for this relay before another may take it. @default 30000 */
  leaseMs?: number;
  /** Published events are kept this long… @default 24 */
  retentionHours?: number;
  /** …and at most this many. @default 100000 */
  retentionEvents?: number;
}

export { OUTBOX_SETTLED } from './settled.js';
export { streamOutbox, type OutboxStream, type OutboxStreamOptions } from './stream.js';

export type Emit = (topic: string, payload: unknown, headers?: Record<string, string>) => Promise<string>;

interface Row {
  seq: string;
  id: string;
  topic: string;
  payload: unknown;
  headers: Record<string, string>;
  created_at: Date | string;
}

/**
 * The transactional outbox: an event is a row written in the same transaction as the change it
 * describes, and a relay publishes it afterwards. A crash between commit and publish loses nothing:
 * the row is still unpublished, and the next relay publishes it (consumers deduplicate by event id).
 */
export class Outbox {
  readonly #db: Database;
  readonly #table: string;
  readonly #bus: Bus;
  readonly #log: Logger;
  readonly #pollMs: number;
  readonly #batchSize: number;
  readonly #leaseMs: number;
  readonly #retentionHours: number;
  readonly #retentionEvents: number;
  #timer: NodeJS.Timeout | undefined;
  #running = false;
  #pass: Promise<void> | undefined;
  #again = false;
  #lastPrune = 0;
  #failures = 0;

  constructor(options: OutboxOptions) {
    this.#db = options.db;
    this.#table = `${schemaIdent(options.schema)}.outbox`;
    this.#bus = options.bus;
    this.#log = options.log;
    this.#pollMs = options.pollMs ?? 250;
    this.#batchSize = options.batchSize ?? 100;
    this.#leaseMs = options.leaseMs ?? 30_000;
    this.#retentionHours = options.retentionHours ?? 24;
    this.#retentionEvents = options.retentionEvents ?? 100_000;
  }

  /** Writes an event row on `tx` (the caller's transaction). Returns the event id. */
  async enqueue(tx: Queryable, topic: string, payload: unknown, headers: Record<string, string> = {}): Promise<string> {
    const id = randomUUID();
    await tx.query(`INSERT INTO ${this.#table} (id, topic, payload, headers) VALUES ($1, $2, $3, $4)`, [
      id,
      topic,
      // `?? null`: JSON.stringify(undefined) is undefined, which would hit payload's NOT NULL and fail the caller's transaction.
      JSON.stringify(payload ?? null),
      JSON.stringify(headers),
    ]);
    return id;
  }

  /**
   * Runs `fn` in a transaction with an `emit` that enqueues events in it; wakes the relay after commit.
   * @example
   * await outbox.transaction(async (tx, emit) => {
   *   await tx.query('UPDATE core.decisions SET status = $1 WHERE id = $2', ['approved', id]);
   *   await emit('governance.decision.approved', { id });
   * });
   */
  async transaction<T>(fn: (tx: Queryable, emit: Emit) => Promise<T>): Promise<T> {
    const result = await this.#db.transaction((tx) => fn(tx, (topic, payload, headers) => this.enqueue(tx, topic, payload, headers)));
    this.wake();
    return result;
  }

  /** Starts the relay loop. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.wake();
  }

  /** Stops the loop and waits for the pass under way. Unpublished events stay in the table. */
  async stop(): Promise<void> {
    this.#running = false;
    clearTimeout(this.#timer);
    await this.#pass;
  }

  /** Asks for a relay pass now (no-op when stopped). */
  wake(): void {
    if (!this.#running) return;
    if (this.#pass) {
      this.#again = true;
      return;
    }
    clearTimeout(this.#timer);
    this.#pass = this.#loop().finally(() => {
      this.#pass = undefined;
    });
  }

  async #loop(): Promise<void> {
    do {
      this.#again = false;
      let published = 0;
      try {
        published = await this.relayOnce();
        this.#failures = 0;
        if (Date.now() - this.#lastPrune > 60_000) await this.prune();
      } catch (error) {
        this.#failures++;
        this.#log.warn({ err: error, failures: this.#failures }, 'outbox relay pass failed; will retry');
      }
      if (published === this.#batchSize) this.#again = true;
    } while (this.#again && this.#running);
    if (this.#running) {
      const backoff = this.#failures ? Math.min(this.#pollMs * 2 ** this.#failures, 10_000) : this.#pollMs;
      this.#timer = setTimeout(() => this.wake(), backoff);
      this.#timer.unref();
    }
  }

  /**
   * One relay pass: claims up to a batch of unpublished events (a lease, so that replicas do not publish
   * the same rows concurrently), publishes them in order, marks them published. Stops at the first
   * failure; the rest are released for the next pass. A bus with `publishAll` takes the batch at once (the
   * in-process bus: a failure then releases the whole batch). Returns how many were published.
   */
  async relayOnce(): Promise<number> {
    const { rows } = await this.#db.query<Row>(
      `UPDATE ${this.#table} SET locked_until = now() + ($2::int * interval '1 millisecond'), attempts = attempts + 1
       WHERE seq IN (
         SELECT seq FROM ${this.#table}
         WHERE published_at IS NULL AND (locked_until IS NULL OR locked_until < now())
         ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED)
       RETURNING seq, id, topic, payload, headers, created_at`,
      [this.#batchSize, this.#leaseMs],
    );
    rows.sort((a, b) => Number(a.seq) - Number(b.seq));
    const events = rows.map((row): BusEvent => ({ id: row.id, topic: row.topic, payload: row.payload, headers: row.headers, time: new Date(row.created_at).toISOString() }));
    const done: string[] = [];
    let failure: unknown;
    if (this.#bus.publishAll && events.length > 1) {
      try {
        await this.#bus.publishAll(events);
        done.push(...rows.map((r) => r.seq));
      } catch (error) {
        failure = error;
      }
    } else {
      for (const [i, event] of events.entries()) {
        try {
          await this.#bus.publish(event);
          done.push(rows[i]!.seq);
        } catch (error) {
          failure = error;
          break;
        }
      }
    }
    if (done.length) {
      await this.#db.query(`UPDATE ${this.#table} SET published_at = now(), locked_until = NULL, last_error = NULL WHERE seq = ANY($1::bigint[])`, [done]);
    }
    if (failure !== undefined) {
      const rest = rows.slice(done.length).map((r) => r.seq);
      await this.#db.query(`UPDATE ${this.#table} SET locked_until = NULL, last_error = $2 WHERE seq = ANY($1::bigint[])`, [
        rest,
        String((failure as Error | undefined)?.message ?? 'unknown error').slice(0, 500),
      ]);
      throw failure instanceof Error ? failure : new Error('bus publish failed', { cause: failure });
    }
    return done.length;
  }

  /** Deletes published events past the retention (time and count). Returns how many were deleted. */
  async prune(): Promise<number> {
    this.#lastPrune = Date.now();
    const byAge = await this.#db.query(
      `DELETE FROM ${this.#table} WHERE published_at IS NOT NULL AND created_at < now() - ($1::int * interval '1 hour')`,
      [this.#retentionHours],
    );
    const byCount = await this.#db.query(
      `DELETE FROM ${this.#table} WHERE published_at IS NOT NULL AND seq <= (
         SELECT seq FROM ${this.#table} WHERE published_at IS NOT NULL ORDER BY seq DESC OFFSET $1 LIMIT 1)`,
      [this.#retentionEvents],
    );
    return byAge.rowCount + byCount.rowCount;
  }

  /** Unpublished events (the relay's backlog; a gauge and the health view show it). */
  async backlog(): Promise<number> {
    const { rows } = await this.#db.query<{ n: string }>(`SELECT count(*) AS n FROM ${this.#table} WHERE published_at IS NULL`);
    return Number(rows[0]?.n ?? 0);
  }
}
