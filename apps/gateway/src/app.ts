import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { principalFromCertificate } from './tls/index.js';
import { Pool } from 'undici';
import { AggregateHealth, Readiness, SERVICES, SERVICE_NAMES, type ServiceName } from '@maximus/contracts';
import { KitErrors, problemHandler } from '@maximus/kit/errors';
import { createMetrics, instrumentHttp } from '@maximus/kit/metrics';
import type { Database } from '@maximus/kit/db';
import { createServer, servicePlugin, packageVersion, type PreparedService, type ServerTransportOptions } from '@maximus/kit/service';
import type { Logger } from 'pino';
import swagger from '@fastify/swagger';
import websocket from '@fastify/websocket';
import { aggregateHealth, httpTarget, inProcessTarget, type HealthTarget } from './health.js';
import { mountUpstream } from './proxy.js';
import { registerAuth } from './auth/authenticate.js';
import { registerIdempotency } from './idempotency.js';
import { registerGovernanceExecutors } from './governance/index.js';
import { credentialRoutes } from './routes/keys.js';
import { whoamiRoute } from './routes/whoami.js';
import type { GatewaySecurity } from './security.js';
import { INTERNAL_HEADER, PRINCIPAL_HEADER, signInternal } from '@maximus/kit/auth';
import type { ResolvedConfig } from '@maximus/kit/config';
import { inProcessPeerTransport } from '@maximus/kit/peers';

export const GATEWAY_VERSION = packageVersion(import.meta.url);

interface CommonOptions {
  log: Logger;
  config: ResolvedConfig;
  /** The gateway's database (API keys, idempotency keys, secrets); shared with the services when embedded. */
  db: Database;
  security: GatewaySecurity;
  /** Time one service may take to answer a health check. @default config.healthTimeoutMs */
  healthTimeoutMs?: number;
  /** TLS and HTTP/2 (see `tlsServerOptions`). @default plain HTTP/1.1 */
  serverOptions?: ServerTransportOptions | undefined;
}

export interface EmbeddedGatewayOptions extends CommonOptions {
  mode: 'embedded';
  /** The services, prepared on the shared platform; mounted in process under `/<name>`. */
  services: readonly PreparedService[];
}

export interface ConnectedGatewayOptions extends CommonOptions {
  mode: 'connected';
  /** Base URL of each service. */
  upstreams: Readonly<Record<ServiceName, string>>;
  /** @default config.upstreamTimeoutMs */
  upstreamTimeoutMs?: number;
}

export type GatewayOptions = EmbeddedGatewayOptions | ConnectedGatewayOptions;

/**
 * The gateway as a Fastify instance that listens on nothing. Embedded: the service plugins mounted in
 * process (no network hop). Connected: `/<service>/*` proxied to each service's URL.
 */
export async function build(options: GatewayOptions): Promise<FastifyInstance> {
  const app = createServer({ log: options.log, ...(options.serverOptions ? { serverOptions: options.serverOptions } : {}) });
  const metrics = createMetrics({ service: 'gateway', processMetrics: true });
  // Set before any child scope is registered: children inherit the handlers in force when they are created.
  app.setErrorHandler(problemHandler({ onError: (code, status) => metrics.errors.inc({ code, status: String(status) }) }));
  app.setNotFoundHandler((request) => {
    throw new KitErrors.NotFound(request.method, request.url.split('?')[0] ?? request.url);
  });
  const { config, security } = options;
  if (options.mode === 'connected') {
    // Upgrades go through Fastify's routing, so every hook runs on them as on any request. Registered before those
    // hooks: its own onRequest hook marks the upgrade, so that a refused one (401, 403, 429) has its socket closed.
    await app.register(websocket);
  }
  // Embedded services call each other through this app (`ctx.peers`), signed with a key that never leaves memory.
  const inProcessKey = options.mode === 'embedded' ? randomBytes(32) : undefined;
  // Before authentication: a denied address gets 403 on every route, public ones included.
  await registerGovernanceExecutors(app, { db: options.db, bus: security.bus, keys: security.keys, limiter: security.limiter, outbox: security.outbox, log: options.log });
  registerAuth(app, {
    config,
    keys: security.keys,
    tokens: security.tokens,
    limiter: security.limiter,
    ...(inProcessKey ? { inProcessKey } : {}),
    ...(config.tls && config.tls.clientAuth !== 'off' ? { certificate: (request: FastifyRequest) => principalFromCertificate(request.socket) } : {}),
  });
  registerIdempotency(app, { db: options.db, ttlHours: config.idempotencyTtlHours, log: options.log });
  const startedAt = performance.now();
  const healthTimeoutMs = options.healthTimeoutMs ?? config.healthTimeoutMs;
  const pools: Pool[] = [];
  let targets: HealthTarget[];
  if (options.mode === 'embedded') {
    targets = options.services.map(inProcessTarget);
  } else {
    targets = SERVICE_NAMES.map((name) => {
      const pool = new Pool(options.upstreams[name], { connections: 4, keepAliveTimeout: 30_000 });
      pools.push(pool);
      return httpTarget(name, pool, healthTimeoutMs);
    });
    app.addHook('onClose', async () => {
      await Promise.all(pools.map((p) => p.close()));
    });
  }

  // The gateway's own routes, in an encapsulated scope with the gateway's metrics and error handler.
  await app.register(async (own) => {
    own.setErrorHandler(problemHandler({ onError: (code, status) => metrics.errors.inc({ code, status: String(status) }) }));
    instrumentHttp(own, metrics.http);
    await own.register(swagger, { openapi: { openapi: '3.1.0', info: { title: 'MAXIMUS gateway', version: GATEWAY_VERSION } } });
    own.get(
      '/health',
      {
        schema: {
          summary: 'Every service at once (the batch health read); 503 when a critical service is down',
          tags: ['operations'],
          response: { 200: AggregateHealth, 503: AggregateHealth },
        },
      },
      async (_request, reply) => {
        const health = await aggregateHealth(targets, { version: GATEWAY_VERSION, mode: options.mode, startedAt, timeoutMs: healthTimeoutMs, components: { rate_limits: security.limiter.health() } });
        return reply.code(health.status === 'down' ? 503 : 200).send(health);
      },
    );
    own.get('/ready', { schema: { summary: 'Ready while its database answers', tags: ['operations'], response: { 200: Readiness, 503: Readiness } } }, async (_request, reply) => {
      const database = await options.db.health(healthTimeoutMs);
      const ready = database.status !== 'down';
      return reply.code(ready ? 200 : 503).send({ ready, service: 'gateway', checks: { database } });
    });
    own.get('/metrics', { schema: { summary: 'Prometheus metrics of the gateway process', tags: ['operations'] } }, async (_request, reply) =>
      reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
    );
    await credentialRoutes(own, { keys: security.keys, tokens: security.tokens, outbox: security.outbox });
    await whoamiRoute(own);
    own.get('/openapi.json', { schema: { hide: true } }, () => {
      const doc = own.swagger() as unknown as Record<string, unknown>;
      // Each service documents itself at /<service>/openapi.json.
      return { ...doc, 'x-services': Object.fromEntries(SERVICE_NAMES.map((n) => [n, { openapi: `/${n}/openapi.json`, summary: SERVICES[n].summary }])) };
    });
  });

  if (options.mode === 'embedded') {
    for (const service of options.services) {
      await app.register(servicePlugin(service.definition, service.ctx), { prefix: `/${service.ctx.name}` });
      if (inProcessKey) service.peers.attach(inProcessPeerTransport((request) => app.inject(request), inProcessKey));
    }
  } else {
    for (const name of SERVICE_NAMES) {
      await mountUpstream(app, {
        name,
        url: options.upstreams[name],
        timeoutMs: options.upstreamTimeoutMs ?? config.upstreamTimeoutMs,
        sign: (method, path, principal) => {
          const json = JSON.stringify(principal);
          return { [PRINCIPAL_HEADER]: json, [INTERNAL_HEADER]: signInternal(security.internalSecret, method, path, json) };
        },
      });
    }
  }

  return app;
}
