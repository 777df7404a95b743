import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import replyFrom from '@fastify/reply-from';
import type { Principal, ServiceName } from '@maximus/contracts';
import { GatewayErrors } from './errors.js';

export interface UpstreamOptions {
  name: ServiceName;
  url: string;
  timeoutMs: number;
  /** Keep-alive connections to the service. @default 128 */
  connections?: number;
  /** Headers that carry the caller to the service: the principal and the gateway's proof over it. */
  sign: (method: string, path: string, principal: Principal) => Record<string, string>;
}

const CONNECT_FAILURES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ECONNRESET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET', 'EAI_AGAIN']);

function causeCode(error: unknown): string | undefined {
  let current = error as { code?: string; cause?: unknown } | undefined;
  for (let depth = 0; current && depth < 5; depth++) {
    if (current.code && CONNECT_FAILURES.has(current.code)) return current.code;
    current = current.cause as typeof current;
  }
  return undefined;
}

/**
 * Connected mode: `/<name>/*` is forwarded to the service over a keep-alive undici pool, body and
 * headers untouched (request id included). A service that is down answers 503 with Retry-After, one that
 * stalls 504, at once: the gateway never retries for the client (the SDK does, with a budget).
 */
export async function mountUpstream(app: FastifyInstance, upstream: UpstreamOptions): Promise<void> {
  await app.register(
    async (scope) => {
      scope.removeAllContentTypeParsers();
      // Bodies are forwarded as the bytes that came in (buffered: the idempotency layer hashes them).
      scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
      await scope.register(replyFrom, {
        base: upstream.url,
        undici: {
          connections: upstream.connections ?? 128,
          pipelining: 1,
          keepAliveTimeout: 60_000,
          headersTimeout: upstream.timeoutMs,
          bodyTimeout: upstream.timeoutMs,
          connectTimeout: Math.min(upstream.timeoutMs, 5_000),
        },
        disableRequestLogging: true,
      });
      const prefix = `/${upstream.name}`;
      const forward = (request: FastifyRequest, reply: FastifyReply) => {
        const path = request.url.slice(prefix.length) || '/';
        // The body is the buffer of the bytes that came in: given explicitly, with its own content type, it is sent as
        // it is (reply-from would JSON-encode a parsed application/json body).
        const raw = Buffer.isBuffer(request.body) ? request.body : undefined;
        return reply.from(path, {
          ...(raw ? { body: raw, contentType: request.headers['content-type'] ?? 'application/octet-stream' } : {}),
          retryDelay: () => null,
          rewriteRequestHeaders: (_req, headers) => (request.principal ? { ...headers, ...upstream.sign(request.method, path, request.principal) } : headers),
          onError: (target: { send: (e: Error) => void }, { error }: { error: Error }) => {
            const code = causeCode(error);
            const timedOut = (error as { statusCode?: number }).statusCode === 504;
            if (timedOut) target.send(new GatewayErrors.UpstreamTimeout(upstream.name, String(upstream.timeoutMs), { cause: error }));
            else if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH' || code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'EAI_AGAIN') {
              target.send(new GatewayErrors.UpstreamUnavailable(upstream.name, code, { cause: error }));
            } else target.send(new GatewayErrors.UpstreamFailed(upstream.name, code ?? error.message, { cause: error }));
          },
        });
      };
      scope.all('/', forward);
      scope.all('/*', forward);
    },
    { prefix: `/${upstream.name}` },
  );
}

