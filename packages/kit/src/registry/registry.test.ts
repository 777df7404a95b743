import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshPglite, silentLog } from '../../../../test/helpers.js';
import type { Database } from '../db/index.js';
import { startRegistration } from './index.js';

describe('service registration in hermes\'s table', () => {
  let db: Database;
  beforeAll(async () => {
    db = await freshPglite();
  });
  afterAll(async () => db?.close());

  it('does nothing, without failing, while the table is absent, and registers once it exists', async () => {
    const registration = startRegistration({ db, log: silentLog, name: 'core', url: 'in-process', healthUrl: '/core/health', heartbeatMs: 60_000 });
    expect(await registration.beat()).toBe(false);
    // The columns hermes's migration creates (the registry contract).
    await db.exec(`CREATE SCHEMA hermes; CREATE TABLE hermes.services (instance_id text PRIMARY KEY, name text NOT NULL, url text NOT NULL, health_url text NOT NULL,
      ttl_seconds integer NOT NULL, registered_at timestamptz NOT NULL DEFAULT now(), last_heartbeat_at timestamptz NOT NULL DEFAULT now(), expires_at timestamptz NOT NULL)`);
    expect(await registration.beat()).toBe(true);
    const { rows } = await db.query<{ name: string; ttl_seconds: number; live: boolean }>(
      'SELECT name, ttl_seconds, expires_at > now() + interval \'25 seconds\' AS live FROM hermes.services WHERE instance_id = $1',
      [registration.instanceId],
    );
    expect(rows).toEqual([{ name: 'core', ttl_seconds: 30, live: true }]);
    await registration.stop();
    expect((await db.query('SELECT 1 FROM hermes.services')).rows).toEqual([]);
  });
});
