import { canonicalBytes, hashLeaf } from '@maximus/kit/merkle';

/** What a ledger entry says; its bytes are the RFC 8785 canonical JSON of exactly these five members. */
export interface EntryFields {
  readonly type: string;
  readonly subject_id: string;
  readonly actor: string;
  readonly payload: unknown;
  /** ISO 8601, UTC, milliseconds. */
  readonly timestamp: string;
}

export interface EncodedEntry {
  readonly fields: EntryFields;
  readonly bytes: Buffer;
  readonly leafHash: Buffer;
}

export function encodeEntry(fields: EntryFields): EncodedEntry {
  const { type, subject_id, actor, payload, timestamp } = fields;
  const bytes = canonicalBytes({ type, subject_id, actor, payload, timestamp });
  return { fields: { type, subject_id, actor, payload, timestamp }, bytes, leafHash: hashLeaf(bytes) };
}

/** The fields of stored bytes, or a reason they are not an entry this ledger could have written. */
export function decodeEntry(bytes: Uint8Array): { fields: EntryFields } | { error: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    return { error: 'not JSON' };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { error: 'not a JSON object' };
  const record = parsed as Record<string, unknown>;
  const names = Object.keys(record).sort().join(',');
  if (names !== 'actor,payload,subject_id,timestamp,type') return { error: `unexpected members ${names}` };
  for (const name of ['type', 'subject_id', 'actor', 'timestamp'] as const) {
    if (typeof record[name] !== 'string') return { error: `${name} is not a string` };
  }
  const fields = record as unknown as EntryFields;
  if (!canonicalBytes(fields).equals(Buffer.from(bytes))) return { error: 'not in canonical form' };
  return { fields };
}
