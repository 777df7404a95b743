import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Logger } from 'pino';
import type { Database } from '../db/index.js';

export interface LeaderElectionOptions {
  db: Database;
  /** The PostgreSQL URL (connected mode): the lock lives on a connection of its own. */
  databaseUrl?: string | undefined;
  /** What is being led, e.g. `core:consciousness` (hashed into the advisory lock key). */
  key: string;
  /** How often a follower tries the lock and the leader checks its connection. @default 1000 */
  pollMs?: number;
  log: Logger;
  /** Called on every change of leadership, with the new state. */
  onChange?: (leader: boolean) => void;
}

export interface LeaderElection {
  /** This replica's id (`host:pid:random`). */
  readonly replica: string;
  isLeader(): boolean;
  start(): void;
  /** Stops polling and gives the lock up. */
  stop(): Promise<void>;
}

/**
 * One leader among replicas: a session-level PostgreSQL advisory lock (`pg_try_advisory_lock`) held on a dedicated
 * connection. When the leader's process dies its session ends and PostgreSQL releases the lock, so a follower takes
 * it at its next poll; a leader whose connection fails steps down at once. PGlite is single-process: its only
 * replica leads.
 * @example
 * const election = createLeaderElection({ db, databaseUrl: config.databaseUrl, key: 'core:consciousness', log, onChange: (l) => log.info({ leader: l }) });
 * election.start();
 */
export function createLeaderElection(options: LeaderElectionOptions): LeaderElection {
  const replica = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const pollMs = options.pollMs ?? 1000;
  let leader = false;
  let running = false;
  let timer: NodeJS.Timeout | undefined;
  let client: pg.Client | undefined;
  let pass: Promise<void> | undefined;
  const set = (value: boolean) => {
    if (value === leader) return;
    leader = value;
    options.log.info({ key: options.key, replica, leader: value }, value ? 'took the leader lock' : 'gave up the leader lock');
    options.onChange?.(value);
  };
  const drop = async () => {
    const c = client;
    client = undefined;
    if (c) await c.end().catch(() => undefined);
  };
  const poll = async () => {
    if (!options.databaseUrl) return;
    try {
      if (!client) {
        const c = new pg.Client({ connectionString: options.databaseUrl, application_name: `maximus-leader:${options.key}`, statement_timeout: 5000, query_timeout: 5000, keepAlive: true });
        c.on('error', (error) => {
          options.log.warn({ err: error, key: options.key }, 'leader connection lost');
          if (client === c) {
            client = undefined;
            set(false);
          }
        });
        await c.connect();
        client = c;
      }
      if (leader) {
        await client.query('SELECT 1');
      } else {
        const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS ok', [`maximus:leader:${options.key}`]);
        if (rows[0]?.ok) set(true);
      }
    } catch (error) {
      options.log.warn({ err: error, key: options.key }, 'leader election poll failed; will retry');
      set(false);
      await drop();
    }
  };
  const schedule = () => {
    if (!running) return;
    timer = setTimeout(() => {
      pass = poll().finally(() => {
        pass = undefined;
        schedule();
      });
    }, pollMs);
    timer.unref();
  };
  return {
    replica,
    isLeader: () => leader,
    start() {
      if (running) return;
      running = true;
      if (options.db.kind === 'pglite' || !options.databaseUrl) {
        set(true);
        return;
      }
      pass = poll().finally(() => {
        pass = undefined;
        schedule();
      });
    },
    async stop() {
      running = false;
      clearTimeout(timer);
      await pass;
      if (client && leader) await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [`maximus:leader:${options.key}`]).catch(() => undefined);
      set(false);
      await drop();
    },
  };
}
