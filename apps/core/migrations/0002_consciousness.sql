-- The consciousness model's shared state: every replica reads it; the leader (advisory lock) writes the loops' part.

-- One row: arousal as the leader last integrated it, and who leads.
CREATE TABLE {{schema}}.consciousness_state (
  id boolean PRIMARY KEY DEFAULT true CHECK (id),
  fabric jsonb,
  arousal double precision NOT NULL DEFAULT 0.6,
  stress double precision NOT NULL DEFAULT 0,
  arousal_detail jsonb,
  leader text,
  leader_since timestamptz,
  heartbeat_at timestamptz,
  graph_changed_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO {{schema}}.consciousness_state (id) VALUES (true);

-- TIG node health: a load (stored with the time it was stored at; it decays from there) and a state.
CREATE TABLE {{schema}}.tig_nodes (
  id integer PRIMARY KEY,
  state text NOT NULL CHECK (state IN ('active', 'degraded', 'offline')),
  load double precision NOT NULL DEFAULT 0,
  load_at timestamptz NOT NULL,
  state_since timestamptz NOT NULL,
  reason text
);

-- Modulations of arousal (any replica writes them; the leader's loop applies them).
CREATE TABLE {{schema}}.arousal_modulations (
  id uuid PRIMARY KEY,
  delta double precision NOT NULL,
  duration_seconds double precision NOT NULL,
  source text NOT NULL,
  created_by text NOT NULL,
  starts_at timestamptz NOT NULL,
  ends_at timestamptz NOT NULL
);
CREATE INDEX arousal_modulations_ends ON {{schema}}.arousal_modulations (ends_at);

-- Each replica's measured request signals over its window (the leader sums the fresh ones).
CREATE TABLE {{schema}}.consciousness_signals (
  replica text PRIMARY KEY,
  requests bigint NOT NULL,
  errors bigint NOT NULL,
  buckets jsonb NOT NULL,
  window_seconds double precision NOT NULL,
  updated_at timestamptz NOT NULL
);

-- The ignition gate: one row, locked FOR UPDATE by every attempt, so ignitions are one at a time across replicas.
CREATE TABLE {{schema}}.esgt_gate (
  id boolean PRIMARY KEY DEFAULT true CHECK (id),
  active_id uuid,
  active_nodes integer[],
  active_since timestamptz,
  active_replica text,
  last_end_at timestamptz,
  runs bigint NOT NULL DEFAULT 0
);
INSERT INTO {{schema}}.esgt_gate (id) VALUES (true);

CREATE TABLE {{schema}}.esgt_events (
  id uuid PRIMARY KEY,
  outcome text NOT NULL CHECK (outcome IN ('success', 'blocked', 'failed')),
  gate text,
  reason text NOT NULL,
  salience double precision NOT NULL,
  stimulus jsonb NOT NULL,
  threshold double precision NOT NULL,
  gates jsonb NOT NULL,
  arousal_before double precision NOT NULL,
  arousal_after double precision,
  nodes integer[] NOT NULL DEFAULT '{}',
  coherence jsonb,
  phases jsonb NOT NULL DEFAULT '[]'::jsonb,
  seed bigint,
  simulated_ms double precision,
  wall_ms double precision,
  context jsonb,
  triggered_by text NOT NULL,
  replica text NOT NULL,
  started_at timestamptz NOT NULL,
  finished_at timestamptz NOT NULL
);
CREATE INDEX esgt_events_list ON {{schema}}.esgt_events (started_at DESC, id DESC);
CREATE INDEX esgt_events_runs ON {{schema}}.esgt_events (started_at) WHERE outcome <> 'blocked';

CREATE TABLE {{schema}}.consciousness_snapshots (
  id bigserial PRIMARY KEY,
  taken_at timestamptz NOT NULL,
  replica text NOT NULL,
  arousal double precision NOT NULL,
  level text NOT NULL,
  state jsonb NOT NULL
);
CREATE INDEX consciousness_snapshots_taken ON {{schema}}.consciousness_snapshots (taken_at DESC);

CREATE TABLE {{schema}}.safety_violations (
  id uuid PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('arousal_saturated', 'arousal_oscillating', 'ignition_storm')),
  detail text NOT NULL,
  value double precision NOT NULL,
  threshold double precision NOT NULL,
  started_at timestamptz NOT NULL,
  ended_at timestamptz
);
CREATE INDEX safety_violations_recent ON {{schema}}.safety_violations (started_at DESC);
CREATE UNIQUE INDEX safety_violations_one_active ON {{schema}}.safety_violations (kind) WHERE ended_at IS NULL;
