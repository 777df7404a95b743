import { mkdirSync } from 'node:fs';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import type { ComponentHealth } from '@maximus/contracts';
import { lockDirectory, type DirLock } from '../lock/index.js';
import type { Database, Queryable, QueryResult } from './types.js';
import { checkHealth } from '../health/index.js';

export interface PgliteDatabaseOptions {
  /** Data directory; created (initdb) on first use. Omit for an in-memory database. */
  dataDir?: string;
  /** Take `<dataDir>.lock` against a second process (default true). */
  lock?: boolean;
}

function wrap(target: PGlite | Transaction): Queryable {
  return {
    async query<R>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
      const result = await target.query<R>(sql, params as unknown[] | undefined);
      return { rows: result.rows, rowCount: result.affectedRows ?? 0 };
    },
    async exec(sql: string) {
      await target.exec(sql);
    },
  };
}

/** PGlite: real PostgreSQL compiled to WebAssembly, in this process. Single connection: queries queue. */
export async function createPgliteDatabase(options: PgliteDatabaseOptions = {}): Promise<Database> {
  let lock: DirLock | undefined;
  if (options.dataDir) {
    if (options.lock !== false) lock = lockDirectory(options.dataDir);
    mkdirSync(options.dataDir, { recursive: true });
  }
  let pg: PGlite;
  try {
    pg = options.dataDir ? await PGlite.create(options.dataDir) : await PGlite.create();
  } catch (error) {
    lock?.release();
    throw error;
  }
  const base = wrap(pg);
  return {
    kind: 'pglite',
    query: base.query,
    exec: base.exec,
    transaction: (fn) => pg.transaction((tx) => fn(wrap(tx))),
    health: (timeoutMs?: number): Promise<ComponentHealth> => checkHealth('pglite', () => pg.query('SELECT 1'), timeoutMs),
    async close() {
      try {
        if (!pg.closed) await pg.close();
      } finally {
        lock?.release();
      }
    },
  };
}
