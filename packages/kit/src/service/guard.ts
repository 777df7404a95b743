import type { FastifyInstance } from 'fastify';
import type { Principal } from '@maximus/contracts';
import { INTERNAL_HEADER, PRINCIPAL_HEADER, verifyInternal } from '../auth/index.js';
import { createError } from '../errors/index.js';
import type { InternalRoute, ServiceContext } from './definition.js';

export const GuardErrors = {
  GatewayProofMissing: createError('KIT_ERR_AUTH_GATEWAY_PROOF_INVALID', 'This service answers /api/ requests only from the MAXIMUS gateway (missing or invalid gateway proof)', 401),
  PrincipalMissing: createError('KIT_ERR_AUTH_PRINCIPAL_MISSING', 'No authenticated principal reached the service', 401),
  ServiceRouteForbidden: createError('KIT_ERR_AUTH_SERVICE_ROUTE_FORBIDDEN', '%s may not call %s %s on %s: it is not one of the internal routes this service allows it', 403),
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
 * read from the gateway's signed headers (connected). The public routes need none.
 */
export function guardApi(app: FastifyInstance, ctx: ServiceContext, options: ServicePluginOptions, internalRoutes: readonly InternalRoute[] = []): void {
  const prefix = `${app.prefix}/api/`;
  const allowed = internalRoutes.map((r) => ({ ...r, regex: new RegExp(`^${r.path.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/:[A-Za-z_]+/g, '[^/]+')}$`) }));
  // A service principal is admitted only on the routes this service lists for that caller.
  const serviceMayCall = (principal: Principal, method: string, path: string) =>
    allowed.some((r) => r.method === method && r.regex.test(path) && r.callers.some((c) => `service:${c}` === principal.id));
  app.addHook('preHandler', (request, _reply, done) => {
    const principal = request.principal;
    if (!request.url.startsWith(prefix) || principal?.kind !== 'service') return done();
    const path = request.url.slice(app.prefix.length).split('?')[0] ?? '';
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
