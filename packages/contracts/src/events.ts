import Type from 'typebox';

/** A dotted topic (`governance.execute.block_ip`): segments of letters, digits, `_` and `-`. */
export const Topic = Type.String({ minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*$' });

/** `POST /hermes/api/v1/events`: publish through hermes's outbox. */
export const EventPublishParams = Type.Object(
  {
    topic: Topic,
    payload: Type.Unknown(),
    /** A message id: the same id within the deduplication window (2 minutes) publishes once and answers the same event. */
    id: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    headers: Type.Optional(Type.Record(Type.String({ maxLength: 100 }), Type.String({ maxLength: 1000 }))),
  },
  { additionalProperties: false },
);
export type EventPublishParams = Type.Static<typeof EventPublishParams>;

/** The answer to a publish: the event as it was written to the outbox. */
export const EventPublished = Type.Object({
  /** The event's id on the bus (consumers deduplicate by it). */
  id: Type.String(),
  topic: Type.String(),
  /** The caller's message id, when one was given. */
  message_id: Type.Union([Type.String(), Type.Null()]),
  time: Type.String({ format: 'date-time' }),
  /** True when this answer repeats an earlier publish of the same message id. */
  duplicate: Type.Boolean(),
});
export type EventPublished = Type.Static<typeof EventPublished>;

/** The JSON `data:` of each Server-Sent Event (and of each WebSocket `event` frame). */
export const EventEnvelope = Type.Object({
  id: Type.String(),
  topic: Type.String(),
  payload: Type.Unknown(),
  headers: Type.Record(Type.String(), Type.String()),
  time: Type.String(),
});
export type EventEnvelope = Type.Static<typeof EventEnvelope>;

/** `GET /hermes/api/v1/events/subscribe?topics=a.*,b.>` (SSE) and `/events/ws` (WebSocket). */
export const EventSubscribeQuery = Type.Object(
  {
    /** Comma-separated NATS-style patterns: `*` one segment, `>` the rest. */
    topics: Type.String({ minLength: 1, maxLength: 2000 }),
    /** For clients that cannot send the `Last-Event-ID` header: resume after this position. */
    last_event_id: Type.Optional(Type.String({ pattern: '^\\d{1,19}$' })),
    /** WebSocket only: the client acknowledges events (`{"type":"ack","position":"…"}`) and at most `window` stay unacknowledged. */
    ack: Type.Optional(Type.Boolean()),
    window: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
  },
  { additionalProperties: false },
);
export type EventSubscribeQuery = Type.Static<typeof EventSubscribeQuery>;

/** `POST /hermes/api/v1/services`: register, or heartbeat (an upsert that extends the expiry). */
export const ServiceRegisterParams = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100, pattern: '^[a-z0-9][a-z0-9_-]*$' }),
    /** The instance's base URL, or `in-process` for a service mounted in the embedded gateway. */
    url: Type.String({ minLength: 1, maxLength: 2000 }),
    health_url: Type.String({ minLength: 1, maxLength: 2000 }),
    ttl_seconds: Type.Integer({ minimum: 1, maximum: 86_400 }),
    /** Stable per instance; derived from `name` and `url` when left out, so that repeated calls heartbeat one entry. */
    instance_id: Type.Optional(Type.String({ minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9_.:@-]+$' })),
  },
  { additionalProperties: false },
);
export type ServiceRegisterParams = Type.Static<typeof ServiceRegisterParams>;

export const ServiceInstance = Type.Object({
  instance_id: Type.String(),
  name: Type.String(),
  url: Type.String(),
  health_url: Type.String(),
  ttl_seconds: Type.Integer(),
  registered_at: Type.String({ format: 'date-time' }),
  last_heartbeat_at: Type.String({ format: 'date-time' }),
  expires_at: Type.String({ format: 'date-time' }),
});
export type ServiceInstance = Type.Static<typeof ServiceInstance>;

export const ServiceInstanceList = Type.Object({ data: Type.Array(ServiceInstance) });
export type ServiceInstanceList = Type.Static<typeof ServiceInstanceList>;

export const ServiceListQuery = Type.Object({ name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })) }, { additionalProperties: false });
export type ServiceListQuery = Type.Static<typeof ServiceListQuery>;
