CREATE TABLE {{schema}}.governance_decisions (
  id uuid PRIMARY KEY,
  action_type text NOT NULL,
  params jsonb NOT NULL,
  reasoning text NOT NULL,
  confidence double precision NOT NULL,
  risk_factors jsonb NOT NULL,
  risk_score double precision NOT NULL,
  risk_level text NOT NULL CHECK (risk_level IN ('LOW', 'MEDIUM', 'HIGH', 'CRITICAL')),
  automation_level text NOT NULL CHECK (automation_level IN ('FULL', 'SUPERVISED', 'ADVISORY', 'MANUAL')),
  automation_rule text NOT NULL,
  status text NOT NULL CHECK (status IN ('pending', 'approved', 'executing', 'executed', 'failed', 'rejected', 'cancelled', 'expired')),
  tier text NOT NULL CHECK (tier IN ('operator', 'admin')),
  proposed_by text NOT NULL,
  on_behalf_of text,
  approvals_required integer NOT NULL,
  escalations integer NOT NULL DEFAULT 0,
  auto_escalated boolean NOT NULL DEFAULT false,
  deadline_at timestamptz NOT NULL,
  auto_execute_at timestamptz,
  execute_token uuid,
  execute_started_at timestamptz,
  result jsonb,
  error text,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX governance_decisions_list ON {{schema}}.governance_decisions (created_at DESC, id DESC);
CREATE INDEX governance_decisions_pending ON {{schema}}.governance_decisions (deadline_at) WHERE status = 'pending';

CREATE TABLE {{schema}}.governance_transitions (
  id uuid PRIMARY KEY,
  decision_id uuid NOT NULL REFERENCES {{schema}}.governance_decisions (id),
  seq bigserial NOT NULL,
  kind text NOT NULL,
  from_status text,
  to_status text NOT NULL,
  actor text NOT NULL,
  reason text,
  details jsonb,
  at timestamptz NOT NULL
);
CREATE INDEX governance_transitions_decision ON {{schema}}.governance_transitions (decision_id, seq);

CREATE TABLE {{schema}}.governance_approvals (
  decision_id uuid NOT NULL REFERENCES {{schema}}.governance_decisions (id),
  principal_id text NOT NULL,
  role text NOT NULL,
  comment text,
  at timestamptz NOT NULL,
  PRIMARY KEY (decision_id, principal_id)
);

-- Execute-once tokens of the actions core runs itself (emergency_shutdown).
CREATE TABLE {{schema}}.governance_executions (
  token uuid PRIMARY KEY,
  decision_id uuid NOT NULL,
  action_type text NOT NULL,
  ok boolean NOT NULL,
  result jsonb,
  error text,
  executed_at timestamptz NOT NULL DEFAULT now()
);

-- The kill switch: one row, shared by every replica.
CREATE TABLE {{schema}}.safety_state (
  id boolean PRIMARY KEY DEFAULT true CHECK (id),
  shut_down boolean NOT NULL DEFAULT false,
  since timestamptz,
  reason text,
  decision_id uuid,
  updated_by text,
  updated_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO {{schema}}.safety_state (id) VALUES (true);
