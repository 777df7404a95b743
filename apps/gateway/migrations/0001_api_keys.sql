CREATE TABLE {{schema}}.api_keys (
  id text PRIMARY KEY,
  name text NOT NULL,
  role text NOT NULL CHECK (role IN ('admin', 'operator', 'readonly')),
  -- SHA-256 of the whole key: keys are 256-bit random, so a fast digest is safe and keeps the hot path cheap.
  digest bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text,
  last_used_at timestamptz,
  revoked_at timestamptz
);
