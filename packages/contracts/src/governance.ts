import Type from 'typebox';
import { SafetyViolation } from './consciousness.js';

/** Risk levels, from the weighted risk score: LOW < 0.30 ≤ MEDIUM < 0.50 ≤ HIGH < 0.75 ≤ CRITICAL. */
export const RiskLevel = Type.Union([Type.Literal('LOW'), Type.Literal('MEDIUM'), Type.Literal('HIGH'), Type.Literal('CRITICAL')]);
export type RiskLevel = Type.Static<typeof RiskLevel>;

/** How much a human is involved: FULL executes at once; the others wait for a decision. */
export const AutomationLevel = Type.Union([Type.Literal('FULL'), Type.Literal('SUPERVISED'), Type.Literal('ADVISORY'), Type.Literal('MANUAL')]);
export type AutomationLevel = Type.Static<typeof AutomationLevel>;

/** `pending` → `approved` → `executing` → `executed | failed`; `pending` → `rejected | cancelled | expired`. */
export const DecisionStatus = Type.Union([
  Type.Literal('pending'),
  Type.Literal('approved'),
  Type.Literal('executing'),
  Type.Literal('executed'),
  Type.Literal('failed'),
  Type.Literal('rejected'),
  Type.Literal('cancelled'),
  Type.Literal('expired'),
]);
export type DecisionStatus = Type.Static<typeof DecisionStatus>;

/** Who may decide a pending decision: operators (LOW/MEDIUM) or admins only (HIGH/CRITICAL, or after an escalation). */
export const DecisionTier = Type.Union([Type.Literal('operator'), Type.Literal('admin')]);
export type DecisionTier = Type.Static<typeof DecisionTier>;

const unit = Type.Number({ minimum: 0, maximum: 1 });

/** The six risk factors, each in [0, 1]; the service weighs them into one score. */
export const RiskFactors = Type.Object({ threat: unit, asset: unit, business: unit, action: unit, compliance: unit, environment: unit }, { additionalProperties: false });
export type RiskFactors = Type.Static<typeof RiskFactors>;

export const ActionParams = Type.Record(Type.String(), Type.Unknown());
export type ActionParams = Type.Static<typeof ActionParams>;

export const DecisionCreateParams = Type.Object(
  {
    action_type: Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z][a-z0-9_]*$' }),
    params: ActionParams,
    reasoning: Type.String({ minLength: 1, maxLength: 10_000 }),
    confidence: unit,
    risk_factors: RiskFactors,
    /** The user the proposal is made for (a service proposing for a person); they cannot count toward a HIGH/CRITICAL quorum. */
    on_behalf_of: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  },
  { additionalProperties: false },
);
export type DecisionCreateParams = Type.Static<typeof DecisionCreateParams>;

const time = Type.String({ format: 'date-time' });
const nullableTime = Type.Union([time, Type.Null()]);

export const Decision = Type.Object({
  id: Type.String(),
  action_type: Type.String(),
  params: ActionParams,
  reasoning: Type.String(),
  confidence: Type.Number(),
  risk_factors: RiskFactors,
  risk_score: Type.Number(),
  risk_level: RiskLevel,
  automation_level: AutomationLevel,
  /** Why this automation level (e.g. `HIGH risk → SUPERVISED`, `action minimum SUPERVISED`). */
  automation_rule: Type.String(),
  status: DecisionStatus,
  tier: DecisionTier,
  proposed_by: Type.String(),
  on_behalf_of: Type.Union([Type.String(), Type.Null()]),
  approvals_required: Type.Integer(),
  approvals_received: Type.Integer(),
  escalations: Type.Integer(),
  /** When a pending decision escalates (the first time) or expires (after). */
  deadline_at: time,
  /** Kill switch: when it executes unless vetoed. */
  auto_execute_at: nullableTime,
  created_at: time,
  updated_at: time,
  result: Type.Unknown(),
  error: Type.Union([Type.String(), Type.Null()]),
});
export type Decision = Type.Static<typeof Decision>;

export const TransitionKind = Type.Union([
  Type.Literal('created'),
  Type.Literal('vote'),
  Type.Literal('approved'),
  Type.Literal('executing'),
  Type.Literal('executed'),
  Type.Literal('failed'),
  Type.Literal('rejected'),
  Type.Literal('cancelled'),
  Type.Literal('escalated'),
  Type.Literal('expired'),
]);
export type TransitionKind = Type.Static<typeof TransitionKind>;

export const Transition = Type.Object({
  id: Type.String(),
  decision_id: Type.String(),
  kind: TransitionKind,
  from_status: Type.Union([DecisionStatus, Type.Null()]),
  to_status: DecisionStatus,
  /** A principal id, or `system` (FULL automation, SLA loop, kill-switch window). */
  actor: Type.String(),
  reason: Type.Union([Type.String(), Type.Null()]),
  /** e.g. the params diff of an edited approval, the rule of a system approval, an executor's result. */
  details: Type.Unknown(),
  at: time,
});
export type Transition = Type.Static<typeof Transition>;

export const Approval = Type.Object({
  principal_id: Type.String(),
  role: Type.String(),
  comment: Type.Union([Type.String(), Type.Null()]),
  at: time,
});
export type Approval = Type.Static<typeof Approval>;

export const DecisionDetail = Type.Intersect([Decision, Type.Object({ transitions: Type.Array(Transition), approvals: Type.Array(Approval) })]);
export type DecisionDetail = Type.Static<typeof DecisionDetail>;

export const DecisionListQuery = Type.Object(
  {
    status: Type.Optional(DecisionStatus),
    risk_level: Type.Optional(RiskLevel),
    action_type: Type.Optional(Type.String({ maxLength: 64 })),
    since: Type.Optional(time),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  },
  { additionalProperties: false },
);
export type DecisionListQuery = Type.Static<typeof DecisionListQuery>;

/** Newest first; pass `next_cursor` back as `cursor` for the next page (null: no more). */
export const DecisionList = Type.Object({ data: Type.Array(Decision), next_cursor: Type.Union([Type.String(), Type.Null()]) });
export type DecisionList = Type.Static<typeof DecisionList>;

export const DecisionApproveParams = Type.Object(
  {
    comment: Type.Optional(Type.String({ maxLength: 2000 })),
    /** Edited params: diffed against the proposal, recorded, and validated again. */
    params: Type.Optional(ActionParams),
  },
  { additionalProperties: false },
);
export type DecisionApproveParams = Type.Static<typeof DecisionApproveParams>;

export const DecisionReasonParams = Type.Object({ reason: Type.String({ minLength: 1, maxLength: 2000 }) }, { additionalProperties: false });
export type DecisionRejectParams = Type.Static<typeof DecisionReasonParams>;
export type DecisionEscalateParams = Type.Static<typeof DecisionReasonParams>;

export const DecisionCancelParams = Type.Object({ reason: Type.Optional(Type.String({ maxLength: 2000 })) }, { additionalProperties: false });
export type DecisionCancelParams = Type.Static<typeof DecisionCancelParams>;

const byRisk = Type.Object({ LOW: Type.Integer(), MEDIUM: Type.Integer(), HIGH: Type.Integer(), CRITICAL: Type.Integer() });

export const GovernanceStats = Type.Object({
  pending: Type.Intersect([byRisk, Type.Object({ total: Type.Integer() })]),
  oldest_pending: Type.Union([Type.Object({ id: Type.String(), created_at: time, age_seconds: Type.Number() }), Type.Null()]),
  sla_violations: Type.Object({
    /** Pending now, past their deadline (the SLA loop has not caught up yet). */
    overdue: Type.Integer(),
    /** Escalated automatically at a deadline. */
    auto_escalated: Type.Integer(),
    expired: Type.Integer(),
  }),
  by_status: Type.Record(Type.String(), Type.Integer()),
});
export type GovernanceStats = Type.Static<typeof GovernanceStats>;

export const ActionInfo = Type.Object({
  action_type: Type.String(),
  description: Type.String(),
  /** The service whose consumer runs it. */
  owner: Type.String(),
  /** False until the owning service registers its executor: such decisions fail at approval, never hang. */
  executor_available: Type.Boolean(),
  min_automation: AutomationLevel,
  /** True: a human always decides (never FULL). */
  never_full: Type.Boolean(),
  params_schema: Type.Unknown(),
});
export type ActionInfo = Type.Static<typeof ActionInfo>;

export const ActionList = Type.Object({ data: Type.Array(ActionInfo) });
export type ActionList = Type.Static<typeof ActionList>;

/** One event of `GET stream` and of the bus topics `governance.decision.<status>`. */
export const GovernanceEvent = Type.Object({ decision: Decision, transition: Transition });
export type GovernanceEvent = Type.Static<typeof GovernanceEvent>;

/**
 * How far back a governance executor's consumer, created for the first time, picks up `governance.execute.*` commands
 * (JetStream `replaySeconds`): as long as core waits for a result before it marks the execution failed, so a command is
 * never run after its decision was given up.
 */
export const GOVERNANCE_EXECUTE_REPLAY_SECONDS = 60;

/** `governance.execute.<action_type>`: run once per `token` (the executor records it). */
export interface GovernanceExecuteCommand {
  decision_id: string;
  action_type: string;
  params: Record<string, unknown>;
  token: string;
  approved_by: string[];
}

/** `governance.result`: what an executor answers, once per token. */
export interface GovernanceResult {
  decision_id: string;
  token: string;
  action_type: string;
  ok: boolean;
  executor: string;
  result?: unknown;
  error?: string;
}

export const EmergencyShutdownParams = Type.Object({ reason: Type.String({ minLength: 10, maxLength: 2000 }) }, { additionalProperties: false });
export type EmergencyShutdownParams = Type.Static<typeof EmergencyShutdownParams>;

export const SafetyResumeParams = Type.Object({ reason: Type.Optional(Type.String({ maxLength: 2000 })) }, { additionalProperties: false });
export type SafetyResumeParams = Type.Static<typeof SafetyResumeParams>;

export const SafetyStatus = Type.Object({
  shut_down: Type.Boolean(),
  since: nullableTime,
  reason: Type.Union([Type.String(), Type.Null()]),
  decision_id: Type.Union([Type.String(), Type.Null()]),
  /** A requested shutdown still inside its override window. */
  pending: Type.Union([Type.Object({ decision_id: Type.String(), executes_at: time, requested_by: Type.String() }), Type.Null()]),
  /** The consciousness model's safety violations: the active ones, then the most recent cleared ones. */
  violations: Type.Array(SafetyViolation),
});
export type SafetyStatus = Type.Static<typeof SafetyStatus>;

export const EmergencyShutdownAccepted = Type.Object({ decision: Decision, executes_at: time });
export type EmergencyShutdownAccepted = Type.Static<typeof EmergencyShutdownAccepted>;
