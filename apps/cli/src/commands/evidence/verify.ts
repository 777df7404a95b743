import type { LedgerEntriesPage, SignedTreeHead } from '@maximus/contracts';

/** Where a replay reads the log: the gateway's API, or the database directly. */
export interface LogSource {
  head(): Promise<SignedTreeHead>;
  /** SPKI PEM of the ledger key. */
  publicKeyPem(): Promise<string>;
  pages(from: number): AsyncIterable<LedgerEntriesPage>;
  /** Consistency proof (hex) from `from` to `to` entries, as the source serves it. */
  consistency(from: number, to: number): Promise<string[]>;
  close(): Promise<void>;
}

export interface VerifyResult {
  ok: boolean;
  tree_size: number;
  root_hash: string;
  computed_root: string;
  signature_valid: boolean;
  key_id: string;
  /** The first entry whose bytes do not lead to the signed root, else null. */
  first_bad_index: number | null;
  problem: string | null;
}

/**
 * Replays the whole log: recomputes every leaf hash from the entry bytes and the root at the signed head's size,
 * checks the head's signature with the public key. When the root differs although every served leaf hash
 * matches its bytes, a binary search with consistency proofs (the longest prefix consistent with the signed
 * head) names the first changed entry.
 */
export async function verifyLog(source: LogSource): Promise<VerifyResult> {
  const [{ MemoryTree, hashLeaf, verifyTreeHead, verifyConsistency, EMPTY_ROOT }, { createPublicKey }] = await Promise.all([import('@maximus/eikos'), import('node:crypto')]);
  const head = await source.head();
  const publicKey = createPublicKey(await source.publicKeyPem());
  const signatureValid = verifyTreeHead(head, Buffer.from(head.signature, 'base64'), publicKey);
  const tree = new MemoryTree();
  let firstBad: number | null = null;
  let problem: string | null = null;
  const fail = (index: number | null, why: string) => {
    if (problem === null) {
      firstBad = index;
      problem = why;
    }
  };
  outer: for await (const page of source.pages(0)) {
    for (const entry of page.data) {
      if (tree.size >= head.tree_size) break outer;
      if (entry.index !== tree.size) {
        fail(tree.size, `entry ${tree.size} is missing from the replay`);
        break outer;
      }
      const leaf = hashLeaf(Buffer.from(entry.bytes, 'base64'));
      if (leaf.toString('hex') !== entry.leaf_hash) fail(entry.index, `entry ${entry.index}: its bytes do not hash to its leaf hash`);
      tree.push(leaf);
    }
  }
  if (tree.size < head.tree_size && problem === null) fail(tree.size, `the log ends at ${tree.size} entries; the signed head has ${head.tree_size}`);
  const computed = tree.size >= head.tree_size ? (head.tree_size ? tree.root(head.tree_size) : EMPTY_ROOT).toString('hex') : '';
  if (problem === null && computed !== head.root_hash) {
    // Sizes whose recomputed root is consistent with the signed head form a prefix: find where it ends.
    const signedRoot = Buffer.from(head.root_hash, 'hex');
    let good = 0;
    let bad = head.tree_size;
    while (bad - good > 1) {
      const mid = Math.floor((good + bad) / 2);
      const proof = (await source.consistency(mid, head.tree_size)).map((h) => Buffer.from(h, 'hex'));
      let consistent = true;
      try {
        verifyConsistency(mid, head.tree_size, tree.root(mid), signedRoot, proof);
      } catch {
        consistent = false;
      }
      if (consistent) good = mid;
      else bad = mid;
    }
    fail(bad - 1, `entry ${bad - 1}: the replayed log no longer leads to the signed root from here`);
  }
  if (!signatureValid) fail(firstBad, 'the tree head signature does not verify with the ledger public key');
  return {
    ok: problem === null,
    tree_size: head.tree_size,
    root_hash: head.root_hash,
    computed_root: computed,
    signature_valid: signatureValid,
    key_id: head.key_id,
    first_bad_index: firstBad,
    problem,
  };
}
