-- Fruits and virtues (docs/spiritual.md): what penelope's signal collector measured of the running platform and
-- the outcomes it heard on the bus. Kept here, not in memory, so that the windows survive restarts and every
-- replica computes the same scores.

-- One row: when the last sampling pass ran (claimed under an advisory lock: one replica per interval), and the
-- last ledger tree head whose signature and consistency verified (the next head must extend it).
CREATE TABLE {{schema}}.spiritual_collector (
  id smallint PRIMARY KEY CHECK (id = 1),
  last_pass_at timestamptz,
  trusted_tree_size bigint,
  trusted_root_hash text
);
INSERT INTO {{schema}}.spiritual_collector (id) VALUES (1);

-- Per pass and service: the counters of its /metrics (cumulative, as scraped) and their increase since the
-- service's previous sample (zero on its first sample).
CREATE TABLE {{schema}}.spiritual_metric_samples (
  id bigserial PRIMARY KEY,
  taken_at timestamptz NOT NULL,
  service text NOT NULL,
  cumulative jsonb NOT NULL,
  requests double precision NOT NULL,
  server_errors double precision NOT NULL,
  answered_429 double precision NOT NULL,
  within_slo double precision NOT NULL,
  slo_bucket_seconds double precision,
  errors double precision NOT NULL,
  rate_limited double precision NOT NULL,
  -- Counters went down since the previous sample: its process restarted (or another replica answered).
  counter_reset boolean NOT NULL,
  -- Process measures: from the service's own process metrics, or (embedded: one process for every service)
  -- penelope's measure of the process, on penelope's row. Null when neither exists.
  process_source text CHECK (process_source IN ('metrics', 'self')),
  cpu_seconds double precision,
  elapsed_seconds double precision,
  event_loop_lag_p99_seconds double precision
);
CREATE INDEX spiritual_metric_samples_time ON {{schema}}.spiritual_metric_samples (taken_at);
CREATE INDEX spiritual_metric_samples_service ON {{schema}}.spiritual_metric_samples (service, taken_at DESC);

-- Per pass and service: its GET /health.
CREATE TABLE {{schema}}.spiritual_health_probes (
  id bigserial PRIMARY KEY,
  taken_at timestamptz NOT NULL,
  service text NOT NULL,
  -- HTTP 200 (healthy or degraded).
  available boolean NOT NULL,
  -- healthy, degraded, down, unreachable, timeout.
  status text NOT NULL,
  latency_ms double precision NOT NULL,
  -- When the answering instance started (process_start_time_seconds, else now - uptime_seconds).
  started_at timestamptz,
  -- It started after every instance seen before: a restart (or a new replica).
  restarted boolean NOT NULL,
  error text
);
CREATE INDEX spiritual_health_probes_time ON {{schema}}.spiritual_health_probes (taken_at);
CREATE INDEX spiritual_health_probes_service ON {{schema}}.spiritual_health_probes (service, started_at);

-- Checks of EIKOS's ledger: tree head signatures, and consistency of each new head with the last trusted one.
CREATE TABLE {{schema}}.spiritual_ledger_checks (
  id bigserial PRIMARY KEY,
  checked_at timestamptz NOT NULL,
  kind text NOT NULL CHECK (kind IN ('signature', 'consistency')),
  from_size bigint,
  to_size bigint NOT NULL,
  from_root text,
  to_root text NOT NULL,
  passed boolean NOT NULL,
  problem text
);
CREATE INDEX spiritual_ledger_checks_time ON {{schema}}.spiritual_ledger_checks (checked_at);

-- Outcomes heard on the bus (governance decisions, healing patches, precedent searches, ESGT ignitions), one row
-- per event id (redeliveries change nothing), with the facts the scores read.
CREATE TABLE {{schema}}.spiritual_events (
  event_id text PRIMARY KEY,
  topic text NOT NULL,
  occurred_at timestamptz NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  -- The decision, patch or diagnosis the event is about.
  subject_id text,
  facts jsonb NOT NULL
);
CREATE INDEX spiritual_events_topic_time ON {{schema}}.spiritual_events (topic, occurred_at);
CREATE INDEX spiritual_events_subject ON {{schema}}.spiritual_events (subject_id);
