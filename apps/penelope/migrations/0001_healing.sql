-- PENELOPE healing: every case (diagnosis, patches, verification, decision, outcome, durations).

CREATE TABLE {{schema}}.diagnoses (
  id uuid PRIMARY KEY,
  language text NOT NULL CHECK (language IN ('python', 'typescript', 'javascript')),
  focus text NOT NULL,
  -- [{path, content, sha256, lines}]: the code as it was diagnosed (patches and precedents need it)
  files jsonb NOT NULL,
  tests jsonb NOT NULL DEFAULT '[]',
  issues jsonb NOT NULL,
  rules text[] NOT NULL,
  file_names text[] NOT NULL,
  errors integer NOT NULL,
  warnings integer NOT NULL,
  infos integer NOT NULL,
  total_issues integer NOT NULL,
  fixable_issues integer NOT NULL,
  analysers jsonb NOT NULL,
  queue_ms double precision NOT NULL,
  analysis_ms double precision NOT NULL,
  total_ms double precision NOT NULL,
  -- bottom-k sketch of AST node-kind shingles (the code shape); null until computed
  shape bigint[],
  patches_status text NOT NULL CHECK (patches_status IN ('pending', 'ready', 'none', 'failed')),
  patches_error text,
  patches_ms double precision,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX diagnoses_history ON {{schema}}.diagnoses (created_at DESC, id DESC);
CREATE INDEX diagnoses_language ON {{schema}}.diagnoses (language, created_at DESC);
CREATE INDEX diagnoses_rules ON {{schema}}.diagnoses USING gin (rules);

CREATE TABLE {{schema}}.healing_patches (
  id uuid PRIMARY KEY,
  diagnosis_id uuid NOT NULL REFERENCES {{schema}}.diagnoses (id),
  origin text NOT NULL CHECK (origin IN ('analyser', 'model')),
  title text NOT NULL,
  rules text[] NOT NULL,
  files text[] NOT NULL,
  safety_class text NOT NULL CHECK (safety_class IN ('safe', 'unsafe', 'suggestion-only')),
  diff text NOT NULL,
  -- [{path, content}] of every file the patch changes
  final_content jsonb NOT NULL,
  confidence double precision NOT NULL,
  mansidao_score double precision NOT NULL,
  lines_changed integer NOT NULL,
  functions_modified integer NOT NULL,
  functions text[] NOT NULL,
  reversibility double precision NOT NULL,
  breaking_change boolean NOT NULL,
  breaking_changes jsonb NOT NULL,
  within_limits boolean NOT NULL,
  requires_human_review boolean NOT NULL,
  verified boolean NOT NULL,
  verification_rejected boolean NOT NULL,
  verification jsonb NOT NULL,
  verification_ms double precision NOT NULL,
  status text NOT NULL CHECK (status IN ('proposed', 'apply_requested', 'scheduled', 'applied', 'failed', 'rejected')),
  decision_id uuid,
  workspace text,
  requested_by text,
  scheduled_for timestamptz,
  applied_at timestamptz,
  apply_result jsonb,
  error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX healing_patches_diagnosis ON {{schema}}.healing_patches (diagnosis_id);
CREATE INDEX healing_patches_status ON {{schema}}.healing_patches (status);
CREATE INDEX healing_patches_decision ON {{schema}}.healing_patches (decision_id) WHERE decision_id IS NOT NULL;
CREATE INDEX healing_patches_scheduled ON {{schema}}.healing_patches (scheduled_for) WHERE status = 'scheduled';

-- The execute-once record of `governance.execute.apply_patch` (one row per execute token).
CREATE TABLE {{schema}}.patch_executions (
  token uuid PRIMARY KEY,
  decision_id uuid NOT NULL,
  patch_id text NOT NULL,
  ok boolean,
  result jsonb,
  error text,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Every precedent search, with what it found.
CREATE TABLE {{schema}}.precedent_searches (
  id bigserial PRIMARY KEY,
  diagnosis_id uuid NOT NULL REFERENCES {{schema}}.diagnoses (id),
  found integer NOT NULL,
  best_similarity double precision,
  searched_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
