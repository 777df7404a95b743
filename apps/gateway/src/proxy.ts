import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import replyFrom from '@fastify/reply-from';
import { WebSocket } from 'ws';
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
  // Relayed sockets (both legs) are closed before the server waits for its connections to end: an open upgraded
  // socket would otherwise hold the gateway's shutdown forever.
  const relayed = new Set<WebSocket>();
  app.addHook('preClose', (done) => {
    for (const socket of relayed) socket.terminate();
    relayed.clear();
    done();
  });
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
      // GET also carries WebSocket upgrades (`/hermes/api/v1/events/ws`): the same hooks (deny list, authentication,
      // permission, rate limit) run first, then the socket is relayed to the service with the caller's signed headers.
      scope.route({ method: 'GET', url: '/*', handler: forward, wsHandler: (socket, request) => relayWebSocket(socket, request, upstream, prefix, relayed) });
      scope.route({ method: ['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'], url: '/*', handler: forward });
    },
    { prefix: `/${upstream.name}` },
  );
}

/** Relays a client's WebSocket to the service, both ways, closing each side when the other closes. */
function relayWebSocket(client: WebSocket, request: FastifyRequest, upstream: UpstreamOptions, prefix: string, open: Set<WebSocket>): void {
  const path = request.url.slice(prefix.length) || '/';
  const target = new URL(path, upstream.url.replace(/^http/, 'ws'));
  const headers = request.principal ? upstream.sign('GET', path, request.principal) : {};
  const service = new WebSocket(target, { headers: { ...headers, 'x-request-id': request.id } });
  open.add(client).add(service);
  const forget = () => open.delete(client) && open.delete(service);
  const pending: { data: WebSocket.RawData; binary: boolean }[] = [];
  client.on('message', (data, binary) => {
    if (service.readyState === WebSocket.OPEN) service.send(data, { binary });
    else pending.push({ data, binary });
  });
  service.on('open', () => {
    for (const { data, binary } of pending.splice(0)) service.send(data, { binary });
  });
  service.on('message', (data, binary) => client.send(data, { binary }));
  const closeBoth = (code?: number, reason?: Buffer) => {
    const safe = code && code >= 1000 && code < 5000 && code !== 1005 && code !== 1006 ? code : 1011;
    if (client.readyState === WebSocket.OPEN) client.close(safe, reason?.toString().slice(0, 120));
    if (service.readyState === WebSocket.OPEN || service.readyState === WebSocket.CONNECTING) service.terminate();
  };
  service.on('close', (code, reason) => closeBoth(code, reason));
  service.on('unexpected-response', (_req, res) => closeBoth(1011, Buffer.from(`${upstream.name} answered ${res.statusCode}`)));
  service.on('error', () => closeBoth(1011, Buffer.from(`${upstream.name} is unreachable`)));
  service.on('close', forget);
  client.on('close', () => {
    forget();
    if (service.readyState === WebSocket.OPEN || service.readyState === WebSocket.CONNECTING) service.close();
  });
  client.on('error', () => service.terminate());
}
