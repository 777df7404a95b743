import { createHash } from 'node:crypto';
import type { ServiceInstance, ServiceRegisterParams } from '@maximus/contracts';
import type { Queryable } from '@maximus/kit/db';

interface Row {
  instance_id: string;
  name: string;
  url: string;
  health_url: string;
  ttl_seconds: number;
  registered_at: Date | string;
  last_heartbeat_at: Date | string;
  expires_at: Date | string;
}

const COLUMNS = 'instance_id, name, url, health_url, ttl_seconds, registered_at, last_heartbeat_at, expires_at';
const iso = (v: Date | string) => new Date(v).toISOString();
const toInstance = (r: Row): ServiceInstance => ({
  instance_id: r.instance_id,
  name: r.name,
  url: r.url,
  health_url: r.health_url,
  ttl_seconds: Number(r.ttl_seconds),
  registered_at: iso(r.registered_at),
  last_heartbeat_at: iso(r.last_heartbeat_at),
  expires_at: iso(r.expires_at),
});

/** The instance id of a registration that names none: stable for one name and URL, so re-registering heartbeats. */
export function derivedInstanceId(name: string, url: string): string {
  return `${name}-${createHash('sha256').update(`${name}\n${url}`).digest('hex').slice(0, 16)}`;
}

/** `hermes.services`: registrations that live until `expires_at` (each heartbeat moves it). */
export class RegistryStore {
  constructor(private readonly db: Queryable) {}

  async upsert(params: ServiceRegisterParams): Promise<ServiceInstance> {
    const id = params.instance_id ?? derivedInstanceId(params.name, params.url);
    const { rows } = await this.db.query<Row>(
      `INSERT INTO hermes.services (instance_id, name, url, health_url, ttl_seconds, expires_at)
       VALUES ($1, $2, $3, $4, $5, now() + ($5::int * interval '1 second'))
       ON CONFLICT (instance_id) DO UPDATE SET name = EXCLUDED.name, url = EXCLUDED.url, health_url = EXCLUDED.health_url,
         ttl_seconds = EXCLUDED.ttl_seconds, last_heartbeat_at = now(), expires_at = EXCLUDED.expires_at,
         registered_at = CASE WHEN hermes.services.expires_at < now() THEN now() ELSE hermes.services.registered_at END
       RETURNING ${COLUMNS}`,
      [id, params.name, params.url, params.health_url, params.ttl_seconds],
    );
    return toInstance(rows[0]!);
  }

  /** Unexpired instances, by name then id. */
  async list(name?: string): Promise<ServiceInstance[]> {
    const { rows } = await this.db.query<Row>(
      `SELECT ${COLUMNS} FROM hermes.services WHERE expires_at > now() AND ($1::text IS NULL OR name = $1) ORDER BY name, instance_id`,
      [name ?? null],
    );
    return rows.map(toInstance);
  }

  async remove(instanceId: string): Promise<ServiceInstance | undefined> {
    const { rows } = await this.db.query<Row>(`DELETE FROM hermes.services WHERE instance_id = $1 RETURNING ${COLUMNS}`, [instanceId]);
    return rows[0] ? toInstance(rows[0]) : undefined;
  }

  /** Deletes expired registrations. */
  async prune(): Promise<number> {
    const { rowCount } = await this.db.query('DELETE FROM hermes.services WHERE expires_at <= now()');
    return rowCount;
  }
}
