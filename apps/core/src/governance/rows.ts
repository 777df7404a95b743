import type { Approval, Decision, DecisionStatus, RiskFactors, RiskLevel, AutomationLevel, DecisionTier, Transition, TransitionKind } from '@maximus/contracts';

export const DECISIONS = 'core.governance_decisions';
export const TRANSITIONS = 'core.governance_transitions';
export const APPROVALS = 'core.governance_approvals';

/** A `core.governance_decisions` row as the drivers return it. */
export interface DecisionRow {
  id: string;
  action_type: string;
  params: Record<string, unknown>;
  reasoning: string;
  confidence: number;
  risk_factors: RiskFactors;
  risk_score: number;
  risk_level: RiskLevel;
  automation_level: AutomationLevel;
  automation_rule: string;
  status: DecisionStatus;
  tier: DecisionTier;
  proposed_by: string;
  on_behalf_of: string | null;
  approvals_required: number;
  escalations: number;
  auto_escalated: boolean;
  deadline_at: Date | string;
  auto_execute_at: Date | string | null;
  execute_token: string | null;
  execute_started_at: Date | string | null;
  result: unknown;
  error: string | null;
  created_at: Date | string;
  updated_at: Date | string;
  /** Joined by the queries that need it. */
  approvals_received?: number | string;
}

export interface TransitionRow {
  id: string;
  decision_id: string;
  kind: TransitionKind;
  from_status: DecisionStatus | null;
  to_status: DecisionStatus;
  actor: string;
  reason: string | null;
  details: unknown;
  at: Date | string;
}

export interface ApprovalRow {
  principal_id: string;
  role: string;
  comment: string | null;
  at: Date | string;
}

export const iso = (t: Date | string) => new Date(t).toISOString();

/** Selects a decision with its approval count. */
export const SELECT_DECISION = `SELECT d.*, (SELECT count(*) FROM ${APPROVALS} a WHERE a.decision_id = d.id) AS approvals_received FROM ${DECISIONS} d`;

export function toDecision(row: DecisionRow): Decision {
  return {
    id: row.id,
    action_type: row.action_type,
    params: row.params,
    reasoning: row.reasoning,
    confidence: Number(row.confidence),
    risk_factors: row.risk_factors,
    risk_score: Number(row.risk_score),
    risk_level: row.risk_level,
    automation_level: row.automation_level,
    automation_rule: row.automation_rule,
    status: row.status,
    tier: row.tier,
    proposed_by: row.proposed_by,
    on_behalf_of: row.on_behalf_of,
    approvals_required: row.approvals_required,
    approvals_received: Number(row.approvals_received ?? 0),
    escalations: row.escalations,
    deadline_at: iso(row.deadline_at),
    auto_execute_at: row.auto_execute_at ? iso(row.auto_execute_at) : null,
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
    result: row.result ?? null,
    error: row.error,
  };
}

export function toTransition(row: TransitionRow): Transition {
  return { ...row, reason: row.reason, details: row.details ?? null, at: iso(row.at) };
}

export function toApproval(row: ApprovalRow): Approval {
  return { principal_id: row.principal_id, role: row.role, comment: row.comment, at: iso(row.at) };
}
