import Type from 'typebox';

/** Lowercase hex SHA-256. */
const Hash = Type.String({ pattern: '^[0-9a-f]{64}$' });
/** An entry's index in the ledger: 0, 1, 2… */
const Index = Type.Integer({ minimum: 0 });

export const EvidenceCreateParams = Type.Object(
  {
    type: Type.String({ minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9][A-Za-z0-9._:/-]*$' }),
    subject_id: Type.String({ minLength: 1, maxLength: 200 }),
    payload: Type.Record(Type.String(), Type.Unknown()),
  },
  { additionalProperties: false },
);
export type EvidenceCreateParams = Type.Static<typeof EvidenceCreateParams>;

/** A ledger entry: its bytes are the RFC 8785 canonical JSON of `{type, subject_id, actor, payload, timestamp}`. */
export const EvidenceEntry = Type.Object({
  index: Index,
  /** SHA-256(0x00 ‖ entry bytes), lowercase hex. */
  leaf_hash: Hash,
  type: Type.String(),
  subject_id: Type.String(),
  /** The principal that appended it (`user:<id>`, `service:<name>`), or `system`. */
  actor: Type.String(),
  payload: Type.Unknown(),
  timestamp: Type.String({ format: 'date-time' }),
  /** The bus event it records, when it came from the bus. */
  event_id: Type.Union([Type.String(), Type.Null()]),
});
export type EvidenceEntry = Type.Static<typeof EvidenceEntry>;

/** Ed25519 signature over the canonical JSON of `{tree_size, root_hash, timestamp}`. */
export const SignedTreeHead = Type.Object({
  tree_size: Index,
  root_hash: Hash,
  timestamp: Type.String({ format: 'date-time' }),
  /** Base64. */
  signature: Type.String(),
  algorithm: Type.Literal('Ed25519'),
  /** RFC 7638 thumbprint of the signing key (see `GET /ledger/public-key`). */
  key_id: Type.String(),
});
export type SignedTreeHead = Type.Static<typeof SignedTreeHead>;

export const InclusionProof = Type.Object({
  leaf_index: Index,
  tree_size: Index,
  /** The audit path, leaf to root (RFC 9162 §2.1.3), lowercase hex. */
  hashes: Type.Array(Hash),
});
export type InclusionProof = Type.Static<typeof InclusionProof>;

/** One entry with what proves it: its exact bytes, its audit path, and the signed head the path leads to. */
export const EvidenceRecord = Type.Object({
  entry: EvidenceEntry,
  /** The exact entry bytes, base64: SHA-256(0x00 ‖ bytes) is `entry.leaf_hash`. */
  bytes: Type.String(),
  inclusion_proof: InclusionProof,
  tree_head: SignedTreeHead,
});
export type EvidenceRecord = Type.Static<typeof EvidenceRecord>;

export const EvidenceBatchQuery = Type.Object({
  /** Up to 100 comma-separated indexes. */
  ids: Type.String({ pattern: '^\\d{1,15}(,\\d{1,15}){0,99}$' }),
});
export type EvidenceBatchQuery = Type.Static<typeof EvidenceBatchQuery>;

export const EvidenceList = Type.Object({
  data: Type.Array(EvidenceRecord),
  /** Asked-for indexes that do not exist (yet). */
  missing: Type.Array(Index),
});
export type EvidenceList = Type.Static<typeof EvidenceList>;

export const LedgerPublicKey = Type.Object({
  key_id: Type.String(),
  algorithm: Type.Literal('Ed25519'),
  /** SPKI PEM. */
  pem: Type.String(),
  jwk: Type.Object({ kty: Type.Literal('OKP'), crv: Type.Literal('Ed25519'), x: Type.String(), kid: Type.String() }),
});
export type LedgerPublicKey = Type.Static<typeof LedgerPublicKey>;

export const ConsistencyQuery = Type.Object({
  from: Type.Integer({ minimum: 1 }),
  /** @default the latest signed tree head's size */
  to: Type.Optional(Type.Integer({ minimum: 1 })),
});
export type ConsistencyQuery = Type.Static<typeof ConsistencyQuery>;

export const ConsistencyProof = Type.Object({
  from: Index,
  to: Index,
  from_root: Hash,
  to_root: Hash,
  /** RFC 9162 §2.1.4, lowercase hex. */
  hashes: Type.Array(Hash),
  /** The latest signed tree head (check that `to_root` matches a head you trust). */
  tree_head: SignedTreeHead,
});
export type ConsistencyProof = Type.Static<typeof ConsistencyProof>;

export const LedgerEntriesQuery = Type.Object({
  from: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 500 })),
});
export type LedgerEntriesQuery = Type.Static<typeof LedgerEntriesQuery>;

/** A page of raw entries for replay: recompute each leaf hash from `bytes`, then the root. */
export const LedgerEntriesPage = Type.Object({
  data: Type.Array(Type.Object({ index: Index, bytes: Type.String(), leaf_hash: Hash })),
  /** `from` of the next page, null at the end of the committed log. */
  next: Type.Union([Index, Type.Null()]),
  /** Committed entries when the page was read. */
  tree_size: Index,
});
export type LedgerEntriesPage = Type.Static<typeof LedgerEntriesPage>;

export const AuditTrailQuery = Type.Object({
  /** Entries with an index above this one (the previous page's `next`). */
  after: Type.Optional(Type.Integer({ minimum: -1 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
});
export type AuditTrailQuery = Type.Static<typeof AuditTrailQuery>;

export const AuditTrail = Type.Object({
  subject_id: Type.String(),
  data: Type.Array(EvidenceEntry),
  next: Type.Union([Index, Type.Null()]),
});
export type AuditTrail = Type.Static<typeof AuditTrail>;

export const ForensicsAnalyzeParams = Type.Object(
  {
    subject_id: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    from: Type.Optional(Type.String({ format: 'date-time' })),
    to: Type.Optional(Type.String({ format: 'date-time' })),
  },
  { additionalProperties: false },
);
export type ForensicsAnalyzeParams = Type.Static<typeof ForensicsAnalyzeParams>;

export const LedgerVerification = Type.Object({
  /** Every check passed. */
  ok: Type.Boolean(),
  entries_checked: Index,
  nodes_checked: Index,
  /** The first entry whose stored bytes or hash do not hold, else null. */
  first_bad_index: Type.Union([Index, Type.Null()]),
  /** The root recomputed from the stored bytes, at the signed head's size. */
  computed_root: Hash,
  signed_root: Hash,
  signature_valid: Type.Boolean(),
  problems: Type.Array(Type.Object({ index: Type.Union([Index, Type.Null()]), problem: Type.String() })),
});
export type LedgerVerification = Type.Static<typeof LedgerVerification>;

export const ForensicsReport = Type.Object({
  timeline: Type.Array(EvidenceEntry),
  /** More entries matched than the timeline holds (1000). */
  timeline_truncated: Type.Boolean(),
  verification: LedgerVerification,
  tree_head: SignedTreeHead,
});
export type ForensicsReport = Type.Static<typeof ForensicsReport>;
