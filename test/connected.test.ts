import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { SERVICE_NAMES } from '@maximus/contracts';
import { runService, type RunningService } from '@maximus/kit/service';
import { runEmbedded, type RunningGateway } from '@maximus/gateway';
import { SERVICE_DEFINITIONS } from '@maximus/cli';
import { freshPostgresUrl, TEST_DATABASE_URL, TEST_NATS_URL, TEST_REDIS_URL, uniqueName } from './helpers.js';

const connected = Boolean(TEST_DATABASE_URL && TEST_REDIS_URL && TEST_NATS_URL);
if (!connected) console.log('notice: connected-mode end-to-end suite skipped (needs MAXIMUS_TEST_DATABASE_URL, _REDIS_URL and _NATS_URL)');

function connectedEnv(databaseUrl: string): Record<string, string> {
  const name = uniqueName('t');
  return {
    DATABASE_URL: databaseUrl,
    REDIS_URL: TEST_REDIS_URL!,
    NATS_URL: TEST_NATS_URL!,
    MAXIMUS_NATS_STREAM: name.toUpperCase(),
    MAXIMUS_NATS_SUBJECT_PREFIX: name,
    MAXIMUS_SECRET: 'the platform secret of this test',
    MAXIMUS_LOG_LEVEL: 'silent',
  };
}

describe.skipIf(!connected)('connected mode on the real PostgreSQL, Redis and NATS', () => {
  let database: { url: string; drop: () => Promise<void> };
  beforeAll(async () => {
    database = await freshPostgresUrl();
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('maximus serve <service> uses all three, and reports each component healthy', async () => {
    const core: RunningService = await runService(SERVICE_DEFINITIONS.core, { env: connectedEnv(database.url), port: 0 });
    try {
      const res = await fetch(`${core.url}/health`);
      const body = (await res.json()) as { status: string; mode: string; components: Record<string, { kind: string; status: string }> };
      expect(body.mode).toBe('connected');
      expect(body.components).toMatchObject({
        database: { kind: 'postgres', status: 'healthy' },
        cache: { kind: 'redis', status: 'healthy' },
        bus: { kind: 'nats', status: 'healthy' },
      });
      expect(body.status).toBe('healthy');
    } finally {
      await core.close();
    }
  });

  it('the whole platform in one process keeps one schema per service in PostgreSQL, and an outbox event reaches JetStream', async () => {
    const gateway: RunningGateway = await runEmbedded(
      SERVICE_NAMES.map((n) => SERVICE_DEFINITIONS[n]),
      { env: connectedEnv(database.url), port: 0 },
    );
    try {
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      const { rows } = await client.query<{ schema_name: string }>('SELECT schema_name FROM information_schema.schemata');
      await client.end();
      expect(rows.map((r) => r.schema_name)).toEqual(expect.arrayContaining([...SERVICE_NAMES]));
      const platform = gateway.platform;
      const seen: string[] = [];
      const sub = await platform.bus.subscribe('probe.>', async (event) => {
        seen.push(event.id);
        await Promise.resolve();
      }, { durable: 'probe' });
      const services = await fetch(`${gateway.url}/health`).then((r) => r.json() as Promise<{ status: string }>);
      expect(services.status).toBe('healthy');
      // A service's outbox, relayed after commit to JetStream and delivered to the subscriber.
      const { Outbox } = await import('@maximus/kit/outbox');
      const outbox = new Outbox({ db: platform.db, schema: 'hermes', bus: platform.bus, log: platform.log, pollMs: 50 });
      outbox.start();
      const id = await outbox.transaction((_tx, emit) => emit('probe.hello', { hi: 1 }));
      for (let i = 0; i < 100 && !seen.includes(id); i++) await new Promise((r) => setTimeout(r, 50));
      expect(seen).toContain(id);
      await outbox.stop();
      await sub.unsubscribe();
    } finally {
      await gateway.close();
    }
  });

  it('a database lost at run time makes the service down and unready (503), queries fail with KIT_ERR_DB_UNAVAILABLE; it recovers when the database returns', async () => {
    // A TCP relay of our own in front of the real server, so the test can cut the database without stopping it.
    const target = new URL(database.url);
    let sockets: Socket[] = [];
    let relay: Server | undefined;
    const open = (port: number) =>
      new Promise<void>((resolve) => {
        relay = createServer((client) => {
          const upstream = connect(Number(target.port || 5432), target.hostname);
          sockets.push(client, upstream);
          client.pipe(upstream).pipe(client);
          client.on('error', () => upstream.destroy());
          upstream.on('error', () => client.destroy());
        });
        relay.listen(port, '127.0.0.1', resolve);
      });
    const cut = () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        sockets = [];
        relay!.close(() => resolve());
      });
    await open(0);
    const port = (relay!.address() as { port: number }).port;
    const viaRelay = new URL(database.url);
    viaRelay.hostname = '127.0.0.1';
    viaRelay.port = String(port);
    const env = { ...connectedEnv(viaRelay.toString()), MAXIMUS_DB_ACQUIRE_TIMEOUT_MS: '500', MAXIMUS_HEALTH_TIMEOUT_MS: '800', MAXIMUS_HEALTH_CACHE_MS: '0' };
    const thoth = await runService(SERVICE_DEFINITIONS.thoth, { env, port: 0 });
    try {
      expect((await fetch(`${thoth.url}/ready`)).status).toBe(200);
      await cut();
      const ready = await fetch(`${thoth.url}/ready`);
      expect(ready.status).toBe(503);
      const health = await fetch(`${thoth.url}/health`);
      expect(health.status).toBe(503);
      expect(((await health.json()) as { status: string }).status).toBe('down');
      const failing = await thoth.platform.db.query('SELECT 1').catch((e: unknown) => e);
      expect(failing).toMatchObject({ code: 'KIT_ERR_DB_UNAVAILABLE', statusCode: 503 });
      await open(port);
      let back = 0;
      for (let i = 0; i < 50 && back !== 200; i++) {
        back = (await fetch(`${thoth.url}/ready`)).status;
        if (back !== 200) await new Promise((r) => setTimeout(r, 100));
      }
      expect(back).toBe(200);
    } finally {
      await thoth.close();
      relay?.close();
    }
  });
});
