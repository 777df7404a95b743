import pg from 'pg';
import type { ComponentHealth } from '@maximus/contracts';
import { KitErrors } from '../errors/index.js';
import { redactUrl } from '../logger/index.js';
import type { Database, Queryable, QueryResult } from './types.js';
import { checkHealth } from '../health/index.js';

export interface PostgresDatabaseOptions {
  url: string;
  /** @default 10 */
  poolMax?: number;
  /** How long a query waits for a connection before failing with KIT_ERR_DB_UNAVAILABLE. @default 5000 */
  acquireTimeoutMs?: number;
  /** `statement_timeout` of every connection. @default 30000 */
  statementTimeoutMs?: number;
  /** Reported as `application_name` in pg_stat_activity. */
  applicationName?: string;
}

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EHOSTUNREACH', 'ETIMEDOUT', 'EPIPE', '57P01', '57P02', '57P03']);

/** Maps driver failures that mean "the database is not there" onto 503 errors; everything else passes through. */
function translate(error: unknown): unknown {
  const e = error as { code?: string; message?: string };
  // Already translated (a query inside a transaction): wrapping again would repeat the message.
  if (typeof e.code === 'string' && e.code.startsWith('KIT_ERR_')) return error;
  if (e.code === '57014') return new KitErrors.DatabaseTimeout(e.message ?? 'statement timeout', { cause: error });
  if ((e.code && (CONNECTION_CODES.has(e.code) || e.code.startsWith('08'))) || /timeout exceeded when trying to connect|Connection terminated/i.test(e.message ?? '')) {
    return new KitErrors.DatabaseUnavailable(e.message ?? e.code ?? 'connection failed', { cause: error });
  }
  return error;
}

function wrap(client: pg.Pool | pg.PoolClient): Queryable {
  return {
    async query<R>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
      try {
        const result = await client.query(sql, params as unknown[] | undefined);
        return { rows: result.rows as R[], rowCount: result.rowCount ?? 0 };
      } catch (error) {
        throw translate(error);
      }
    },
    async exec(sql: string) {
      try {
        await client.query(sql);
      } catch (error) {
        throw translate(error);
      }
    },
  };
}

/** PostgreSQL through a `pg` pool with an acquire timeout and a statement timeout. */
export function createPostgresDatabase(options: PostgresDatabaseOptions): Database {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolMax ?? 10,
    connectionTimeoutMillis: options.acquireTimeoutMs ?? 5000,
    statement_timeout: options.statementTimeoutMs ?? 30000,
    application_name: options.applicationName ?? 'maximus',
    idleTimeoutMillis: 30000,
  });
  // An idle client that loses its server emits here; without a listener the process would crash.
  pool.on('error', () => undefined);
  const base = wrap(pool);
  return {
    kind: 'postgres',
    query: base.query,
    exec: base.exec,
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (error) {
        throw translate(error);
      }
      let broken = false;
      // The pool listens for errors only on idle clients: a checked-out client whose server goes away
      // (restart, failover, pg_terminate_backend) emits 'error', which would crash the process unheard.
      let lost: unknown;
      const onError = (error: unknown) => {
        lost = error;
        broken = true;
      };
      client.on('error', onError);
      try {
        await client.query('BEGIN');
        const result = await fn(wrap(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        try {
          await client.query('ROLLBACK');
        } catch {
          broken = true;
        }
        // After a lost connection the driver only says "not queryable"; the loss itself is the cause.
        throw translate(lost ?? error);
      } finally {
        client.off('error', onError);
        if (broken) client.on('error', () => undefined); // late errors of a client being discarded
        client.release(broken);
      }
    },
    health: (timeoutMs?: number): Promise<ComponentHealth> => checkHealth('postgres', () => pool.query('SELECT 1'), timeoutMs),
    close: () => pool.end(),
    toString: () => `postgres ${redactUrl(options.url)}`,
  } as Database;
}
