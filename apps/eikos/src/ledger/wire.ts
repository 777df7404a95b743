import type { EvidenceEntry } from '@maximus/contracts';
import type { StoredEntry } from './store.js';

export function toWireEntry(entry: StoredEntry): EvidenceEntry {
  return {
    index: entry.index,
    leaf_hash: entry.leafHash.toString('hex'),
    type: entry.type,
    subject_id: entry.subject_id,
    actor: entry.actor,
    payload: entry.payload,
    timestamp: entry.timestamp,
    event_id: entry.eventId,
  };
}
