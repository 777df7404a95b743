import type { FastifyInstance } from 'fastify';
import type { Principal } from '@maximus/contracts';
import { INTERNAL_HEADER, PRINCIPAL_HEADER, verifyInternal } from '../auth/index.js';
import { createError } from '../errors/index.js';
import type { InternalRoute, ServiceContext } from './definition.js';

export const GuardErrors = {
  GatewayProofMissing: createError('KIT_ERR_AUTH_GATEWAY_PROOF_INVALID', 'This service answers /api/ requests only from the MAXIMUS gateway (missing or invalid gateway proof)', 401),
  PrincipalMissing: createError('KIT_ERR_AUTH_PRINCIPAL_MISSING', 'No authenticated principal reached the service', 401),
  ServiceRouteForbidden: createError('KIT_ERR_AUTH_SERVICE_ROUTE_FORBIDDEN', '%s may not call %s %s on %s: it is not one of the internal routes this service allows it', 403),
  InternalOnly: createError('KIT_ERR_AUTH_INTERNAL_ONLY', '%s may not call %s %s on %s: it is an internal route, for %s only', 403),
} as const;

export interface ServicePluginOptions {
  /**
   * The service runs alone (connected mode): `/api/` requests must carry the gateway's HMAC proof, made
   * with this key. Omitted: the service is mounted in the gateway's process, which sets the principal itself.
   */
  gatewayProof?: Buffer;
}

/**
 * Every `/api/` request reaching a service has a principal: set in process by the gateway (embedded), or
 * read from the gateway's signed headers (connected). The public routes need none. A service principal is admitted
 * only on the internal routes listed for it; a route listed `only` admits nobody else and stays out of the OpenAPI document.
 */
export function guardApi(app: FastifyInstance, ctx: ServiceContext, options: ServicePluginOptions, internalRoutes: readonly InternalRoute[] = []): void {
  const prefix = `${app.prefix}/api/`;
  const allowed = internalRoutes.map((r) => ({ ...r, regex: new RegExp(`^${r.path.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/:[A-Za-z_]+/g, '[^/]+')}$`) }));
  // A service principal is admitted only on the routes this service lists for that caller.
  const serviceMayCall = (principal: Principal, method: string, path: string) =>
    allowed.some((r) => r.method === method && r.regex.test(path) && r.callers.some((c) => `service:${c}` === principal.id));
  const internalOnly = (method: string, path: string) => allowed.find((r) => r.only === true && r.method === method && r.regex.test(path));
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const path = route.url.slice(app.prefix.length);
    if (methods.some((m) => internalOnly(m, path))) route.schema = { ...route.schema, hide: true };
  });
  app.addHook('preHandler', (request, _reply, done) => {
    const principal = request.principal;
    if (!request.url.startsWith(prefix) || !principal) return done();
    const path = request.url.slice(app.prefix.length).split('?')[0] ?? '';
    if (principal.kind !== 'service') {
      const only = internalOnly(request.method, path);
      return done(only ? new GuardErrors.InternalOnly(principal.id, request.method, path, ctx.name, only.callers.map((c) => `service:${c}`).join(', ')) : undefined);
    }
    if (serviceMayCall(principal, request.method, path)) return done();
    done(new GuardErrors.ServiceRouteForbidden(principal.id, request.method, path, ctx.name));
  });
  app.addHook('onRequest', (request, _reply, done) => {
    if (!request.url.startsWith(prefix)) return done();
    if (options.gatewayProof) {
      const json = request.headers[PRINCIPAL_HEADER];
      const proof = request.headers[INTERNAL_HEADER];
      const path = request.url.slice(app.prefix.length);
      if (typeof json === 'string' && typeof proof === 'string' && verifyInternal(options.gatewayProof, proof, request.method, path, json)) {
        request.principal = JSON.parse(json) as Principal;
        return done();
      }
      if (!ctx.config.auth.enabled) {
        request.principal = { id: 'user:anonymous', kind: 'user', role: 'admin', via: 'anonymous' };
        return done();
      }
      return done(new GuardErrors.GatewayProofMissing());
    }
    if (!request.principal) return done(new GuardErrors.PrincipalMissing());
    done();
  });
}
