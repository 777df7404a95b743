import type { Migration } from './index.js';

/**
 * The tables every service owns in its schema: the transactional outbox (also the embedded bus's
 * durable log) and the idempotency keys. `{{schema}}` is replaced by the quoted schema name.
 */
export function kitMigrations(): Migration[] {
  return [
    {
      version: 'kit:0001',
      name: 'outbox',
      sql: `CREATE TABLE {{schema}}.outbox (
  seq bigserial PRIMARY KEY,
  id uuid NOT NULL UNIQUE,
  topic text NOT NULL,
  payload jsonb NOT NULL,
  headers jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  published_at timestamptz,
  locked_until timestamptz,
  attempts integer NOT NULL DEFAULT 0,
  last_error text
);
CREATE INDEX outbox_unpublished ON {{schema}}.outbox (seq) WHERE published_at IS NULL;
CREATE INDEX outbox_published_at ON {{schema}}.outbox (published_at) WHERE published_at IS NOT NULL;`,
    },
    {
      version: 'kit:0002',
      name: 'idempotency_keys',
      sql: `CREATE TABLE {{schema}}.idempotency_keys (
  principal text NOT NULL,
  key text NOT NULL,
  request_hash text NOT NULL,
  status_code integer,
  response_headers jsonb,
  response_body bytea,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (principal, key)
);
CREATE INDEX idempotency_keys_expires_at ON {{schema}}.idempotency_keys (expires_at);`,
    },
    {
      // The writing transaction of each event: a reader by `seq` takes only rows whose transaction ended before every
      // transaction still running (`txid < pg_snapshot_xmin(pg_current_snapshot())`), so a lower `seq` committed late
      // is never skipped (see OUTBOX_SETTLED).
      version: 'kit:0003',
      name: 'outbox_txid',
      sql: `ALTER TABLE {{schema}}.outbox ADD COLUMN txid xid8 NOT NULL DEFAULT pg_current_xact_id();`,
    },
  ];
}
