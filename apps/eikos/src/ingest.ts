import type { BusEvent, Subscription } from '@maximus/kit/bus';
import type { ServiceContext } from '@maximus/kit/service';
import type { AppendInput, Ledger } from './ledger/index.js';

/** The bus topics whose events become ledger entries, with their durable consumer names. */
export const EVIDENCE_TOPICS = [
  { pattern: 'audit.>', durable: 'eikos-audit' },
  { pattern: 'governance.>', durable: 'eikos-governance' },
] as const;

const SUBJECT_FIELDS = ['subject_id', 'decision_id', 'key_id', 'entity_id', 'task_id', 'id'];
const ACTOR_FIELDS = ['actor', 'principal', 'approver', 'proposer', 'requested_by', 'executor'];
/**
 * Objects an event may nest its subject and actor in, looked at after the top level: a governance transition
 * is `{decision: {id, …}, transition: {actor, …}}`, and its subject is the decision, not the transition.
 */
const SUBJECT_NESTED = ['decision', 'key', 'transition'];
const ACTOR_NESTED = ['transition', 'decision', 'key'];

function firstString(payload: Record<string, unknown>, fields: readonly string[], nested: readonly string[]): string | undefined {
  const levels = [payload, ...nested.map((name) => payload[name]).filter((v): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v))];
  for (const level of levels) {
    for (const field of fields) {
      const value = level[field];
      if (typeof value === 'string' && value.length > 0) return value;
      if (typeof value === 'number' && Number.isFinite(value)) return String(value);
    }
  }
  return undefined;
}

/** The entry a bus event becomes: type = topic, subject and actor from the payload, deduplicated by event id. */
export function entryForEvent(event: BusEvent): AppendInput {
  const payload = typeof event.payload === 'object' && event.payload !== null && !Array.isArray(event.payload) ? (event.payload as Record<string, unknown>) : {};
  return {
    type: event.topic,
    subject_id: firstString(payload, SUBJECT_FIELDS, SUBJECT_NESTED) ?? event.id,
    actor: firstString(payload, ACTOR_FIELDS, ACTOR_NESTED) ?? event.headers['x-actor'] ?? 'system',
    payload: event.payload ?? null,
    eventId: event.id,
  };
}

/** Subscribes the ledger to the evidence topics; a failed append throws, so the bus delivers the event again. */
export async function subscribeEvidence(ctx: ServiceContext, ledger: Ledger): Promise<Subscription[]> {
  const subscriptions: Subscription[] = [];
  for (const { pattern, durable } of EVIDENCE_TOPICS) {
    subscriptions.push(
      await ctx.bus.subscribe(
        pattern,
        async (event) => {
          await ledger.store.append(entryForEvent(event));
        },
        // A ledger that starts for the first time after its producers still records their events (appends are idempotent).
        // Appends are group-committed in the order they are made: a batch from the outbox is one or two transactions.
        { durable, replaySeconds: 24 * 3600, concurrent: true },
      ),
    );
  }
  return subscriptions;
}
