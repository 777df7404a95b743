-- Addresses (or CIDR blocks) denied on every route, written by the block_ip / unblock_ip governance executors.
CREATE TABLE {{schema}}.deny_list (
  address text PRIMARY KEY,
  reason text,
  decision_id text,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz
);

-- Stricter rate limits per principal (route_class '*': every class), written by the tighten_rate_limit executor.
CREATE TABLE {{schema}}.rate_limit_overrides (
  principal text NOT NULL,
  route_class text NOT NULL CHECK (route_class IN ('*', 'read', 'write', 'expensive')),
  "limit" integer NOT NULL CHECK ("limit" >= 0),
  window_seconds integer NOT NULL CHECK (window_seconds >= 1),
  decision_id text,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz,
  PRIMARY KEY (principal, route_class)
);

-- Execute-once tokens of the governance actions the gateway ran, with their results.
CREATE TABLE {{schema}}.governance_executions (
  token text PRIMARY KEY,
  decision_id text NOT NULL,
  action_type text NOT NULL,
  ok boolean,
  result jsonb,
  error text,
  executed_at timestamptz NOT NULL DEFAULT now()
);
