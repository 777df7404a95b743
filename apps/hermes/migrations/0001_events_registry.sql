-- The embedded bus's one ordered, resumable log: every event of every service (hermes subscribes `>`).
-- `seq` is the position a subscriber resumes from (Last-Event-ID). A dead letter keeps its event's id, so
-- (id, topic) is the key that makes a redelivered event a no-op.
CREATE TABLE {{schema}}.events (
  seq bigserial PRIMARY KEY,
  id text NOT NULL,
  topic text NOT NULL,
  payload jsonb NOT NULL,
  headers jsonb NOT NULL DEFAULT '{}'::jsonb,
  time timestamptz NOT NULL,
  logged_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (id, topic)
);
CREATE INDEX events_logged_at ON {{schema}}.events (logged_at);

-- Message ids seen by POST /events within the deduplication window, with the event they published.
CREATE TABLE {{schema}}.publish_dedup (
  message_id text PRIMARY KEY,
  event_id text NOT NULL,
  topic text NOT NULL,
  time timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX publish_dedup_created_at ON {{schema}}.publish_dedup (created_at);

-- The service registry. The kit's registry module (packages/kit/src/registry) writes these columns too:
-- they are a contract; change them only with it.
CREATE TABLE {{schema}}.services (
  instance_id text PRIMARY KEY,
  name text NOT NULL,
  url text NOT NULL,
  health_url text NOT NULL,
  ttl_seconds integer NOT NULL CHECK (ttl_seconds > 0),
  registered_at timestamptz NOT NULL DEFAULT now(),
  last_heartbeat_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);
CREATE INDEX services_name_expires ON {{schema}}.services (name, expires_at);
