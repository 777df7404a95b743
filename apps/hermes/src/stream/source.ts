import type { PositionedEvent } from '../store/event-log.js';

export type { PositionedEvent } from '../store/event-log.js';

/**
 * Where a subscription reads from: the `hermes.events` log (in-process bus) or the JetStream stream (NATS).
 * Both give events in position order, resume strictly after `after`, and hold at most one batch in memory.
 */
export interface EventSource {
  readonly kind: 'log' | 'jetstream';
  /**
   * Events matching `patterns`, after position `after` (undefined: only events from now on), until `signal`
   * aborts. The iterator pulls: a consumer that stops reading stops the reads.
   */
  open(patterns: readonly string[], after: bigint | undefined, signal: AbortSignal): AsyncIterable<PositionedEvent>;
  close(): Promise<void>;
}
