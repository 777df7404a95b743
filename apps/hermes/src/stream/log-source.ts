import type { EventLog } from '../store/event-log.js';
import type { EventSource, PositionedEvent } from './source.js';

const BATCH = 100;
/** Readers look again this often even without a wake-up (an append by another process on the same database). */
const POLL_MS = 1000;

/** The embedded source: pages of `hermes.events` after the cursor, woken by appends. */
export function createLogSource(log: EventLog): EventSource {
  async function* open(patterns: readonly string[], after: bigint | undefined, signal: AbortSignal): AsyncGenerator<PositionedEvent> {
    let cursor = after ?? (await log.head());
    while (!signal.aborted) {
      const version = log.notifier.version;
      const page = await log.read(cursor, patterns, BATCH);
      for (const item of page) {
        if (signal.aborted) return;
        yield item;
        cursor = BigInt(item.position);
      }
      if (page.length < BATCH) await log.notifier.wait(version, POLL_MS, signal);
    }
  }
  return { kind: 'log', open, close: () => Promise.resolve() };
}
