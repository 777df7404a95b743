import type { BusEvent } from '@maximus/kit/bus';
import type { Database } from '@maximus/kit/db';
import { patternRegex } from '../domain/topics.js';
import { Notifier } from './notifier.js';

/** An event with its position in a stream: the SSE `id:` and what `Last-Event-ID` resumes after. */
export interface PositionedEvent {
  readonly position: string;
  readonly event: BusEvent;
}

interface Row {
  seq: string;
  id: string;
  topic: string;
  payload: unknown;
  headers: Record<string, string>;
  time: Date | string;
}

export interface EventLogOptions {
  db: Database;
  /** Events are kept this long… @default 24 */
  retentionHours?: number;
  /** …and at most this many. @default 100000 */
  retentionEvents?: number;
}

/**
 * `hermes.events`: the embedded platform's one ordered, resumable stream. Every service relays its outbox
 * to the in-process bus; hermes subscribes `>` and appends here, so positions (`seq`) order the events of
 * all services, and survive a restart. The bus resolves an outbox publish only after this append, so an
 * event is never marked published before it is in the log.
 */
export class EventLog {
  readonly notifier = new Notifier();
  readonly #db: Database;
  readonly #retentionHours: number;
  readonly #retentionEvents: number;
  // Appends run one at a time: sequence values are then committed in order, so a reader at `seq > n`
  // can never miss a row committed later with a smaller seq.
  #tail: Promise<unknown> = Promise.resolve();

  constructor(options: EventLogOptions) {
    this.#db = options.db;
    this.#retentionHours = options.retentionHours ?? 24;
    this.#retentionEvents = options.retentionEvents ?? 100_000;
  }

  /** Appends an event (a redelivery of the same id and topic is a no-op). */
  append(event: BusEvent): Promise<void> {
    const run = this.#tail.then(async () => {
      await this.#db.query(
        `INSERT INTO hermes.events (id, topic, payload, headers, time) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id, topic) DO NOTHING`,
        [event.id, event.topic, JSON.stringify(event.payload ?? null), JSON.stringify(event.headers ?? {}), event.time],
      );
      this.notifier.notify();
    });
    this.#tail = run.catch(() => undefined);
    return run;
  }

  /** Events after `after` whose topic matches one of `patterns`, in order. */
  async read(after: bigint, patterns: readonly string[], limit: number): Promise<PositionedEvent[]> {
    const { rows } = await this.#db.query<Row>(
      `SELECT seq, id, topic, payload, headers, time FROM hermes.events
       WHERE seq > $1 AND topic ~ ANY($2::text[]) ORDER BY seq LIMIT $3`,
      [after.toString(), patterns.map(patternRegex), limit],
    );
    return rows.map((r) => ({
      position: String(r.seq),
      event: { id: r.id, topic: r.topic, payload: r.payload, headers: r.headers, time: new Date(r.time).toISOString() },
    }));
  }

  /** The last position written (0 when empty): a subscriber without `Last-Event-ID` starts after it. */
  async head(): Promise<bigint> {
    const { rows } = await this.#db.query<{ seq: string | null }>('SELECT max(seq) AS seq FROM hermes.events');
    return BigInt(rows[0]?.seq ?? 0);
  }

  /** Deletes events past the retention (time and count). Returns how many. */
  async prune(): Promise<number> {
    const byAge = await this.#db.query(`DELETE FROM hermes.events WHERE logged_at < now() - ($1::int * interval '1 hour')`, [this.#retentionHours]);
    const byCount = await this.#db.query(
      `DELETE FROM hermes.events WHERE seq <= (SELECT seq FROM hermes.events ORDER BY seq DESC OFFSET $1 LIMIT 1)`,
      [this.#retentionEvents],
    );
    return byAge.rowCount + byCount.rowCount;
  }
}
