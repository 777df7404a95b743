import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freshPglite, silentLog, tempDir } from '../../../../test/helpers.js';
import { createNatsBus, type Bus } from '../bus/index.js';
import type { Database } from '../db/index.js';
import { runMigrations } from '../migrations/index.js';
import { Outbox } from './index.js';

const NATS_SERVER = findBinary('nats-server');

describe.skipIf(!NATS_SERVER)('outbox relaying to NATS JetStream through an outage', () => {
  let server: NatsServer | undefined;
  let bus: Bus | undefined;
  let db: Database | undefined;
  let outbox: Outbox | undefined;

  afterAll(async () => {
    await outbox?.stop();
    await bus?.close();
    await db?.close();
    await server?.stop();
  });

  it('keeps the events emitted while NATS is down and delivers all of them, once each, when it is back', async () => {
    const port = await freePort();
    const storeDir = tempDir('nats');
    server = await startNats(port, storeDir);
    bus = await createNatsBus({ url: `nats://127.0.0.1:${port}`, stream: 'OUTBOX_TEST', subjectPrefix: 'ob', ackWaitMs: 3000, log: silentLog });
    await waitFor(async () => (await bus!.health()).status === 'healthy', 10_000, 'the bus is healthy');
    db = await freshPglite();
    await runMigrations(db, 'svc');
    const box = new Outbox({ db, schema: 'svc', bus, log: silentLog, pollMs: 50 });
    outbox = box;
    box.start();

    const deliveries = new Map<string, number>();
    const payloads = new Map<string, unknown>();
    await bus.subscribe(
      'test.evt',
      (event) => {
        deliveries.set(event.id, (deliveries.get(event.id) ?? 0) + 1);
        payloads.set(event.id, event.payload);
        return Promise.resolve();
      },
      { durable: 'outbox_consumer' },
    );

    const ids: string[] = [];
    const emitOne = async (n: number) => ids.push(await box.transaction(async (_tx, emit) => emit('test.evt', { n })));
    const firstBatch = (async () => {
      for (let n = 0; n < 50; n++) {
        await emitOne(n);
        await sleep(15);
      }
    })();

    await waitFor(() => deliveries.size >= 20, 10_000, '20 events arrive');
    await server.stop();
    await firstBatch;
    for (let n = 50; n < 100; n++) await emitOne(n);
    await sleep(300);
    expect(await box.backlog()).toBeGreaterThan(0);
    expect(deliveries.size).toBeLessThan(100);

    server = await startNats(port, storeDir);
    await waitFor(() => deliveries.size >= 100, 20_000, 'all 100 events arrive');
    await waitFor(async () => (await box.backlog()) === 0, 5000, 'the backlog drains');

    expect([...deliveries.keys()].sort()).toEqual([...ids].sort());
    const ns = [...payloads.values()].map((p) => (p as { n: number }).n).sort((a, b) => a - b);
    expect(ns).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await sleep(25);
  }
}

function findBinary(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), '/usr/sbin', '/usr/local/sbin'];
  return dirs.map((dir) => join(dir, name)).find((path) => existsSync(path));
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const address = srv.address();
  await new Promise((resolve) => srv.close(resolve));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

interface NatsServer {
  stop(): Promise<void>;
}

/** A nats-server of this test's own; resolves once it accepts clients. */
async function startNats(port: number, storeDir: string): Promise<NatsServer> {
  const child: ChildProcess = spawn(NATS_SERVER!, ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', storeDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`nats-server did not start:\n${output}`));
    }, 10_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Server is ready')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`nats-server exited (${code}):\n${output}`));
    });
  });
  return {
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(killer);
    },
  };
}
