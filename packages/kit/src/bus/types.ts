import type { ComponentHealth } from '@maximus/contracts';

/** One event on the bus. `id` is unique: consumers deduplicate by it (delivery is at-least-once). */
export interface BusEvent<T = unknown> {
  readonly id: string;
  /** Dotted, e.g. `governance.execute.block_ip`. */
  readonly topic: string;
  readonly payload: T;
  readonly headers: Readonly<Record<string, string>>;
  /** ISO 8601 time the event was written (to the outbox). */
  readonly time: string;
}

export interface Delivery {
  /** 1 on the first delivery, then 2, 3… up to the bus's max deliver. */
  readonly attempt: number;
}

/** Resolves to acknowledge; throws to have the event delivered again (then dead-lettered after the bound). */
export type BusHandler = (event: BusEvent, delivery: Delivery) => Promise<void>;

export interface SubscribeOptions {
  /**
   * Durable consumer name: subscribers sharing it share the work (one delivery per group); with JetStream
   * the position survives restarts.
   */
  readonly durable: string;
  /**
   * JetStream: a durable created for the first time starts with the events of the last `replaySeconds` (default 0:
   * only events published from then on), so a consumer that starts after its producer misses nothing recent.
   * The in-process bus ignores it (there the outbox holds events until every consumer exists).
   */
  readonly replaySeconds?: number;
  /**
   * The handler may run for several events at once: it is started for each event of a batch in order, and the
   * batch waits for all of them (for a handler whose store group-commits, like the ledger's appends). The
   * in-process bus hands such a group whole relayed batches; JetStream delivers one event at a time regardless.
   * A group's first subscriber decides. @default false
   */
  readonly concurrent?: boolean;
}

export interface Subscription {
  unsubscribe(): Promise<void>;
}

/**
 * The bus adapter: in-process (embedded; durability comes from the outbox) or NATS JetStream.
 * Patterns use NATS wildcards: `*` one segment, `>` the rest (`governance.execute.*`, `audit.>`).
 */
export interface Bus {
  readonly kind: 'memory' | 'nats';
  /** Resolves once the bus holds the event (JetStream: stored; in-process: handled by every subscriber). */
  publish(event: BusEvent): Promise<void>;
  /**
   * Publishes a batch in order, as `publish` one after the other would, resolving once the bus holds all of it; it
   * may overlap their handling where a subscriber allows it (`concurrent`). When it rejects, none of the batch
   * counts as published (the outbox publishes it again; consumers deduplicate). Optional: without it the outbox
   * publishes one event at a time.
   */
  publishAll?(events: readonly BusEvent[]): Promise<void>;
  subscribe(pattern: string, handler: BusHandler, options: SubscribeOptions): Promise<Subscription>;
  health(timeoutMs?: number): Promise<ComponentHealth>;
  close(): Promise<void>;
}

/** Dead letters go to `deadletter.<topic>` with the reason in the `x-dead-letter-reason` header. */
export const DEAD_LETTER_PREFIX = 'deadletter.';

/** True when `topic` matches a NATS-style `pattern`. */
export function topicMatches(pattern: string, topic: string): boolean {
  const p = pattern.split('.');
  const t = topic.split('.');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return t.length > i;
    if (i >= t.length) return false;
    if (p[i] !== '*' && p[i] !== t[i]) return false;
  }
  return p.length === t.length;
}
