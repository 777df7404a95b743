import type { BusEvent, Subscription } from '@maximus/kit/bus';
import type { ServiceContext } from '@maximus/kit/service';
import { classifyIgnition } from '../domain/ignition.js';

/** What one outcome event is recorded as: the decision, patch or diagnosis it concerns, and the facts the scores read. */
export interface OutcomeRow {
  readonly subject_id: string | null;
  readonly facts: Record<string, unknown>;
}

type Projection = (payload: Record<string, unknown>, topic: string) => OutcomeRow | null;

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const bool = (v: unknown): boolean | null => (typeof v === 'boolean' ? v : null);
const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' ? (v as Record<string, unknown>) : {});

/** `governance.decision.<status>` `{decision, transition}` (apps/core/src/governance/engine.ts). */
const governance: Projection = (payload) => {
  const decision = obj(payload.decision);
  const transition = obj(payload.transition);
  const id = str(decision.id) ?? str(transition.decision_id);
  const kind = str(transition.kind);
  if (!id || !kind) return null;
  return {
    subject_id: id,
    facts: {
      kind,
      to_status: str(transition.to_status),
      actor: str(transition.actor),
      automation_level: str(decision.automation_level),
      risk_level: str(decision.risk_level),
      action_type: str(decision.action_type),
    },
  };
};

/** `penelope.patch.proposed` (the healing pipeline, after verification and the mansidão score). */
const patchProposed: Projection = (payload) => ({
  subject_id: str(payload.patch_id),
  facts: {
    diagnosis_id: str(payload.diagnosis_id),
    safety_class: str(payload.safety_class),
    verified: bool(payload.verified),
    verification_rejected: bool(payload.verification_rejected),
    lines_changed: num(payload.lines_changed),
    functions_modified: num(payload.functions_modified),
    reversibility: num(payload.reversibility),
    breaking_change: bool(payload.breaking_change),
    mansidao_score: num(payload.mansidao_score),
    within_limits: bool(payload.within_limits),
  },
});

/** `penelope.patch.applied` (the apply_patch executor). */
const patchApplied: Projection = (payload) => ({
  subject_id: str(payload.patch_id),
  facts: { decision_id: str(payload.decision_id), outcome: str(payload.outcome) },
});

/** `penelope.precedents.searched` (wisdom: similar past cases looked up for a diagnosis). */
const precedentsSearched: Projection = (payload) => ({
  subject_id: str(payload.diagnosis_id),
  facts: { found: num(payload.found) },
});

/** `consciousness.esgt.*` (every ignition attempt in core). */
const ignition: Projection = (payload, topic) => ({
  subject_id: str(payload.id) ?? str(payload.event_id),
  facts: { outcome: classifyIgnition(topic, payload), reason: str(payload.reason) },
});

/** The topics the fruits and virtues listen to, with the durable consumer of each (shared by penelope's replicas). */
export const OUTCOME_TOPICS: readonly { pattern: string; durable: string; project: Projection }[] = [
  { pattern: 'governance.decision.*', durable: 'penelope-spiritual-governance', project: governance },
  { pattern: 'penelope.patch.proposed', durable: 'penelope-spiritual-patch-proposed', project: patchProposed },
  { pattern: 'penelope.patch.applied', durable: 'penelope-spiritual-patch-applied', project: patchApplied },
  { pattern: 'penelope.precedents.searched', durable: 'penelope-spiritual-precedents', project: precedentsSearched },
  { pattern: 'consciousness.esgt.>', durable: 'penelope-spiritual-esgt', project: ignition },
];

const TABLE = 'penelope.spiritual_events';
/** JetStream: a consumer created after its producers first reads the last day's events (recording is idempotent). */
const REPLAY_SECONDS = 86_400;

/** Records one event, once per event id (a redelivery changes nothing). Returns false for an event it cannot read. */
export async function recordOutcome(ctx: ServiceContext, project: Projection, event: BusEvent): Promise<boolean> {
  const row = project(obj(event.payload), event.topic);
  if (!row) {
    ctx.log.warn({ topic: event.topic, event_id: event.id }, 'spiritual: an outcome event without the fields it needs was ignored');
    return false;
  }
  await ctx.db.query(`INSERT INTO ${TABLE} (event_id, topic, occurred_at, subject_id, facts) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (event_id) DO NOTHING`, [
    event.id,
    event.topic,
    event.time,
    row.subject_id,
    JSON.stringify(row.facts),
  ]);
  return true;
}

/** Subscribes to every outcome topic (a failed insert throws: the bus delivers the event again). */
export async function subscribeOutcomes(ctx: ServiceContext): Promise<Subscription[]> {
  const subscriptions: Subscription[] = [];
  for (const { pattern, durable, project } of OUTCOME_TOPICS) {
    subscriptions.push(
      await ctx.bus.subscribe(
        pattern,
        async (event) => {
          await recordOutcome(ctx, project, event);
        },
        { durable, replaySeconds: REPLAY_SECONDS },
      ),
    );
  }
  return subscriptions;
}
