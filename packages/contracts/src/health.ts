import Type from 'typebox';

/** `healthy | degraded | down`: lowercase on the wire; the CLI shows it in uppercase. */
export const HealthStatus = Type.Union([Type.Literal('healthy'), Type.Literal('degraded'), Type.Literal('down')], {
  description: 'healthy and degraded answer HTTP 200; down answers 503',
});
export type HealthStatus = Type.Static<typeof HealthStatus>;

export const ComponentHealth = Type.Object(
  {
    status: HealthStatus,
    /** Which implementation backs the component: pglite, postgres, memory, redis, nats. */
    kind: Type.String(),
    latency_ms: Type.Number({ minimum: 0 }),
    error: Type.Optional(Type.String()),
  },
);
export type ComponentHealth = Type.Static<typeof ComponentHealth>;

export const ServiceHealth = Type.Object(
  {
    status: HealthStatus,
    service: Type.String(),
    version: Type.String(),
    mode: Type.Union([Type.Literal('embedded'), Type.Literal('connected')]),
    uptime_seconds: Type.Number({ minimum: 0 }),
    timestamp: Type.String({ format: 'date-time' }),
    components: Type.Record(Type.String(), ComponentHealth),
  },
);
export type ServiceHealth = Type.Static<typeof ServiceHealth>;

export const ServiceHealthEntry = Type.Object(
  {
    status: HealthStatus,
    /** Time the gateway waited for the service's health answer. */
    latency_ms: Type.Number({ minimum: 0 }),
    critical: Type.Boolean(),
    version: Type.Optional(Type.String()),
    components: Type.Record(Type.String(), ComponentHealth),
    error: Type.Optional(Type.String()),
  },
);
export type ServiceHealthEntry = Type.Static<typeof ServiceHealthEntry>;

/** The gateway's aggregate `GET /health`: every service at once (the batch health read). */
export const AggregateHealth = Type.Object(
  {
    status: HealthStatus,
    service: Type.Literal('gateway'),
    version: Type.String(),
    mode: Type.Union([Type.Literal('embedded'), Type.Literal('connected')]),
    uptime_seconds: Type.Number({ minimum: 0 }),
    timestamp: Type.String({ format: 'date-time' }),
    /** The gateway's own parts (its rate limiter): `degraded` when it runs without its shared store. */
    components: Type.Record(Type.String(), ComponentHealth),
    services: Type.Record(Type.String(), ServiceHealthEntry),
  },
);
export type AggregateHealth = Type.Static<typeof AggregateHealth>;

export const Readiness = Type.Object(
  {
    ready: Type.Boolean(),
    service: Type.String(),
    checks: Type.Record(Type.String(), ComponentHealth),
  },
);
export type Readiness = Type.Static<typeof Readiness>;
