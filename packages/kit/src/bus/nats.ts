import {
  AckPolicy,
  DeliverPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  jetstream,
  jetstreamManager,
  StorageType,
  type ConsumerConfig,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import { connect, errors, nanos, type ConnectionOptions, type NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { KitErrors } from '../errors/index.js';
import { checkHealth } from '../health/index.js';
import { redactUrl } from '../logger/index.js';
import { DEAD_LETTER_PREFIX, type Bus, type BusEvent, type BusHandler, type Subscription } from './types.js';

export interface NatsBusOptions {
  /** `nats://[user:password@|token@]host:port`; several servers separated by commas. */
  url: string;
  /** The JetStream stream that holds the events (created or updated at connect). */
  stream: string;
  /** Subjects are `<subjectPrefix>.<topic>`; the stream takes `<subjectPrefix>.>`. */
  subjectPrefix: string;
  /** Deliveries before an event goes to the dead-letter topic. @default 5 */
  maxDeliver?: number;
  /** An unacknowledged delivery is redelivered after this long. @default 30000 */
  ackWaitMs?: number;
  /** Connection name the server shows. @default 'maximus' */
  name?: string;
  log?: Logger;
  /** How long `publish` waits for JetStream's acknowledgement. @default 3000 */
  publishTimeoutMs?: number;
  /** A failed delivery is redelivered after this delay times the attempt number (capped at 10 s). @default 200 */
  redeliveryDelayMs?: number;
  /** How long the factory waits for the first connection before resolving anyway. @default 3000 */
  startTimeoutMs?: number;
  /**
   * Messages each subscriber pulls ahead of its handler (one pull request per quarter of it). Larger is
   * faster; keep `prefetch` × the slowest handler's time well under `ackWaitMs`, or messages still waiting
   * in the buffer are redelivered (duplicates, attempts used up). Members of one durable share the work in
   * chunks of up to this size. @default 256
   */
  prefetch?: number;
  /**
   * Handlers each subscriber runs at once. 1 (the default) handles one event after the other, in stream
   * order; more gives up that order (each event is still acknowledged only once its handler resolved).
   * @default 1
   */
  concurrency?: number;
}

const HOUR_MS = 3_600_000;
/** JetStream's "stream name already in use with a different configuration". */
const STREAM_NAME_EXISTS = 10058;
/**
 * Default messages a subscriber holds at once. 16 cost a pull request every 4 messages and capped a consumer
 * at about 10k msg/s; 256 needs one per 64, within reach of the raw client (see bench/bus.mjs).
 */
const PREFETCH = 256;

interface Member {
  /** The consumer name (sanitised). */
  readonly durable: string;
  /** The durable as the subscriber named it (reported in dead letters). */
  readonly label: string;
  readonly filter: string;
  readonly replaySeconds: number;
  readonly handler: BusHandler;
  stopped: boolean;
  messages: ConsumerMessages | undefined;
  loop: Promise<void>;
  stopping?: Promise<void>;
}

/** A durable that already exists with another filter: a programming error, not an outage. */
class DurableConflictError extends Error {}

/** Consumer names accept `[A-Za-z0-9_-]` only. */
export function durableName(durable: string): string {
  return durable.replace(/[^A-Za-z0-9_-]/g, '_');
}

/**
 * The bus on NATS JetStream (server 2.9+). Events are stored in one stream, deduplicated by event id
 * (`Nats-Msg-Id`, two-minute window) so that an outbox republishing a row does not duplicate it;
 * subscribers are durable pull consumers. The factory resolves even when NATS is unreachable: the bus
 * then reports `down`, `publish` rejects (the outbox keeps the events) and everything resumes once it
 * connects. Consumers created for the first time start with events published from then on, or from `replaySeconds` ago.
 */
export async function createNatsBus(options: NatsBusOptions): Promise<Bus> {
  const safeUrl = redactUrl(options.url);
  const log = options.log?.child({ component: 'bus', url: safeUrl });
  const maxDeliver = options.maxDeliver ?? 5;
  const ackWait = nanos(options.ackWaitMs ?? 30_000);
  const publishTimeout = options.publishTimeoutMs ?? 3000;
  const redeliveryDelay = options.redeliveryDelayMs ?? 200;
  const prefetch = positiveInteger(options.prefetch ?? PREFETCH, 'prefetch');
  const concurrency = positiveInteger(options.concurrency ?? 1, 'concurrency');
  const prefix = options.subjectPrefix;
  const stream = options.stream;
  const connectOptions = natsConnectOptions(options.url, options.name ?? 'maximus');

  let nc: NatsConnection | undefined;
  let js: JetStreamClient | undefined;
  let jsm: JetStreamManager | undefined;
  let connected = false;
  let streamReady = false;
  let closed = false;
  let firstAttemptDone = false;
  let lastError = new Error('not connected yet');
  const members = new Set<Member>();
  const waiters = new Set<() => void>();

  /** Wakes whoever waits for a state change (connection, stream, close, unsubscribe). */
  const changed = () => {
    const woken = [...waiters];
    waiters.clear();
    for (const wake of woken) wake();
  };
  /** Resolves at the next state change, or after `ms` at the latest. */
  const nextChange = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(wake, Math.max(0, ms));
      timer.unref();
      function wake() {
        clearTimeout(timer);
        waiters.delete(wake);
        resolve();
      }
      waiters.add(wake);
    });
  const ready = () => connected && streamReady && !closed;

  async function connectLoop(): Promise<void> {
    for (let attempt = 0; !closed; attempt++) {
      try {
        const conn = await connect(connectOptions);
        if (closed) {
          await conn.close().catch(() => undefined);
          return;
        }
        nc = conn;
        js = jetstream(conn, { timeout: publishTimeout });
        jsm = undefined;
        connected = true;
        log?.info({ server: conn.getServer() }, 'connected to NATS');
        watchConnection(conn);
        changed();
        await ensureStreamLoop(conn);
        return;
      } catch (error) {
        lastError = asError(error);
        firstAttemptDone = true;
        changed();
        if (attempt === 0) log?.warn({ err: error }, 'NATS unreachable; retrying in the background (events wait in the outbox)');
        await nextChange(Math.min(250 * 2 ** attempt, 5000));
      }
    }
  }

  function watchConnection(conn: NatsConnection): void {
    void (async () => {
      for await (const s of conn.status()) {
        if (s.type === 'disconnect') {
          connected = false;
          lastError = new Error(`disconnected from ${s.server}`);
          log?.warn({ server: s.server }, 'NATS connection lost; reconnecting');
          changed();
        } else if (s.type === 'reconnect') {
          connected = true;
          log?.info({ server: s.server }, 'NATS connection restored');
          changed();
          // The server may have come back without its store: make sure the stream is there.
          void ensureStream(conn).catch((error: unknown) => log?.warn({ err: error }, 'could not check the NATS stream after reconnecting'));
        } else if (s.type === 'ldm') {
          log?.warn({ server: s.server }, 'NATS server entering lame duck mode');
        }
      }
    })().catch(() => undefined);
    void conn.closed().then((error) => {
      connected = false;
      changed();
      if (closed) return;
      lastError = error ?? new Error('connection closed');
      log?.error({ err: error }, 'NATS connection closed; connecting again');
      if (nc === conn) nc = undefined;
      void connectLoop();
    });
  }

  async function manager(conn: NatsConnection): Promise<JetStreamManager> {
    if (!jsm || nc !== conn) jsm = await jetstreamManager(conn, { timeout: 5000 });
    return jsm;
  }

  async function ensureStream(conn: NatsConnection): Promise<void> {
    const m = await manager(conn);
    const wanted = {
      subjects: [`${prefix}.>`],
      duplicate_window: nanos(2 * 60_000),
      max_age: nanos(24 * HOUR_MS),
    };
    try {
      await m.streams.add({ name: stream, storage: StorageType.File, ...wanted });
    } catch (error) {
      if (!(error instanceof JetStreamApiError) || error.code !== STREAM_NAME_EXISTS) throw error;
      await m.streams.update(stream, wanted);
    }
    if (!streamReady) {
      streamReady = true;
      changed();
    }
  }

  let lastRecheck = 0;
  function recheckStream(): void {
    const conn = nc;
    if (!conn || !connected || Date.now() - lastRecheck < 5000) return;
    lastRecheck = Date.now();
    ensureStream(conn).catch((error: unknown) => log?.warn({ err: error, stream }, 'could not create or update the NATS stream'));
  }

  async function ensureStreamLoop(conn: NatsConnection): Promise<void> {
    for (let attempt = 0; !closed && nc === conn; attempt++) {
      try {
        await ensureStream(conn);
        return;
      } catch (error) {
        lastError = new Error(`stream ${stream}: ${asError(error).message}`, { cause: error });
        firstAttemptDone = true;
        changed();
        if (attempt === 0) log?.warn({ err: error, stream }, 'could not create or update the NATS stream; retrying');
        await nextChange(Math.min(250 * 2 ** attempt, 5000));
      }
    }
  }

  const unavailable = (reason: string, cause?: unknown) =>
    cause === undefined ? new KitErrors.BusUnavailable(reason) : new KitErrors.BusUnavailable(reason, { cause });

  async function publishAs(event: BusEvent, msgID: string): Promise<void> {
    if (closed) throw unavailable('the bus is closed');
    if (!nc || !js || !connected) throw unavailable(`not connected to ${safeUrl} (${lastError.message})`, lastError);
    if (!streamReady) throw unavailable(`the stream ${stream} is not ready (${lastError.message})`, lastError);
    const envelope = { id: event.id, topic: event.topic, payload: event.payload, headers: event.headers, time: event.time };
    try {
      await js.publish(`${prefix}.${event.topic}`, JSON.stringify(envelope), { msgID, timeout: publishTimeout });
    } catch (error) {
      // No stream answered (deleted, or a server that lost its store): recreate it in the background.
      if (!(error instanceof errors.TimeoutError)) recheckStream();
      throw unavailable((error as Error).message, error);
    }
  }

  async function ensureConsumer({ durable, filter, replaySeconds }: Pick<Member, 'durable' | 'filter' | 'replaySeconds'>) {
    if (!nc) throw unavailable('not connected');
    const m = await manager(nc);
    const config: Partial<ConsumerConfig> = {
      durable_name: durable,
      ack_policy: AckPolicy.Explicit,
      ...(replaySeconds > 0
        ? { deliver_policy: DeliverPolicy.StartTime, opt_start_time: new Date(Date.now() - replaySeconds * 1000).toISOString() }
        : { deliver_policy: DeliverPolicy.New }),
      filter_subject: filter,
      max_deliver: maxDeliver,
      ack_wait: ackWait,
    };
    let info;
    try {
      info = await m.consumers.info(stream, durable);
    } catch (error) {
      if (!(error instanceof JetStreamApiError) || error.code !== JetStreamApiCodes.ConsumerNotFound) throw error;
      return m.consumers.add(stream, config);
    }
    if (info.config.filter_subject !== filter) {
      throw new DurableConflictError(`durable ${durable} already subscribes to ${info.config.filter_subject ?? '(all)'}, not ${filter}`);
    }
    if (info.config.max_deliver !== maxDeliver || info.config.ack_wait !== ackWait) {
      info = await m.consumers.update(stream, durable, { max_deliver: maxDeliver, ack_wait: ackWait });
    }
    return info;
  }

  async function deadLetter(event: BusEvent, error: unknown, durable: string): Promise<void> {
    const letter: BusEvent = {
      ...event,
      topic: DEAD_LETTER_PREFIX + event.topic,
      headers: { ...event.headers, 'x-dead-letter-reason': (error as Error)?.message ?? String(error), 'x-dead-letter-durable': durable },
    };
    for (let attempt = 1; ; attempt++) {
      try {
        // Its own message id: the original's is still in the deduplication window.
        await publishAs(letter, `${event.id}:dead-letter:${durable}`);
        return;
      } catch (failure) {
        if (attempt >= 5 || closed) throw failure;
        await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
      }
    }
  }

  async function handle(member: Member, msg: JsMsg): Promise<void> {
    let event: BusEvent;
    try {
      event = msg.json<BusEvent>();
      if (typeof event?.id !== 'string' || typeof event.topic !== 'string') throw new Error('not an event envelope');
    } catch (error) {
      log?.error({ err: error, subject: msg.subject, seq: msg.seq }, 'dropping a message that is not a bus event');
      msg.term();
      return;
    }
    const attempt = msg.info.deliveryCount;
    try {
      await member.handler(event, { attempt });
      msg.ack();
    } catch (error) {
      log?.warn({ err: error, topic: event.topic, event_id: event.id, durable: member.durable, attempt }, 'bus handler failed');
      if (attempt < maxDeliver) {
        msg.nak(Math.min(redeliveryDelay * attempt, 10_000));
        return;
      }
      if (!event.topic.startsWith(DEAD_LETTER_PREFIX)) {
        try {
          await deadLetter(event, error, member.label);
        } catch (failure) {
          log?.error({ err: failure, topic: event.topic, event_id: event.id, durable: member.durable }, 'could not dead-letter an event; it is dropped');
        }
      }
      // A bare +TERM: NATS 2.9 ignores a TERM that carries a reason.
      msg.term();
    }
  }

  async function consumeLoop(member: Member): Promise<void> {
    const stop = () => member.stopped || closed;
    /** Handlers under way when `concurrency` > 1. */
    const inFlight = new Set<Promise<void>>();
    for (let failures = 0; !stop(); ) {
      if (!ready()) {
        await nextChange(5000);
        continue;
      }
      try {
        const info = await ensureConsumer(member);
        if (!js || stop()) continue;
        const messages = await js.consumers.getConsumerFromInfo(info).consume({ max_messages: prefetch });
        member.messages = messages;
        if (stop()) await messages.close();
        void watchConsumer(member, messages);
        failures = 0;
        if (concurrency === 1) {
          for await (const msg of messages) {
            // Messages already buffered when we stop go back to the server for another member.
            if (stop()) msg.nak();
            else await handle(member, msg);
          }
        } else {
          for await (const msg of messages) {
            if (stop()) {
              msg.nak();
              continue;
            }
            const running: Promise<void> = handle(member, msg)
              .catch((error: unknown) => log?.warn({ err: error, durable: member.durable }, 'could not settle a NATS message; it will be redelivered'))
              .finally(() => inFlight.delete(running));
            inFlight.add(running);
            if (inFlight.size >= concurrency) await Promise.race(inFlight);
          }
        }
      } catch (error) {
        failures++;
        if (failures === 1 && !stop()) log?.warn({ err: error, durable: member.durable }, 'NATS consumer failed; re-establishing');
      } finally {
        member.messages = undefined;
        // Handlers under way finish (and ack) before the loop re-establishes the consumer or ends.
        await Promise.allSettled(inFlight);
      }
      if (!stop()) await nextChange(Math.min(250 * 2 ** failures, 5000));
    }
  }

  async function watchConsumer(member: Member, messages: ConsumerMessages): Promise<void> {
    try {
      for await (const s of messages.status()) {
        if (s.type === 'consumer_deleted' || s.type === 'consumer_not_found' || s.type === 'stream_not_found') {
          log?.warn({ durable: member.durable, notification: s.type }, 'NATS consumer is gone; recreating it');
          if (s.type === 'stream_not_found' && nc) {
            streamReady = false;
            void ensureStreamLoop(nc);
          }
          await messages.close();
          return;
        }
      }
    } catch {
      // the iterator ended with the messages
    }
  }

  function stopMember(member: Member): Promise<void> {
    member.stopping ??= (async () => {
      member.stopped = true;
      members.delete(member);
      changed();
      // The loop naks what is still buffered, then ends; a handler under way may finish first.
      await withTimeout(
        (async () => {
          await member.messages?.close();
          await member.loop;
        })(),
        5000,
      ).catch(() => undefined);
    })();
    return member.stopping;
  }

  void connectLoop();
  // Wait a little for the first connection, so that a reachable NATS is ready when the factory resolves.
  const deadline = Date.now() + (options.startTimeoutMs ?? 3000);
  while (!ready() && !firstAttemptDone && Date.now() < deadline) await nextChange(deadline - Date.now());

  return {
    kind: 'nats',
    publish: (event) => publishAs(event, event.id),
    async subscribe(pattern, handler, { durable, replaySeconds = 0 }) {
      if (closed) throw unavailable('the bus is closed');
      const member: Member = {
        durable: durableName(durable),
        label: durable,
        filter: `${prefix}.${pattern}`,
        replaySeconds,
        handler,
        stopped: false,
        messages: undefined,
        loop: Promise.resolve(),
      };
      if (ready()) {
        try {
          await ensureConsumer(member);
        } catch (error) {
          if (error instanceof DurableConflictError) throw error;
          log?.warn({ err: error, durable: member.durable }, 'could not create the NATS consumer yet; retrying in the background');
        }
      }
      members.add(member);
      member.loop = consumeLoop(member);
      const subscription: Subscription = { unsubscribe: () => stopMember(member) };
      return subscription;
    },
    health(timeoutMs) {
      const down = (error: string) => Promise.resolve({ status: 'down' as const, kind: 'nats', latency_ms: 0, error });
      if (closed) return down('the bus is closed');
      const conn = nc;
      if (!conn || !connected) return down(`not connected to ${safeUrl}: ${lastError.message}`);
      if (!streamReady) return down(`stream ${stream} is not ready: ${lastError.message}`);
      return checkHealth('nats', () => conn.rtt(), timeoutMs);
    },
    async close() {
      if (closed) return;
      closed = true;
      changed();
      // Stop consuming first, with the connection still up, so that acks and naks reach the server.
      await Promise.allSettled([...members].map(stopMember));
      const conn = nc;
      nc = undefined;
      connected = false;
      if (!conn) return;
      try {
        await withTimeout(conn.drain(), 3000);
      } catch {
        await conn.close().catch(() => undefined);
      }
    },
  };
}

/** Connection options for a NATS URL list (`NATS_URL`): servers, credentials from the URL (client v3 ignores them there), reconnect forever. */
export function natsConnectOptions(url: string, name: string): ConnectionOptions {
  const servers: string[] = [];
  const auth: Pick<ConnectionOptions, 'user' | 'pass' | 'token'> = {};
  for (const raw of url.split(',').map((s) => s.trim()).filter(Boolean)) {
    try {
      const u = new URL(raw.includes('://') ? raw : `nats://${raw}`);
      if (u.password) {
        auth.user = decodeURIComponent(u.username);
        auth.pass = decodeURIComponent(u.password);
      } else if (u.username) {
        auth.token = decodeURIComponent(u.username);
      }
      servers.push(`${u.protocol}//${u.host}`);
    } catch {
      servers.push(raw);
    }
  }
  return {
    servers,
    name,
    ...auth,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 1000,
    reconnectJitter: 250,
    timeout: 2000,
    pingInterval: 10_000,
    maxPingOut: 2,
    waitOnFirstConnect: false,
  };
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`NatsBusOptions.${name} must be a positive integer, not ${value}`);
  return value;
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
