import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Database } from '../db/index.js';

/** What a service instance says about itself in hermes's registry. */
export interface RegistrationOptions {
  db: Database;
  log: Logger;
  /** The service's name (`core`, `penelope`, …). */
  name: string;
  /** Its base URL, or `in-process` when it is mounted in the embedded gateway. */
  url: string;
  /** Where its health is read (a URL, or the gateway path `/<name>/health` when in process). */
  healthUrl: string;
  /** Stable for this instance. @default `<name>@<hostname>:<pid>` */
  instanceId?: string;
  /** The registration lapses this long after the last heartbeat. @default 30 */
  ttlSeconds?: number;
  /** A heartbeat this often. @default 10000 */
  heartbeatMs?: number;
}

/** A running registration: heartbeats until `stop()`, which also deregisters. */
export interface Registration {
  readonly instanceId: string;
  /** One heartbeat now. Resolves false when hermes's table is absent (a database hermes does not share). */
  beat(): Promise<boolean>;
  stop(): Promise<void>;
}

const UNDEFINED_TABLE = '42P01';
const INVALID_SCHEMA = '3F000';

function missingTable(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return code === UNDEFINED_TABLE || code === INVALID_SCHEMA || /relation "hermes\.services" does not exist|schema "hermes" does not exist/.test(String((error as Error)?.message));
}

/**
 * Registers a service instance in hermes's registry (`hermes.services`) by writing the row directly through
 * the shared database, and heartbeats it until stopped. Services cannot call hermes (apps never import each
 * other, and hermes may start after them), and the database is the one thing every service shares in both
 * run modes. The table is hermes's (its migration creates it): when it is absent — hermes not migrated yet,
 * or a service alone on its own PGlite directory — a heartbeat does nothing and the next one tries again, so
 * registration never keeps a service from starting.
 * @example
 * const registration = startRegistration({ db, log, name: 'core', url: 'in-process', healthUrl: '/core/health' });
 * // … at shutdown
 * await registration.stop();
 */
export function startRegistration(options: RegistrationOptions): Registration {
  const instanceId = options.instanceId ?? `${options.name}@${hostname()}:${process.pid}`;
  const ttl = options.ttlSeconds ?? 30;
  const log = options.log.child({ component: 'registry', instance_id: instanceId });
  let absentLogged = false;
  let stopped = false;
  let inFlight: Promise<boolean> | undefined;

  async function write(): Promise<boolean> {
    try {
      await options.db.query(
        `INSERT INTO hermes.services (instance_id, name, url, health_url, ttl_seconds, expires_at)
         VALUES ($1, $2, $3, $4, $5, now() + ($5::int * interval '1 second'))
         ON CONFLICT (instance_id) DO UPDATE SET name = EXCLUDED.name, url = EXCLUDED.url, health_url = EXCLUDED.health_url,
           ttl_seconds = EXCLUDED.ttl_seconds, last_heartbeat_at = now(), expires_at = EXCLUDED.expires_at`,
        [instanceId, options.name, options.url, options.healthUrl, ttl],
      );
      return true;
    } catch (error) {
      if (missingTable(error)) {
        if (!absentLogged) log.debug('hermes registry table absent; registration skipped until it exists');
        absentLogged = true;
      } else {
        log.warn({ err: error }, 'service registration heartbeat failed; will retry');
      }
      return false;
    }
  }

  const beat = () => {
    inFlight ??= write().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };

  void beat();
  const timer = setInterval(() => void beat(), options.heartbeatMs ?? 10_000);
  timer.unref();

  return {
    instanceId,
    beat,
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      await inFlight;
      try {
        await options.db.query('DELETE FROM hermes.services WHERE instance_id = $1', [instanceId]);
      } catch (error) {
        if (!missingTable(error)) log.warn({ err: error }, 'could not deregister the service; its entry expires after its TTL');
      }
    },
  };
}
