import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  EMPTY_ROOT,
  MemoryTree,
  consistencyProof,
  hashChildren,
  hashLeaf,
  inclusionProof,
  nodesFor,
  inclusionRanges,
  verifyConsistency,
  verifyInclusion,
} from './merkle.js';

// transparency-dev/merkle's RFC 6962 vectors, in the shared data folder beside the repository (../shared/data).
const VECTORS = fileURLToPath(new URL('../../../../../shared/data/merkle/', import.meta.url));

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : name.endsWith('.json') ? [path] : [];
  });
}

const b64 = (s: string) => Buffer.from(s, 'base64');

interface InclusionVector { leafIdx: number; treeSize: number; root: string; leafHash: string; proof: string[] | null; wantErr: boolean }
interface ConsistencyVector { size1: number; size2: number; root1: string; root2: string; proof: string[] | null; wantErr: boolean }

function outcome(check: () => void): boolean {
  try {
    check();
    return true;
  } catch {
    return false;
  }
}

describe('RFC 6962 verifier against the transparency-dev vectors', () => {
  const inclusion = files(join(VECTORS, 'inclusion'));
  const consistency = files(join(VECTORS, 'consistency'));

  it('finds the vectors', () => {
    expect(inclusion.length).toBeGreaterThan(60);
    expect(consistency.length).toBeGreaterThan(60);
  });

  it('accepts exactly the inclusion proofs with wantErr: false', () => {
    let accepted = 0;
    for (const file of inclusion) {
      const v = JSON.parse(readFileSync(file, 'utf8')) as InclusionVector;
      const ok = outcome(() => verifyInclusion(v.leafIdx, v.treeSize, b64(v.leafHash), (v.proof ?? []).map(b64), b64(v.root)));
      expect(ok, file).toBe(!v.wantErr);
      if (ok) accepted++;
    }
    expect(accepted).toBeGreaterThan(5);
  });

  it('accepts exactly the consistency proofs with wantErr: false', () => {
    let accepted = 0;
    for (const file of consistency) {
      const v = JSON.parse(readFileSync(file, 'utf8')) as ConsistencyVector;
      const ok = outcome(() => verifyConsistency(v.size1, v.size2, b64(v.root1), b64(v.root2), (v.proof ?? []).map(b64)));
      expect(ok, file).toBe(!v.wantErr);
      if (ok) accepted++;
    }
    expect(accepted).toBeGreaterThan(5);
  });
});

/** MTH straight from RFC 6962 §2.1, recursively, as the reference. */
function mth(leaves: Buffer[]): Buffer {
  if (leaves.length === 0) return EMPTY_ROOT;
  if (leaves.length === 1) return leaves[0]!;
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return hashChildren(mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}

describe('tree hashing and proof generation', () => {
  const leaves = Array.from({ length: 70 }, (_, i) => hashLeaf(Buffer.from(`entry ${i}`)));
  const tree = new MemoryTree();
  for (const leaf of leaves) tree.push(leaf);

  it('computes RFC 6962 roots for every size', () => {
    expect(tree.root(0)).toEqual(EMPTY_ROOT);
    expect(EMPTY_ROOT.toString('hex')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    for (let n = 1; n <= leaves.length; n++) expect(tree.root(n).equals(mth(leaves.slice(0, n))), `size ${n}`).toBe(true);
  });

  it('generates inclusion proofs that verify, and fail for another leaf', () => {
    for (let n = 1; n <= leaves.length; n++) {
      const root = tree.root(n);
      for (let m = 0; m < n; m++) {
        const proof = inclusionProof(m, n, tree.node);
        expect(outcome(() => verifyInclusion(m, n, leaves[m]!, proof, root)), `${m}/${n}`).toBe(true);
        if (n > 1) expect(outcome(() => verifyInclusion(m, n, leaves[(m + 1) % n]!, proof, root))).toBe(false);
      }
    }
  });

  it('generates consistency proofs that verify, and fail against another root', () => {
    for (let n = 1; n <= leaves.length; n++) {
      for (let m = 1; m <= n; m++) {
        const proof = consistencyProof(m, n, tree.node);
        expect(outcome(() => verifyConsistency(m, n, tree.root(m), tree.root(n), proof)), `${m}→${n}`).toBe(true);
        if (m < n) expect(outcome(() => verifyConsistency(m, n, tree.root(m), tree.root(n - 1), proof))).toBe(false);
      }
    }
  });

  it('needs at most about 2·log2(n) stored nodes for a proof at a million leaves', () => {
    const needed = nodesFor(inclusionRanges(123_457, 1_000_003));
    expect(needed.length).toBeLessThanOrEqual(40);
  });
});
