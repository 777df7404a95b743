/**
 * RFC 6962 / RFC 9162 Merkle tree hashing, proofs and their verification, RFC 8785 canonical JSON, and signed
 * tree heads: pure code shared by the ledger (eikos, which builds the tree) and by whoever checks it (penelope's
 * faithfulness checks, the CLI's replay).
 */
export * from './merkle.js';
export * from './canonical-json.js';
export * from './tree-head.js';
