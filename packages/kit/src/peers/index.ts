import type { Principal, ServiceName } from '@maximus/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Agent, errors as undiciErrors, request as undiciRequest } from 'undici';
import { internalHeaders, servicePrincipal } from '../auth/index.js';
import { createError, type CodedError } from '../errors/index.js';

export const PeerErrors = {
  Rejected: createError('KIT_ERR_PEER_REJECTED', '%s refused %s %s: %s', 400),
  Unavailable: createError('KIT_ERR_PEER_UNAVAILABLE', '%s is unavailable for %s %s: %s', 503),
  Timeout: createError('KIT_ERR_PEER_TIMEOUT', '%s did not answer %s %s within %s ms', 504),
  Failed: createError('KIT_ERR_PEER_FAILED', '%s failed on %s %s: %s', 502),
  NotConnected: createError('KIT_ERR_PEER_NOT_CONNECTED', '%s cannot reach %s: %s', 503),
} as const;

export type PeerMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * How long the calling service waits for this answer, ms: sent with every peer request, so that the callee can
 * stop work nobody will read (embedded peers call in process, where no socket closes when the caller gives up).
 */
export const PEER_TIMEOUT_HEADER = 'x-maximus-timeout-ms';

/**
 * Aborts when the caller of this request is gone: its connection closed before the answer was sent (over HTTP),
 * or the time it said it would wait ({@link PEER_TIMEOUT_HEADER}) ran out (in process and over HTTP). Give it to
 * work that costs something and is worthless once the caller is gone, such as a language-model call.
 * @example
 * const answer = await model.complete({ prompt, signal: callerGone(request, reply) });
 */
export function callerGone(request: FastifyRequest, reply: FastifyReply): AbortSignal {
  const closed = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) closed.abort(new Error('the caller closed the connection'));
  });
  const waits = Number(request.headers[PEER_TIMEOUT_HEADER]);
  return Number.isFinite(waits) && waits > 0 ? AbortSignal.any([closed.signal, AbortSignal.timeout(waits)]) : closed.signal;
}

export interface PeerRequest {
  readonly method: PeerMethod;
  /** The path as the callee sees it, with its query: `/api/v1/governance/decisions?status=pending`. */
  readonly path: string;
  /** A JSON body. */
  readonly body?: unknown;
  /** The user principal id the call is made for (`request.principal.id`): the callee sees `on_behalf_of`. */
  readonly onBehalfOf?: string | undefined;
  /** @default 10 000 ms */
  readonly timeoutMs?: number;
}

export interface PeerResponse<T> {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: T;
}

/** A failed call to another service: its status and problem body, as the callee sent them. */
export type PeerError = CodedError & {
  /** The callee's HTTP status (undefined when it was not reached). */
  peerStatus?: number;
  /** The callee's problem+json body, when it sent one. */
  problem?: Record<string, unknown>;
};

/** Another service of the platform, reached in process (embedded) or over HTTP (connected). */
export interface Peers {
  /**
   * Calls `service` as `service:<caller>`. Resolves on 2xx (and on 3xx); throws a {@link PeerError} otherwise.
   * @example
   * const { body } = await ctx.peers.request<GovernanceStats>('core', { method: 'GET', path: '/api/v1/governance/stats' });
   */
  request<T>(service: ServiceName, request: PeerRequest): Promise<PeerResponse<T>>;
}

/** What a transport is given: a signed request for one callee; it answers the raw response or throws. */
export interface PeerCall {
  readonly method: PeerMethod;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string | undefined;
  readonly timeoutMs: number;
}

export interface RawPeerResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/**
 * Carries a call to `service`. `sign` is the key that proves the caller to the receiving side (the gateway's
 * in-process key when embedded, the shared internal secret when connected).
 */
export interface PeerTransport {
  readonly key: Buffer;
  send(service: ServiceName, call: PeerCall): Promise<RawPeerResponse>;
  close?(): Promise<void>;
}

const DEFAULT_TIMEOUT_MS = 10_000;

function fail(error: CodedError, status?: number, problem?: Record<string, unknown>): PeerError {
  const e = error as PeerError;
  if (status !== undefined) e.peerStatus = status;
  if (problem) e.problem = problem;
  return e;
}

function parse(raw: RawPeerResponse): unknown {
  if (!raw.body) return undefined;
  const type = raw.headers['content-type'] ?? '';
  if (!type.includes('json')) return raw.body;
  try {
    return JSON.parse(raw.body) as unknown;
  } catch {
    return raw.body;
  }
}

/**
 * A service's peers: each call is signed for `service:<caller>` (with `on_behalf_of`) and sent through the
 * transport attached by whoever mounts the service; calls before that fail with `KIT_ERR_PEER_NOT_CONNECTED`.
 */
export class ServicePeers implements Peers {
  readonly #caller: ServiceName;
  #transport: PeerTransport | undefined;

  constructor(caller: ServiceName) {
    this.#caller = caller;
  }

  /** Attaches (or replaces) the transport. */
  attach(transport: PeerTransport): void {
    this.#transport = transport;
  }

  async close(): Promise<void> {
    const transport = this.#transport;
    this.#transport = undefined;
    await transport?.close?.();
  }

  async request<T>(service: ServiceName, request: PeerRequest): Promise<PeerResponse<T>> {
    const { method, path } = request;
    const transport = this.#transport;
    if (!transport) throw new PeerErrors.NotConnected(this.#caller, service, 'the service is not mounted yet') as PeerError;
    const principal: Principal = servicePrincipal(this.#caller, request.onBehalfOf);
    const timeoutMs = request.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const body = request.body === undefined ? undefined : JSON.stringify(request.body);
    const headers: Record<string, string> = { ...internalHeaders(transport.key, method, path, principal), accept: 'application/json', [PEER_TIMEOUT_HEADER]: String(timeoutMs) };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let raw: RawPeerResponse;
    try {
      raw = await transport.send(service, { method, path, headers, body, timeoutMs });
    } catch (error) {
      if (error instanceof PeerTimeout) throw fail(new PeerErrors.Timeout(service, method, path, timeoutMs));
      const reason = (error as { code?: string; message?: string }).code ?? (error as Error).message;
      const unavailable = new PeerErrors.Unavailable(service, method, path, reason) as PeerError;
      unavailable.retryAfterSeconds = 1;
      throw unavailable;
    }
    const parsed = parse(raw);
    if (raw.status < 400) return { status: raw.status, headers: raw.headers, body: parsed as T };
    const problem = parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : undefined;
    const detail = typeof problem?.detail === 'string' ? problem.detail : `HTTP ${raw.status}`;
    const summary = typeof problem?.code === 'string' ? `${problem.code}: ${detail}` : detail;
    if (raw.status === 503) {
      const e = fail(new PeerErrors.Unavailable(service, method, path, summary), raw.status, problem);
      e.retryAfterSeconds = Number(raw.headers['retry-after']) || 1;
      throw e;
    }
    if (raw.status === 504) throw fail(new PeerErrors.Timeout(service, method, path, timeoutMs), raw.status, problem);
    if (raw.status >= 500) throw fail(new PeerErrors.Failed(service, method, path, summary), raw.status, problem);
    const rejected = fail(new PeerErrors.Rejected(service, method, path, summary), raw.status, problem);
    rejected.statusCode = raw.status;
    throw rejected;
  }
}

/** Thrown by a transport when the callee did not answer within the call's time limit. */
export class PeerTimeout extends Error {
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
    this.name = 'PeerTimeout';
  }
}

function flatHeaders(headers: Record<string, string | string[] | number | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
  return out;
}

/**
 * Connected mode: straight to each callee's URL over keep-alive connections, signed with the shared internal
 * secret that every service checks.
 */
export function httpPeerTransport(urls: Readonly<Record<ServiceName, string>>, key: Buffer): PeerTransport {
  const agent = new Agent({ connections: 16, keepAliveTimeout: 30_000 });
  return {
    key,
    async send(service, call) {
      const base = urls[service].replace(/\/$/, '');
      try {
        const response = await undiciRequest(`${base}${call.path}`, {
          method: call.method,
          headers: call.headers,
          body: call.body ?? null,
          dispatcher: agent,
          headersTimeout: call.timeoutMs,
          bodyTimeout: call.timeoutMs,
        });
        return { status: response.statusCode, headers: flatHeaders(response.headers), body: await response.body.text() };
      } catch (error) {
        if (error instanceof undiciErrors.HeadersTimeoutError || error instanceof undiciErrors.BodyTimeoutError) throw new PeerTimeout(call.timeoutMs);
        throw error;
      }
    },
    close: () => agent.close(),
  };
}

/** The minimal shape of Fastify's `inject`, so the kit does not tie this module to a Fastify instance type. */
export type Inject = (options: {
  method: PeerMethod;
  url: string;
  headers: Record<string, string>;
  payload?: string;
}) => Promise<{ statusCode: number; headers: Record<string, string | string[] | number | undefined>; body: string }>;

/**
 * Embedded mode: through the gateway's own routing in process (`inject`, no socket), signed with a key that
 * exists only in this process's memory; the gateway admits the service principal and the callee's guard checks
 * its internal routes.
 */
export function inProcessPeerTransport(inject: Inject, key: Buffer): PeerTransport {
  return {
    key,
    async send(service, call) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new PeerTimeout(call.timeoutMs)), call.timeoutMs);
      });
      try {
        const response = await Promise.race([
          inject({ method: call.method, url: `/${service}${call.path}`, headers: call.headers, ...(call.body === undefined ? {} : { payload: call.body }) }),
          timeout,
        ]);
        return { status: response.statusCode, headers: flatHeaders(response.headers), body: response.body };
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
