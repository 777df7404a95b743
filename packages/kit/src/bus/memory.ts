import type { Logger } from 'pino';
import { DEAD_LETTER_PREFIX, topicMatches, type Bus, type BusEvent, type BusHandler } from './types.js';

export interface MemoryBusOptions {
  /** Deliveries before an event goes to the dead-letter topic. @default 5 */
  maxDeliver?: number;
  /** Wait between redeliveries, times the attempt number. @default 50 */
  redeliveryDelayMs?: number;
  log?: Logger;
}

interface Group {
  readonly durable: string;
  readonly pattern: string;
  readonly members: BusHandler[];
  readonly concurrent: boolean;
  next: number;
}

/**
 * The embedded bus: delivers in this process. `publish` resolves after every subscribed group has handled
 * the event (or dead-lettered it), so the outbox marks an event published only once it was consumed:
 * a crash before that replays it from the outbox. `publishAll` does the same for a batch: each group sees its
 * events in order, and a `concurrent` group gets them all started at once (its store can commit them together).
 */
export function createMemoryBus(options: MemoryBusOptions = {}): Bus {
  const maxDeliver = options.maxDeliver ?? 5;
  const delay = options.redeliveryDelayMs ?? 50;
  const groups = new Map<string, Group>();
  let closed = false;

  async function deliver(group: Group, event: BusEvent): Promise<void> {
    for (let attempt = 1; attempt <= maxDeliver; attempt++) {
      const handler = group.members[group.next++ % group.members.length];
      if (!handler) return;
      try {
        await handler(event, { attempt });
        return;
      } catch (error) {
        options.log?.warn({ err: error, topic: event.topic, event_id: event.id, durable: group.durable, attempt }, 'bus handler failed');
        if (attempt === maxDeliver) {
          if (event.topic.startsWith(DEAD_LETTER_PREFIX)) return;
          await publish({
            ...event,
            topic: DEAD_LETTER_PREFIX + event.topic,
            headers: { ...event.headers, 'x-dead-letter-reason': (error as Error).message, 'x-dead-letter-durable': group.durable },
          });
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, delay * attempt));
      }
    }
  }

  async function publish(event: BusEvent): Promise<void> {
    if (closed) throw new Error('bus is closed');
    const matching = [...groups.values()].filter((g) => topicMatches(g.pattern, event.topic));
    await Promise.all(matching.map((group) => deliver(group, event)));
  }

  /** Each group gets its events of the batch in order: one after the other, or all started at once when `concurrent`. */
  async function publishAll(events: readonly BusEvent[]): Promise<void> {
    if (closed) throw new Error('bus is closed');
    await Promise.all(
      [...groups.values()].map(async (group) => {
        const mine = events.filter((e) => topicMatches(group.pattern, e.topic));
        if (group.concurrent) await Promise.all(mine.map((e) => deliver(group, e)));
        else for (const e of mine) await deliver(group, e);
      }),
    );
  }

  return {
    kind: 'memory',
    publish,
    publishAll,
    subscribe(pattern, handler, { durable, concurrent = false }) {
      let group = groups.get(durable);
      if (!group) {
        group = { durable, pattern, members: [], concurrent, next: 0 };
        groups.set(durable, group);
      } else if (group.pattern !== pattern) {
        return Promise.reject(new Error(`durable ${durable} already subscribes to ${group.pattern}, not ${pattern}`));
      }
      group.members.push(handler);
      const g = group;
      return Promise.resolve({
        unsubscribe() {
          const i = g.members.indexOf(handler);
          if (i >= 0) g.members.splice(i, 1);
          if (g.members.length === 0) groups.delete(g.durable);
          return Promise.resolve();
        },
      });
    },
    health: () => Promise.resolve({ status: closed ? 'down' : 'healthy', kind: 'memory', latency_ms: 0 }),
    close() {
      closed = true;
      groups.clear();
      return Promise.resolve();
    },
  };
}
