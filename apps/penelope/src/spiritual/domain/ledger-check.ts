import { createPublicKey } from 'node:crypto';
import type { ConsistencyProof, SignedTreeHead } from '@maximus/contracts';
import { ProofError, verifyConsistency, verifyTreeHead } from '@maximus/kit/merkle';

/** A tree head this collector has verified before: later heads must extend it. */
export interface TrustedHead {
  readonly tree_size: number;
  readonly root_hash: string;
}

/** One check of the ledger: faithfulness is the share of checks that pass. */
export interface LedgerCheck {
  readonly kind: 'signature' | 'consistency';
  readonly from_size: number | null;
  readonly to_size: number;
  readonly from_root: string | null;
  readonly to_root: string;
  readonly passed: boolean;
  readonly problem: string | null;
}

/** The head's Ed25519 signature over `{tree_size, root_hash, timestamp}`, with the ledger's public key. */
export function checkSignature(head: SignedTreeHead, publicKeyPem: string): LedgerCheck {
  let passed = false;
  let problem: string | null = null;
  try {
    passed = verifyTreeHead(head, Buffer.from(head.signature, 'base64'), createPublicKey(publicKeyPem));
    if (!passed) problem = `the signature of the tree head of ${head.tree_size} entries does not verify with key ${head.key_id}`;
  } catch (error) {
    problem = `the tree head signature could not be checked: ${(error as Error).message}`;
  }
  return { kind: 'signature', from_size: null, to_size: head.tree_size, from_root: null, to_root: head.root_hash, passed, problem };
}

/**
 * Whether `head` extends `previous` (RFC 9162 §2.1.4.2): the same root at the same size, else a consistency
 * proof from `previous.tree_size` to `head.tree_size` that leads from the root verified before to the new root.
 * Returns null when there is nothing to check (no earlier head, or an empty one).
 */
export function checkConsistency(previous: TrustedHead | undefined, head: SignedTreeHead, proof: ConsistencyProof | undefined): LedgerCheck | null {
  if (!previous || previous.tree_size === 0) return null;
  const base = { kind: 'consistency' as const, from_size: previous.tree_size, to_size: head.tree_size, from_root: previous.root_hash, to_root: head.root_hash };
  const fail = (problem: string): LedgerCheck => ({ ...base, passed: false, problem });
  if (head.tree_size < previous.tree_size) return fail(`the ledger shrank from ${previous.tree_size} to ${head.tree_size} entries`);
  if (head.tree_size === previous.tree_size) {
    return head.root_hash === previous.root_hash ? { ...base, passed: true, problem: null } : fail(`the root of ${head.tree_size} entries changed`);
  }
  if (!proof) return fail('no consistency proof was served');
  if (proof.from !== previous.tree_size || proof.to !== head.tree_size) return fail(`the proof is from ${proof.from} to ${proof.to}, not from ${previous.tree_size} to ${head.tree_size}`);
  try {
    verifyConsistency(
      previous.tree_size,
      head.tree_size,
      Buffer.from(previous.root_hash, 'hex'),
      Buffer.from(head.root_hash, 'hex'),
      proof.hashes.map((h) => Buffer.from(h, 'hex')),
    );
    return { ...base, passed: true, problem: null };
  } catch (error) {
    if (error instanceof ProofError) return fail(`consistency proof from ${previous.tree_size} to ${head.tree_size}: ${error.message}`);
    throw error;
  }
}
