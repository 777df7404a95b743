const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The opaque cursor of a keyset page ordered by (time, uuid) descending: base64url of `[ISO time, id]`.
 * @example const next = encodeKeysetCursor(last.created_at, last.id);
 */
export function encodeKeysetCursor(at: Date | string, id: string): string {
  return Buffer.from(JSON.stringify([new Date(at).toISOString(), id])).toString('base64url');
}

/**
 * `[ISO time, uuid]` of a cursor made by {@link encodeKeysetCursor}; undefined when it is not one (the caller answers
 * its own coded 400).
 */
export function decodeKeysetCursor(cursor: string): [string, string] | undefined {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(value) && typeof value[0] === 'string' && !Number.isNaN(Date.parse(value[0])) && typeof value[1] === 'string' && UUID.test(value[1])) {
      return [value[0], value[1]];
    }
  } catch {
    // not a cursor of ours
  }
  return undefined;
}

/**
 * A WHERE clause built from optional filters: `add('d.status = ?', value)` numbers each `?` as the next parameter.
 * @example
 * const w = sqlFilters();
 * if (query.status) w.add('status = ?', query.status);
 * const sql = `SELECT … ${w.where.length ? `WHERE ${w.where.join(' AND ')}` : ''}`; // with w.params
 */
export function sqlFilters(): SqlFilters {
  const where: string[] = [];
  const params: unknown[] = [];
  return {
    where,
    params,
    add(sql, value) {
      params.push(value);
      where.push(sql.replaceAll('?', `$${params.length}`));
    },
    before(columns, [at, id]) {
      params.push(at, id);
      where.push(`(${columns}) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
    },
    clause() {
      return where.length ? `WHERE ${where.join(' AND ')}` : '';
    },
  };
}

export interface SqlFilters {
  readonly where: string[];
  readonly params: unknown[];
  /** Adds a condition; each `?` in it is the value. */
  add(this: void, sql: string, value: unknown): void;
  /** Keyset paging: rows after the cursor's position, for `columns` = `'<time column>, <uuid column>'` ordered descending. */
  before(this: void, columns: string, position: [string, string]): void;
  /** `WHERE …` of the conditions, or '' when there is none. */
  clause(this: void): string;
}
