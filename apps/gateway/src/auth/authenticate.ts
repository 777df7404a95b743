import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Principal } from '@maximus/contracts';
import { roleAtLeast, verifyInternal, INTERNAL_HEADER, PRINCIPAL_HEADER } from '@maximus/kit/auth';
import type { ResolvedConfig } from '@maximus/kit/config';
import { createError, type CodedError } from '@maximus/kit/errors';
import type { ApiKeyStore } from './api-keys.js';
import { isMetrics, isPublic, permissionFor, type PermissionRule } from './permissions.js';
import { rateLimitedError, rateLimitHeaders, type RateLimiter } from '../rate-limit/index.js';

export const AuthErrors = {
  Required: createError('GATEWAY_ERR_AUTH_REQUIRED', 'This route needs credentials: an X-API-Key header or Authorization: Bearer <jwt>', 401),
  KeyInvalid: createError('GATEWAY_ERR_AUTH_KEY_INVALID', 'The API key is unknown, revoked or malformed', 401),
  Forbidden: createError('GATEWAY_ERR_AUTH_FORBIDDEN', 'Role %s may not %s %s: it needs %s (%s)', 403),
  CredentialsInQuery: createError('GATEWAY_ERR_AUTH_CREDENTIALS_IN_QUERY', 'Credentials go in headers, never in the query string (%s)', 400),
  MetricsForbidden: createError('GATEWAY_ERR_METRICS_FORBIDDEN', '/metrics answers non-loopback clients only with the scrape token (Authorization: Bearer <MAXIMUS_METRICS_TOKEN>)', 403),
} as const;

const CHALLENGE = 'Bearer realm="maximus", ApiKey realm="maximus" header="X-API-Key"';

function withHeaders<E extends CodedError>(error: E, headers: Record<string, string>): E {
  error.headers = headers;
  return error;
}

export interface TokenVerifier {
  /** @throws a coded 401 error when the token is not valid */
  verify(token: string): Promise<Principal>;
}

export interface AuthOptions {
  config: ResolvedConfig;
  keys: ApiKeyStore;
  tokens: TokenVerifier;
  limiter: RateLimiter;
  /**
   * Embedded mode: the in-memory key of calls between the services mounted in this process (`ctx.peers`). A request
   * signed with it carries a service principal, whose routes the callee's guard checks against its internal routes.
   */
  inProcessKey?: Buffer;
  /** The principal of an authorised client certificate (mTLS), when the listener asks for them. */
  certificate?: (request: FastifyRequest) => Principal | undefined;
}

const ANONYMOUS: Principal = { id: 'user:anonymous', kind: 'user', role: 'admin', via: 'anonymous' };
const LOOPBACK = /^(?:127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;
const QUERY_CREDENTIALS = /[?&](?:api[_-]?key|x-api-key|access[_-]?token|jwt)=/i;

declare module 'fastify' {
  interface FastifyRequest {
    /** The permission-table row of this request (set for non-public routes). */
    permission?: PermissionRule;
  }
}

/**
 * The gateway's front door, as one onRequest hook on the root: public routes pass; every other request
 * is authenticated (API key, JWT, client certificate), authorised by the permission table (401/403), and
 * rate limited per principal and route class (429). Client-supplied internal headers are dropped.
 */
export function registerAuth(app: FastifyInstance, options: AuthOptions): void {
  const { config, keys, tokens, limiter } = options;
  app.addHook('onRequest', async (request, reply) => {
    const peer = options.inProcessKey ? inProcessPrincipal(request, options.inProcessKey) : undefined;
    delete request.headers[PRINCIPAL_HEADER];
    delete request.headers[INTERNAL_HEADER];
    const [path = '/', query = ''] = request.url.split('?', 2);
    if (peer) {
      // A service of this process: the callee's guard admits it only on the routes it lists for that caller.
      request.principal = peer;
      request.permission = permissionFor(request.method, path);
      return;
    }
    if (isPublic(path)) {
      if (isMetrics(path) && !LOOPBACK.test(request.socket.remoteAddress ?? '')) {
        const token = config.auth.metricsToken;
        if (!token || request.headers.authorization !== `Bearer ${token}`) throw new AuthErrors.MetricsForbidden();
      }
      return;
    }
    if (query && QUERY_CREDENTIALS.test(`?${query}`)) throw new AuthErrors.CredentialsInQuery('remove them from the URL and rotate them');
    const principal = config.auth.enabled ? await authenticate(request) : ANONYMOUS;
    request.principal = principal;
    const rule = permissionFor(request.method, path);
    request.permission = rule;
    if (principal.role === 'service' || !roleAtLeast(principal.role, rule.role)) {
      throw new AuthErrors.Forbidden(principal.role, request.method, path, rule.role, rule.what);
    }
    const decision = await limiter.check(principal.id, rule.class, config.rateLimits[principal.role][rule.class]);
    const headers = rateLimitHeaders(decision);
    void reply.headers({ ...headers });
    if (!decision.allowed) throw rateLimitedError(decision);
  });

  function inProcessPrincipal(request: FastifyRequest, key: Buffer): Principal | undefined {
    const json = request.headers[PRINCIPAL_HEADER];
    const proof = request.headers[INTERNAL_HEADER];
    if (typeof json !== 'string' || typeof proof !== 'string') return undefined;
    const servicePath = request.url.replace(/^\/[a-z]+/, '');
    if (!verifyInternal(key, proof, request.method, servicePath, json)) return undefined;
    const principal = JSON.parse(json) as Principal;
    return principal.kind === 'service' ? principal : undefined;
  }

  async function authenticate(request: FastifyRequest): Promise<Principal> {
    const apiKey = request.headers['x-api-key'];
    if (typeof apiKey === 'string' && apiKey) {
      const principal = await keys.verify(apiKey);
      if (!principal) throw withHeaders(new AuthErrors.KeyInvalid(), { 'www-authenticate': CHALLENGE });
      return principal;
    }
    const authorization = request.headers.authorization;
    if (authorization) {
      const [scheme, token] = authorization.split(' ', 2);
      if (scheme?.toLowerCase() === 'bearer' && token) {
        try {
          return await tokens.verify(token);
        } catch (error) {
          throw withHeaders(error as CodedError, { 'www-authenticate': 'Bearer realm="maximus", error="invalid_token"' });
        }
      }
    }
    const fromCertificate = options.certificate?.(request);
    if (fromCertificate) return fromCertificate;
    throw withHeaders(new AuthErrors.Required(), { 'www-authenticate': CHALLENGE });
  }
}
