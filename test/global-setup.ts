import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { TestProject } from 'vitest/node';

/**
 * PGlite's first start runs initdb (seconds). Do it once per run into a template directory; each test
 * copies it (`freshPglite()` in test/helpers.ts) and opens it warm in a fraction of that.
 */
export default async function setup(project: TestProject) {
  const root = mkdtempSync(join(tmpdir(), 'maximus-test-'));
  const template = join(root, 'pglite-template');
  const db = await PGlite.create(template);
  await db.query('SELECT 1');
  await db.close();
  project.provide('pgliteTemplate', template);
  project.provide('testRoot', root);
  for (const name of ['MAXIMUS_TEST_DATABASE_URL', 'MAXIMUS_TEST_REDIS_URL', 'MAXIMUS_TEST_NATS_URL']) {
    if (!process.env[name]) console.log(`notice: ${name} is not set; the connected-mode suites that need it are skipped`);
  }
  return () => rmSync(root, { recursive: true, force: true });
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string;
    testRoot: string;
  }
}
