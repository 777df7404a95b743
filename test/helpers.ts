import { cpSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import pg from 'pg';
import { createPgliteDatabase, createPostgresDatabase, type Database } from '@maximus/kit/db';
import { createLogger } from '@maximus/kit/logger';

/** The real servers CI provides; undefined on a fresh machine (those suites skip). */
export const TEST_DATABASE_URL = process.env.MAXIMUS_TEST_DATABASE_URL;
export const TEST_REDIS_URL = process.env.MAXIMUS_TEST_REDIS_URL;
export const TEST_NATS_URL = process.env.MAXIMUS_TEST_NATS_URL;

export const silentLog = createLogger({ level: 'silent' });

/** A directory of its own under the run's temporary root. */
export function tempDir(prefix = 'dir'): string {
  return mkdtempSync(join(inject('testRoot'), `${prefix}-`));
}

/** A PGlite data directory copied from the run's template (no initdb: opens in a few hundred ms). */
export function freshPgliteDir(): string {
  const dir = join(tempDir('pglite'), 'data');
  cpSync(inject('pgliteTemplate'), dir, { recursive: true });
  return dir;
}

export async function freshPglite(): Promise<Database> {
  return createPgliteDatabase({ dataDir: freshPgliteDir() });
}

/**
 * A new, empty PostgreSQL database on the test server (dropped by the returned `drop`), so that suites
 * never see each other's tables. Returns its URL.
 */
export async function freshPostgresUrl(): Promise<{ url: string; drop: () => Promise<void> }> {
  if (!TEST_DATABASE_URL) throw new Error('MAXIMUS_TEST_DATABASE_URL is not set');
  const name = `maximus_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export async function freshPostgres(): Promise<{ db: Database; url: string; drop: () => Promise<void> }> {
  const { url, drop } = await freshPostgresUrl();
  const db = createPostgresDatabase({ url });
  return {
    db,
    url,
    async drop() {
      await db.close();
      await drop();
    },
  };
}

/** A unique name for test isolation on shared servers (Redis key prefix, NATS stream). */
export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(5).toString('hex')}`;
}

/**
 * The value of the Prometheus sample `name` whose labels include `labels` (in any order), or undefined.
 * @example sample(text, 'maximus_errors_total', { code: 'KIT_ERR_INTERNAL_ERROR' })
 */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) return Number(match[3]);
  }
  return undefined;
}
