import type { ComponentHealth } from '@maximus/contracts';

export interface QueryResult<R> {
  rows: R[];
  /** Rows inserted, updated or deleted (0 for a plain SELECT on PGlite). */
  rowCount: number;
}

/** What a query runs on: the database itself, or a transaction. */
export interface Queryable {
  /** One statement with `$1…$n` parameters. */
  query: <R = Record<string, unknown>>(sql: string, params?: readonly unknown[]) => Promise<QueryResult<R>>;
  /** Several statements, no parameters (migrations). */
  exec: (sql: string) => Promise<void>;
}

/**
 * The database adapter: one interface, two implementations (PGlite embedded, PostgreSQL connected),
 * both speaking the same SQL. Schema-qualify every table (`core.decisions`): services share one database.
 */
export interface Database extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  /** Runs `fn` in a transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  health(timeoutMs?: number): Promise<ComponentHealth>;
  close(): Promise<void>;
}
