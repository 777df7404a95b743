import { createHash, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ConsistencyProof, SignedTreeHead } from '@maximus/contracts';
import { MemoryTree, consistencyProof, hashLeaf, keyId, signTreeHead } from '@maximus/kit/merkle';
import { checkConsistency, checkSignature } from './ledger-check.js';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const pem = publicKey.export({ format: 'pem', type: 'spki' }).toString();

function tree(size: number): MemoryTree {
  const t = new MemoryTree();
  for (let i = 0; i < size; i++) t.push(hashLeaf(Buffer.from(`entry ${i}`)));
  return t;
}

function head(t: MemoryTree, size = t.size): SignedTreeHead {
  const unsigned = { tree_size: size, root_hash: t.root(size).toString('hex'), timestamp: new Date(1_700_000_000_000 + size).toISOString() };
  return { ...unsigned, signature: signTreeHead(unsigned, privateKey).toString('base64'), algorithm: 'Ed25519', key_id: keyId(publicKey) };
}

function proof(t: MemoryTree, from: number, to: number): ConsistencyProof {
  return {
    from,
    to,
    from_root: t.root(from).toString('hex'),
    to_root: t.root(to).toString('hex'),
    hashes: consistencyProof(from, to, t.node).map((h) => h.toString('hex')),
    tree_head: head(t, to),
  };
}

describe('ledger checks (faithfulness)', () => {
  const t = tree(13);
  const trusted = { tree_size: 6, root_hash: t.root(6).toString('hex') };

  it('passes a signed head and a consistency proof from the trusted head', () => {
    expect(checkSignature(head(t), pem)).toMatchObject({ kind: 'signature', passed: true, problem: null });
    expect(checkConsistency(trusted, head(t), proof(t, 6, 13))).toMatchObject({ kind: 'consistency', from_size: 6, to_size: 13, passed: true });
    for (const from of [1, 2, 4, 7, 8, 12]) {
      expect(checkConsistency({ tree_size: from, root_hash: t.root(from).toString('hex') }, head(t), proof(t, from, 13))?.passed, `from ${from}`).toBe(true);
    }
  });

  it('fails a tampered proof, a rewritten history, a shrunk ledger and a forged signature', () => {
    const tampered = proof(t, 6, 13);
    tampered.hashes[0] = createHash('sha256').update('tampered').digest('hex');
    expect(checkConsistency(trusted, head(t), tampered)).toMatchObject({ passed: false, problem: expect.stringMatching(/consistency proof from 6 to 13/) });
    // Another history: the same sizes, different entries, honestly proven against its own roots.
    const other = new MemoryTree();
    for (let i = 0; i < 13; i++) other.push(hashLeaf(Buffer.from(`rewritten ${i}`)));
    expect(checkConsistency(trusted, head(other), proof(other, 6, 13))?.passed).toBe(false);
    expect(checkConsistency({ tree_size: 13, root_hash: t.root(13).toString('hex') }, head(t, 12), undefined)).toMatchObject({ passed: false, problem: 'the ledger shrank from 13 to 12 entries' });
    expect(checkConsistency({ tree_size: 13, root_hash: other.root(13).toString('hex') }, head(t), undefined)).toMatchObject({ passed: false });
    expect(checkConsistency(trusted, head(t), undefined)).toMatchObject({ passed: false, problem: 'no consistency proof was served' });
    expect(checkConsistency(trusted, head(t), proof(t, 5, 13))).toMatchObject({ passed: false });
    const forged = { ...head(t), root_hash: other.root(13).toString('hex') };
    expect(checkSignature(forged, pem)).toMatchObject({ passed: false, problem: expect.stringMatching(/does not verify/) });
  });

  it('has nothing to check without an earlier head', () => {
    expect(checkConsistency(undefined, head(t), undefined)).toBeNull();
    expect(checkConsistency({ tree_size: 0, root_hash: '' }, head(t), undefined)).toBeNull();
    expect(checkConsistency({ tree_size: 13, root_hash: t.root(13).toString('hex') }, head(t), undefined)).toMatchObject({ passed: true });
  });
});
