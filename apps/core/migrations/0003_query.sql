-- One row per query: who asked, a digest and a short preview of the question (never the whole text: it may hold
-- code or secrets), the provider, the outcome, the confidence and the timings. The answer itself is not kept.
CREATE TABLE {{schema}}.queries (
  id uuid PRIMARY KEY,
  principal text NOT NULL,
  query_sha256 text NOT NULL,
  query_preview text NOT NULL,
  query_chars integer NOT NULL,
  provider text NOT NULL,
  model text,
  status text NOT NULL CHECK (status IN ('answered', 'failed')),
  error_code text,
  stop_reason text,
  confidence_score double precision,
  tool_calls integer NOT NULL DEFAULT 0,
  tool_failures integer NOT NULL DEFAULT 0,
  processing_ms double precision NOT NULL,
  stages jsonb NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE INDEX queries_recent ON {{schema}}.queries (created_at DESC);
CREATE INDEX queries_principal ON {{schema}}.queries (principal, created_at DESC);
