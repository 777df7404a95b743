import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { KitErrors } from '../errors/index.js';
import type { Database } from '../db/index.js';
import { kitMigrations } from './kit-migrations.js';

export interface Migration {
  /** Sorts the migrations; `kit:0001` for the kit's own, `0001` for a service's. */
  readonly version: string;
  readonly name: string;
  readonly sql: string;
}

export interface MigrationResult {
  readonly schema: string;
  readonly applied: readonly string[];
  readonly alreadyApplied: number;
}

const FILE = /^(\d{4})_([a-z0-9_]+)\.sql$/;

/** A quoted SQL identifier for a schema name (only `[a-z][a-z0-9_]*` is accepted). */
export function schemaIdent(schema: string): string {
  if (!/^[a-z][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`invalid schema name: ${schema}`);
  return `"${schema}"`;
}

/**
 * Reads `NNNN_name.sql` files from a directory, in order. `{{schema}}` in a file becomes the quoted
 * schema name, so that tests can run a service's migrations in a schema of their own.
 */
export function loadMigrations(dir: URL | string): Migration[] {
  const path = dir instanceof URL ? fileURLToPath(dir) : dir;
  if (!existsSync(path)) return [];
  return readdirSync(path)
    .filter((file) => FILE.test(file))
    .sort()
    .map((file) => {
      const [, version = '', name = ''] = FILE.exec(file) ?? [];
      return { version, name, sql: readFileSync(`${path}/${file}`, 'utf8') };
    });
}

export function checksum(sql: string): string {
  return createHash('sha256').update(sql.replace(/\r\n/g, '\n')).digest('hex');
}

/**
 * Applies the kit's migrations (outbox, idempotency keys) and then `migrations` to `schema`, each at most once.
 * Runs in one transaction under an advisory lock on the schema, so concurrent runners (replicas starting
 * together) serialise: the first applies, the others find everything applied.
 * @throws KIT_ERR_MIGRATION_CHECKSUM_MISMATCH when an applied migration's file changed.
 * @throws KIT_ERR_MIGRATION_UNKNOWN_VERSION when the database is ahead of this build.
 */
export async function runMigrations(db: Database, schema: string, migrations: readonly Migration[] = []): Promise<MigrationResult> {
  const ident = schemaIdent(schema);
  // The checksum is of the file as written (before `{{schema}}` is filled in), so it does not depend on the schema.
  const all = [...kitMigrations(), ...migrations].map((m) => ({ ...m, sum: checksum(m.sql), sql: m.sql.replaceAll('{{schema}}', ident) }));
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`maximus:migrations:${schema}`]);
    await tx.exec(`CREATE SCHEMA IF NOT EXISTS ${ident};
      CREATE TABLE IF NOT EXISTS ${ident}.schema_migrations (
        version text PRIMARY KEY,
        name text NOT NULL,
        checksum text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      );`);
    const { rows } = await tx.query<{ version: string; name: string; checksum: string }>(
      `SELECT version, name, checksum FROM ${ident}.schema_migrations ORDER BY version`,
    );
    const known = new Map(all.map((m) => [m.version, m]));
    for (const row of rows) {
      const migration = known.get(row.version);
      if (!migration) throw new KitErrors.MigrationUnknown(schema, `${row.version}_${row.name}`);
      const sum = migration.sum;
      if (sum !== row.checksum) {
        throw new KitErrors.MigrationChecksum(schema, `${row.version}_${row.name}`, row.checksum.slice(0, 12), sum.slice(0, 12));
      }
    }
    const done = new Set(rows.map((r) => r.version));
    const applied: string[] = [];
    for (const migration of all) {
      if (done.has(migration.version)) continue;
      await tx.exec(migration.sql);
      await tx.query(`INSERT INTO ${ident}.schema_migrations (version, name, checksum) VALUES ($1, $2, $3)`, [
        migration.version,
        migration.name,
        migration.sum,
      ]);
      applied.push(`${migration.version}_${migration.name}`);
    }
    return { schema, applied, alreadyApplied: done.size };
  });
}
