import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ApiKeyCreated, ApiKeyInfo, Principal, Role } from '@maximus/contracts';
import type { Database, Queryable } from '@maximus/kit/db';
import type { Logger } from '@maximus/kit/logger';
import { LRUCache } from 'lru-cache';

/** `mxk_<12 hex id>_<43 base64url chars: 256 random bits>`. The id finds the row; the digest proves the key. */
const KEY = /^mxk_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

const digest = (key: string) => createHash('sha256').update(key).digest();
const DUMMY = digest('mxk_000000000000_' + 'A'.repeat(43));

interface Row {
  id: string;
  name: string;
  role: Role;
  digest: Uint8Array;
  created_at: Date;
  created_by: string | null;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const info = (row: Row): ApiKeyInfo => ({
  id: row.id,
  name: row.name,
  role: row.role,
  created_at: new Date(row.created_at).toISOString(),
  created_by: row.created_by,
  last_used_at: row.last_used_at ? new Date(row.last_used_at).toISOString() : null,
  revoked_at: row.revoked_at ? new Date(row.revoked_at).toISOString() : null,
});

export interface ApiKeyStore {
  create(params: { name: string; role: Role; createdBy: string | null }, q?: Queryable): Promise<ApiKeyCreated>;
  /** Stores a key generated elsewhere (MAXIMUS_BOOTSTRAP_ADMIN_KEY) unless it is already stored; `created` says which. */
  adopt(key: string, params: { name: string; role: Role }, q?: Queryable): Promise<ApiKeyInfo & { created: boolean }>;
  list(): Promise<ApiKeyInfo[]>;
  /** Revokes; returns the key's info, or undefined when there is no such key. Idempotent. */
  revoke(id: string, q?: Queryable): Promise<ApiKeyInfo | undefined>;
  /** The principal of a valid, unrevoked key; undefined otherwise. Reads the database every time: a revocation holds on the next request, on every replica. */
  verify(key: string): Promise<Principal | undefined>;
  count(): Promise<number>;
}

type KeyRow = Pick<Row, 'id' | 'role' | 'digest' | 'revoked_at'>;

/**
 * API keys in `gateway.api_keys`, stored as SHA-256 digests (never recoverable), compared in constant time.
 *
 * On PGlite (one process owns the database: its directory is locked) the rows verified are kept in memory and
 * every revocation goes through this store, which updates them: exact, and no query per request. On
 * PostgreSQL, where other gateway replicas revoke too, every verification reads the row.
 */
export function createApiKeyStore(db: Database, log: Logger): ApiKeyStore {
  const rows = db.kind === 'pglite' ? new LRUCache<string, KeyRow>({ max: 10_000 }) : undefined;
  const touched = new Map<string, number>();
  const touch = (id: string) => {
    // last_used_at is written at most once a minute per key per process: no write on the hot path.
    const now = Date.now();
    if ((touched.get(id) ?? 0) > now - 60_000) return;
    touched.set(id, now);
    db.query('UPDATE gateway.api_keys SET last_used_at = now() WHERE id = $1', [id]).catch((error: unknown) =>
      log.warn({ err: error, key_id: id }, 'could not record the key as used'),
    );
  };
  return {
    async create({ name, role, createdBy }, q = db) {
      const id = randomBytes(6).toString('hex');
      const key = `mxk_${id}_${randomBytes(32).toString('base64url')}`;
      const { rows } = await q.query<Row>(
        'INSERT INTO gateway.api_keys (id, name, role, digest, created_by) VALUES ($1, $2, $3, $4, $5) RETURNING *',
        [id, name, role, digest(key), createdBy],
      );
      return { ...info(rows[0]!), key };
    },
    async adopt(key, { name, role }, q = db) {
      const match = KEY.exec(key);
      if (!match) throw new Error('MAXIMUS_BOOTSTRAP_ADMIN_KEY is not a MAXIMUS API key (mxk_<id>_<secret>)');
      const inserted = await q.query('INSERT INTO gateway.api_keys (id, name, role, digest) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING', [match[1], name, role, digest(key)]);
      const { rows } = await q.query<Row>('SELECT * FROM gateway.api_keys WHERE id = $1', [match[1]]);
      return { ...info(rows[0]!), created: inserted.rowCount === 1 };
    },
    async list() {
      const { rows } = await db.query<Row>('SELECT * FROM gateway.api_keys ORDER BY created_at, id');
      return rows.map(info);
    },
    async revoke(id, q = db) {
      const result = await q.query<Row>('UPDATE gateway.api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 RETURNING *', [id]);
      // Forget it before answering; a transaction that rolls back afterwards only costs a re-read.
      rows?.delete(id);
      return result.rows[0] ? info(result.rows[0]) : undefined;
    },
    async verify(key) {
      const match = KEY.exec(key);
      if (!match) return undefined;
      const id = match[1]!;
      let row = rows?.get(id);
      if (!row) {
        const result = await db.query<KeyRow>('SELECT id, role, digest, revoked_at FROM gateway.api_keys WHERE id = $1', [id]);
        row = result.rows[0];
        if (row) rows?.set(id, row);
      }
      // Compare even when there is no row, so that a miss costs what a hit costs.
      const equal = timingSafeEqual(digest(key), row ? Buffer.from(row.digest) : DUMMY);
      if (!row || !equal || row.revoked_at) return undefined;
      touch(row.id);
      return { id: `user:key-${row.id}`, kind: 'user', role: row.role, via: 'api_key', key_id: row.id };
    },
    async count() {
      const { rows } = await db.query<{ n: number | string }>('SELECT count(*) AS n FROM gateway.api_keys WHERE revoked_at IS NULL');
      return Number(rows[0]?.n ?? 0);
    },
  };
}
