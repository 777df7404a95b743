export { service } from './service.js';
export { build } from './app.js';
export { canonicalJson, canonicalBytes } from '@maximus/kit/merkle';
export { encodeEntry, decodeEntry, type EntryFields } from './domain/entry.js';
export {
  EMPTY_ROOT,
  MemoryTree,
  ProofError,
  consistencyProof,
  hashChildren,
  hashLeaf,
  inclusionProof,
  rootFromInclusionProof,
  treeHash,
  verifyConsistency,
  verifyInclusion,
} from '@maximus/kit/merkle';
export { keyId, treeHeadBytes, verifyTreeHead, type TreeHead } from '@maximus/kit/merkle';
export {
  LedgerStore,
  TreeHeads,
  VerifyCore,
  loadLedgerKey,
  setForensicsWorker,
  verifyLedger,
  LEDGER_KEY_SECRET,
  type AppendInput,
  type StoredEntry,
  type VerifyOptions,
} from './ledger/index.js';
export { EikosErrors } from './errors.js';
