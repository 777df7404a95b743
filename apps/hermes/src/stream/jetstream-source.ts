import { DeliverPolicy, jetstream, type JetStreamClient, type OrderedConsumerOptions } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { natsConnectOptions, topicMatches, type BusEvent } from '@maximus/kit/bus';
import type { Logger } from 'pino';
import { coveringFilter } from '../domain/topics.js';
import type { EventSource, PositionedEvent } from './source.js';

export interface JetStreamSourceOptions {
  /** `nats://[user:password@|token@]host:port`, several separated by commas (as NATS_URL). */
  url: string;
  stream: string;
  subjectPrefix: string;
  log: Logger;
  /** Messages a subscription's consumer holds at once. @default 256 */
  bufferMessages?: number;
}

/**
 * The connected source: an ordered (ephemeral, flow-controlled) JetStream consumer per subscription,
 * starting at the stream sequence after `Last-Event-ID`. Positions are stream sequences, so a subscriber
 * resumes on any hermes replica. NATS 2.9 takes one filter subject per consumer: several patterns read the
 * whole prefix and are filtered here.
 */
export function createJetStreamSource(options: JetStreamSourceOptions): EventSource {
  const buffer = options.bufferMessages ?? 256;
  let connection: Promise<NatsConnection> | undefined;

  async function client(): Promise<JetStreamClient> {
    connection ??= connect(natsConnectOptions(options.url, 'maximus-hermes-subscribe')).catch(
      (error: unknown) => {
        connection = undefined;
        throw error;
      },
    );
    return jetstream(await connection);
  }

  async function* open(patterns: readonly string[], after: bigint | undefined, signal: AbortSignal): AsyncGenerator<PositionedEvent> {
    const js = await client();
    const config: Partial<OrderedConsumerOptions> = {
      filter_subjects: `${options.subjectPrefix}.${coveringFilter(patterns)}`,
      ...(after === undefined ? { deliver_policy: DeliverPolicy.New } : { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: Number(after) + 1 }),
    };
    const consumer = await js.consumers.get(options.stream, config);
    const messages = await consumer.consume({ max_messages: buffer });
    const stop = () => void messages.close().catch(() => undefined);
    signal.addEventListener('abort', stop, { once: true });
    try {
      for await (const msg of messages) {
        if (signal.aborted) return;
        let event: BusEvent;
        try {
          event = msg.json<BusEvent>();
        } catch (error) {
          options.log.warn({ err: error, seq: msg.seq }, 'skipping a stream message that is not a bus event');
          continue;
        }
        if (typeof event?.topic !== 'string' || !patterns.some((p) => topicMatches(p, event.topic))) continue;
        yield { position: String(msg.seq), event };
      }
    } finally {
      signal.removeEventListener('abort', stop);
      await messages.close().catch(() => undefined);
    }
  }

  return {
    kind: 'jetstream',
    open,
    async close() {
      const pending = connection;
      connection = undefined;
      const nc = await pending?.catch(() => undefined);
      await nc?.drain().catch(() => nc.close());
    },
  };
}

