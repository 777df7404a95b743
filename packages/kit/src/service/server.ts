import { randomUUID } from 'node:crypto';
import type { SecureServerOptions } from 'node:http2';
import type { ServerOptions as HttpsServerOptions } from 'node:https';
import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Logger } from 'pino';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Fastify options that choose the kind of server: `{ http2: true, https: { allowHTTP1: true, key, cert, … } }`
 * serves HTTP/2 and HTTP/1.1 over TLS (ALPN), `{ https: {…} }` HTTPS/1.1 only. Absent: plain HTTP/1.1.
 */
/** Routes that probes call: `/health`, `/ready`, `/metrics`, each also under a service's prefix (`/core/health`). */
const PROBE = /^(\/[a-z]+)?\/(health|ready|metrics)$/;

export interface ServerTransportOptions {
  readonly http2?: boolean;
  readonly https?: SecureServerOptions | HttpsServerOptions;
}

export interface ServerOptions {
  log: Logger;
  /** The server's transport (TLS, HTTP/2). @default plain HTTP/1.1 */
  serverOptions?: ServerTransportOptions;
  /** @default 1 MiB */
  bodyLimit?: number;
  /** Log one line per request (method, route, status, time). @default true */
  accessLog?: boolean;
}

/**
 * The Fastify root every MAXIMUS process uses (a service alone, or the gateway): request ids
 * (`x-request-id` accepted when well-formed, else generated, always echoed), pino with the id as
 * `request_id`, strict validation (unknown properties are errors, every error reported).
 */
export function createServer(options: ServerOptions): FastifyInstance {
  const transport = options.serverOptions;
  const config: FastifyServerOptions & ServerTransportOptions = {
    ...transport,
    loggerInstance: options.log,
    // Fastify's two lines per request are replaced by the one access line below.
    logController: new LogController({ requestIdLogLabel: 'request_id', disableRequestLogging: true }),
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    ajv: { customOptions: { removeAdditional: false, allErrors: true, coerceTypes: 'array', useDefaults: true } },
    forceCloseConnections: true,
  };
  // The http2/https overloads of Fastify() only change the raw server's type; the instance is used as one type everywhere.
  const app = Fastify(config as FastifyServerOptions).withTypeProvider<TypeBoxTypeProvider>() as unknown as FastifyInstance;
  app.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    done();
  });
  if (options.accessLog !== false) {
    app.addHook('onResponse', (request, reply, done) => {
      const route = request.routeOptions.url ?? null;
      const line = { method: request.method, route, status: reply.statusCode, ms: Math.round(reply.elapsedTime * 100) / 100 };
      // Probes (orchestrators, the aggregate health, PENELOPE's sampling) would drown the other lines: debug, unless they fail.
      if (route !== null && PROBE.test(route) && reply.statusCode < 400) request.log.debug(line, 'request completed');
      else request.log.info(line, 'request completed');
      done();
    });
  }
  return app;
}
