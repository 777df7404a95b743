import type { ForensicsAnalyzeParams, ForensicsReport, LedgerVerification, SignedTreeHead } from '@maximus/contracts';
import type { KeyObject } from 'node:crypto';
import { decodeEntry } from '../domain/entry.js';
import { EMPTY_ROOT, MemoryTree, hashLeaf } from '../domain/merkle.js';
import { verifyTreeHead } from '../domain/tree-head.js';
import type { LedgerStore } from './store.js';
import { toWireEntry } from './wire.js';

const PAGE = 5000;
const TIMELINE_MAX = 1000;
const PROBLEMS_MAX = 100;

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * A full verification of the stored log against a signed head: every entry's bytes are re-hashed and checked
 * against the stored leaf hash and columns, the tree is rebuilt from the recomputed hashes and compared with
 * the stored interior nodes and the head's root, and the head's signature is checked with the public key.
 */
export async function verifyLedger(store: LedgerStore, head: SignedTreeHead, publicKey: KeyObject): Promise<LedgerVerification> {
  const problems: { index: number | null; problem: string }[] = [];
  let firstBad: number | null = null;
  const report = (index: number | null, problem: string) => {
    if (index !== null && (firstBad === null || index < firstBad)) firstBad = index;
    if (problems.length < PROBLEMS_MAX) problems.push({ index, problem });
  };
  const problem = (index: number | null, text: string) => {
    if (problems.length < PROBLEMS_MAX) problems.push({ index, problem: text });
  };
  let firstNodeBad: number | null = null;
  const tree = new MemoryTree();
  let checked = 0;
  for (let from = 0; from < head.tree_size; from += PAGE) {
    const page = await store.page(from, Math.min(PAGE, head.tree_size - from));
    for (const entry of page) {
      if (entry.index !== tree.size) {
        report(tree.size, `entry ${tree.size} is missing`);
        return finish();
      }
      const leaf = hashLeaf(entry.bytes);
      if (!leaf.equals(entry.leafHash)) report(entry.index, 'its bytes do not hash to the stored leaf hash');
      const decoded = decodeEntry(entry.bytes);
      if ('error' in decoded) report(entry.index, `its bytes are not a ledger entry: ${decoded.error}`);
      else if (decoded.fields.type !== entry.type || decoded.fields.subject_id !== entry.subject_id || decoded.fields.actor !== entry.actor) {
        report(entry.index, 'its stored columns disagree with its bytes');
      }
      tree.push(leaf);
      checked++;
    }
    if (page.length === 0) break;
    await yieldToLoop();
  }
  if (tree.size < head.tree_size) report(tree.size, `entry ${tree.size} is missing`);
  let nodesChecked = 0;
  if (tree.size === head.tree_size) {
    // The stored interior nodes serve every proof: each must equal the one rebuilt from the bytes.
    let after = { level: 0, index: Number.MAX_SAFE_INTEGER };
    for (;;) {
      const nodes = await store.nodePage(after, PAGE);
      for (const node of nodes) {
        const width = 2 ** node.level;
        if ((node.index + 1) * width > head.tree_size) continue;
        nodesChecked++;
        if (!tree.node(node.level, node.index).equals(node.hash)) {
          // Nodes come lowest level first: the first mismatch is the narrowest range holding the changed entry.
          const start = node.index * width;
          firstNodeBad ??= start;
          problem(start, `stored node ${node.level}/${node.index} (entries ${start}–${start + width - 1}) differs from the one rebuilt from the entries`);
        }
      }
      const last = nodes.at(-1);
      if (!last || nodes.length < PAGE) break;
      after = last;
      await yieldToLoop();
    }
  }
  return finish();

  function finish(): LedgerVerification {
    if (firstBad === null && firstNodeBad !== null) firstBad = firstNodeBad;
    const computed = tree.size >= head.tree_size ? (head.tree_size ? tree.root(head.tree_size) : EMPTY_ROOT).toString('hex') : '';
    const signatureValid = verifyTreeHead(head, Buffer.from(head.signature, 'base64'), publicKey);
    if (!signatureValid) report(null, 'the signature of the tree head does not verify with the ledger key');
    if (computed && computed !== head.root_hash) report(null, 'the root rebuilt from the stored entries differs from the signed root');
    return {
      ok: problems.length === 0,
      entries_checked: checked,
      nodes_checked: nodesChecked,
      first_bad_index: firstBad,
      computed_root: computed || '0'.repeat(64),
      signed_root: head.root_hash,
      signature_valid: signatureValid,
      problems,
    };
  }
}

/** `POST /forensics/analyze`: the timeline asked for, and a full verification of the log. */
export async function analyze(store: LedgerStore, head: SignedTreeHead, publicKey: KeyObject, params: ForensicsAnalyzeParams): Promise<ForensicsReport> {
  const matched = await store.find({
    ...(params.subject_id !== undefined ? { subjectId: params.subject_id } : {}),
    ...(params.from !== undefined ? { from: params.from } : {}),
    ...(params.to !== undefined ? { to: params.to } : {}),
    limit: TIMELINE_MAX + 1,
  });
  const verification = await verifyLedger(store, head, publicKey);
  return {
    timeline: matched.slice(0, TIMELINE_MAX).map(toWireEntry),
    timeline_truncated: matched.length > TIMELINE_MAX,
    verification,
    tree_head: head,
  };
}
