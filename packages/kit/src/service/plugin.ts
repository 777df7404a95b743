import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import swagger from '@fastify/swagger';
import { Readiness, ServiceHealth } from '@maximus/contracts';
import { KitErrors, problemHandler } from '../errors/index.js';
import { instrumentHttp } from '../metrics/index.js';
import type { ServiceContext, ServiceDefinition } from './definition.js';
import { httpMetricsOf } from './prepare.js';
import { guardApi, type ServicePluginOptions } from './guard.js';

export type { ServicePluginOptions } from './guard.js';

/**
 * The service as a Fastify plugin: `/health`, `/ready`, `/metrics`, `/openapi.json` and its API under
 * `/api/v1`, with its own error handler, 404 handler and metrics. Registered at `/` when the service
 * runs alone, or under `/<service>` inside the embedded gateway: the same code either way.
 */
export function servicePlugin(definition: ServiceDefinition, ctx: ServiceContext, options: ServicePluginOptions = {}): FastifyPluginAsync {
  return async function service(app: FastifyInstance) {
    const prefix = app.prefix;
    guardApi(app, ctx, options, definition.internalRoutes);
    app.setErrorHandler(problemHandler({ onError: (code, status) => ctx.metrics.errors.inc({ code, status: String(status) }) }));
    app.setNotFoundHandler((request) => {
      throw new KitErrors.NotFound(request.method, request.url.split('?')[0] ?? request.url);
    });
    instrumentHttp(app, httpMetricsOf(ctx));
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: `MAXIMUS ${definition.name}`,
          version: definition.version,
          description: definition.api ? definition.summary : `${definition.summary}. Its /api/v1 routes are not built yet: it serves its operational routes only.`,
        },
        ...(prefix ? { servers: [{ url: prefix }] } : {}),
      },
      transform: ({ schema, url }) => ({ schema, url: url.slice(prefix.length) || '/' }),
    });

    app.get(
      '/health',
      { schema: { summary: 'Liveness and the state of each component', tags: ['operations'], response: { 200: ServiceHealth, 503: ServiceHealth } } },
      async (_request, reply) => {
        const health = await ctx.health();
        return reply.code(health.status === 'down' ? 503 : 200).send(health);
      },
    );
    app.get(
      '/ready',
      { schema: { summary: 'Ready while the database answers', tags: ['operations'], response: { 200: Readiness, 503: Readiness } } },
      async (_request, reply) => {
        const database = await ctx.db.health(ctx.config.healthTimeoutMs);
        const ready = database.status !== 'down';
        return reply.code(ready ? 200 : 503).send({ ready, service: ctx.name, checks: { database } });
      },
    );
    app.get('/metrics', { schema: { summary: 'Prometheus metrics', tags: ['operations'] } }, async (_request, reply) => {
      const text = await ctx.metrics.registry.metrics();
      return reply.type(ctx.metrics.registry.contentType).send(text);
    });
    app.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());
    if (definition.api) {
      const api = definition.api;
      await app.register(
        async (child) => {
          await api(child, ctx);
        },
        { prefix: '/api/v1' },
      );
    }
  };
}
