import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Database } from '@maximus/kit/db';
import { createError, type CodedError } from '@maximus/kit/errors';
import type { Logger } from '@maximus/kit/logger';

export const IdempotencyErrors = {
  KeyInvalid: createError('GATEWAY_ERR_IDEMPOTENCY_KEY_INVALID', 'Idempotency-Key must be 1 to 255 visible ASCII characters', 400),
  KeyReused: createError('GATEWAY_ERR_IDEMPOTENCY_KEY_REUSED', 'Idempotency-Key %s was used with a different request; use a new key for a new request', 422),
  InProgress: createError('GATEWAY_ERR_IDEMPOTENCY_IN_PROGRESS', 'The first request with Idempotency-Key %s is still running; retry shortly', 503),
} as const;

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const KEY = /^[\x21-\x7e]{1,255}$/;
/** Response headers replayed with a stored answer. */
const KEPT = ['content-type', 'location', 'deprecation', 'sunset'];
const MAX_STORED = 1024 * 1024;

interface Claim {
  principal: string;
  key: string;
}
declare module 'fastify' {
  interface FastifyRequest {
    idempotency?: Claim;
  }
}

interface Row {
  request_hash: string;
  status_code: number | null;
  response_headers: Record<string, string> | null;
  response_body: Uint8Array | null;
}

function requestHash(request: FastifyRequest): string {
  const body = request.body;
  const bytes = body === undefined ? '' : Buffer.isBuffer(body) ? body : typeof body === 'string' ? body : JSON.stringify(body);
  return createHash('sha256').update(`${request.method} ${request.url}\n`).update(bytes).digest('hex');
}

async function drain(payload: unknown): Promise<Buffer | undefined> {
  if (payload === null || payload === undefined) return Buffer.alloc(0);
  if (typeof payload === 'string' || Buffer.isBuffer(payload)) return Buffer.from(payload);
  if (payload instanceof Readable) {
    const chunks: Buffer[] = [];
    for await (const chunk of payload) chunks.push(Buffer.from(chunk as Buffer));
    return Buffer.concat(chunks);
  }
  return undefined;
}

/**
 * `Idempotency-Key` on POST/PUT/PATCH/DELETE: the first answer (below 500) is stored per (principal, key) for
 * the TTL; a retry with the same key and request replays it (`Idempotent-Replayed: true`); the same key with
 * another request is 422; a retry while the first still runs is 503 with Retry-After. A 5xx answer is not
 * stored, so a retry runs the request again.
 */
export function registerIdempotency(app: FastifyInstance, options: { db: Database; ttlHours: number; log: Logger }): void {
  const { db, log } = options;
  app.addHook('preHandler', async (request, reply) => {
    const key = request.headers['idempotency-key'];
    if (key === undefined || !WRITES.has(request.method) || !request.principal) return;
    if (typeof key !== 'string' || !KEY.test(key)) throw new IdempotencyErrors.KeyInvalid();
    const principal = request.principal.id;
    const hash = requestHash(request);
    const claimed = await db.query(
      `INSERT INTO gateway.idempotency_keys (principal, key, request_hash, expires_at)
       VALUES ($1, $2, $3, now() + ($4::int * interval '1 hour')) ON CONFLICT (principal, key) DO NOTHING`,
      [principal, key, hash, options.ttlHours],
    );
    if (claimed.rowCount === 1) {
      request.idempotency = { principal, key };
      // A reply that bypasses onSend (a hijacked SSE stream) cannot be replayed: release the claim when it ends, so a
      // retry runs again instead of waiting for a claim that never settles.
      reply.raw.once('close', () => {
        if (request.idempotency !== undefined) {
          request.idempotency = undefined;
          db.query('DELETE FROM gateway.idempotency_keys WHERE principal = $1 AND key = $2 AND status_code IS NULL', [principal, key]).catch((error: unknown) =>
            log.warn({ err: error, key }, 'could not release an idempotency claim; it expires with its TTL'),
          );
        }
      });
      return;
    }
    const { rows } = await db.query<Row>(
      'SELECT request_hash, status_code, response_headers, response_body FROM gateway.idempotency_keys WHERE principal = $1 AND key = $2',
      [principal, key],
    );
    const row = rows[0];
    if (!row) throw new IdempotencyErrors.InProgress(key); // expired and pruned in between: let the client retry
    if (row.request_hash !== hash) throw new IdempotencyErrors.KeyReused(key);
    if (row.status_code === null) {
      const error: CodedError = new IdempotencyErrors.InProgress(key);
      error.retryAfterSeconds = 1;
      throw error;
    }
    void reply.code(row.status_code).headers({ ...row.response_headers, 'idempotent-replayed': 'true' });
    return reply.send(Buffer.from(row.response_body ?? new Uint8Array()));
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const claim = request.idempotency;
    if (!claim) return payload;
    request.idempotency = undefined;
    if (reply.statusCode >= 500) {
      await db.query('DELETE FROM gateway.idempotency_keys WHERE principal = $1 AND key = $2', [claim.principal, claim.key]);
      return payload;
    }
    const body = await drain(payload);
    if (!body || body.length > MAX_STORED) {
      log.warn({ key: claim.key }, 'idempotent answer not stored: streamed or too large; a retry will run again');
      await db.query('DELETE FROM gateway.idempotency_keys WHERE principal = $1 AND key = $2', [claim.principal, claim.key]);
      return body ?? payload;
    }
    const headers = Object.fromEntries(KEPT.flatMap((h) => (reply.hasHeader(h) ? [[h, String(reply.getHeader(h))]] : [])));
    await db.query(
      'UPDATE gateway.idempotency_keys SET status_code = $3, response_headers = $4, response_body = $5 WHERE principal = $1 AND key = $2',
      [claim.principal, claim.key, reply.statusCode, JSON.stringify(headers), body],
    );
    return body;
  });

  const prune = setInterval(() => {
    db.query('DELETE FROM gateway.idempotency_keys WHERE expires_at < now()').catch((error: unknown) => log.warn({ err: error }, 'idempotency prune failed'));
  }, 60 * 60 * 1000);
  prune.unref();
  app.addHook('onClose', () => clearInterval(prune));
}
