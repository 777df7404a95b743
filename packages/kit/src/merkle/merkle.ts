import { createHash } from 'node:crypto';

/**
 * RFC 6962 / RFC 9162 §2.1 Merkle tree hashing, proofs and their verification. Pure: the tree's nodes come
 * from a lookup the caller provides (the database, or {@link MemoryTree}).
 *
 * A *node* is the root of a perfect subtree: `level` ℓ and `index` i cover leaves [i·2^ℓ, (i+1)·2^ℓ).
 * Every subtree that RFC 6962's recursion hashes starts at a multiple of its largest power-of-two part, so
 * any MTH(D[s:e]) is a right fold over the perfect nodes of {@link perfectCover}(s, e).
 */

export interface NodeId {
  readonly level: number;
  readonly index: number;
}

/** Leaves [start, end) of the tree. */
export interface LeafRange {
  readonly start: number;
  readonly end: number;
}

/** The hash of a perfect node (level 0: a leaf hash). */
export type NodeLookup = (level: number, index: number) => Buffer;

const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

/** SHA-256 of the empty string: the root of the empty tree. */
export const EMPTY_ROOT = createHash('sha256').digest();

/** Leaf hash: SHA-256(0x00 ‖ entry bytes). */
export function hashLeaf(entry: Uint8Array): Buffer {
  return createHash('sha256').update(LEAF_PREFIX).update(entry).digest();
}

/** Interior node hash: SHA-256(0x01 ‖ left ‖ right). */
export function hashChildren(left: Uint8Array, right: Uint8Array): Buffer {
  return createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();
}

/** The largest power of two strictly below `n` (n ≥ 2). */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function isPowerOfTwo(n: number): boolean {
  return n > 0 && Number.isInteger(Math.log2(n)) && 2 ** Math.log2(n) === n;
}

/** The perfect nodes whose right fold is MTH(D[start:end]), left to right (a range RFC 6962's recursion produces). */
export function perfectCover(start: number, end: number): NodeId[] {
  const nodes: NodeId[] = [];
  let s = start;
  while (s < end) {
    const size = end - s;
    const part = isPowerOfTwo(size) ? size : splitPoint(size);
    const level = Math.log2(part);
    nodes.push({ level, index: s / part });
    s += part;
  }
  return nodes;
}

/** MTH(D[start:end]) from the perfect nodes of its cover. */
export function rangeHash(range: LeafRange, node: NodeLookup): Buffer {
  if (range.end <= range.start) return EMPTY_ROOT;
  const cover = perfectCover(range.start, range.end);
  let acc: Buffer | undefined;
  for (let i = cover.length - 1; i >= 0; i--) {
    const { level, index } = cover[i]!;
    const hash = node(level, index);
    acc = acc ? hashChildren(hash, acc) : hash;
  }
  return acc!;
}

/** The ranges whose hashes form the audit path of leaf `m` in a tree of `n` leaves (RFC 9162 §2.1.3.1), leaf to root. */
export function inclusionRanges(m: number, n: number): LeafRange[] {
  if (!(Number.isSafeInteger(m) && Number.isSafeInteger(n) && m >= 0 && m < n)) throw new RangeError(`no leaf ${m} in a tree of ${n}`);
  const path: LeafRange[] = [];
  let start = 0;
  let end = n;
  let leaf = m;
  const stack: LeafRange[] = [];
  while (end - start > 1) {
    const k = splitPoint(end - start);
    if (leaf < k) {
      stack.push({ start: start + k, end });
      end = start + k;
    } else {
      stack.push({ start, end: start + k });
      leaf -= k;
      start += k;
    }
  }
  // PATH is recursive-part-first: the deepest sibling comes first.
  while (stack.length) path.push(stack.pop()!);
  return path;
}

/** The ranges whose hashes form the consistency proof from `m` to `n` leaves (RFC 9162 §2.1.4.1, 0 < m ≤ n). */
export function consistencyRanges(m: number, n: number): LeafRange[] {
  if (!(Number.isSafeInteger(m) && Number.isSafeInteger(n) && m > 0 && m <= n)) throw new RangeError(`no consistency proof from ${m} to ${n}`);
  const stack: LeafRange[] = [];
  let start = 0;
  let end = n;
  let mm = m;
  let complete = true;
  for (;;) {
    const size = end - start;
    if (mm === size) {
      if (!complete) stack.push({ start, end });
      break;
    }
    const k = splitPoint(size);
    if (mm <= k) {
      stack.push({ start: start + k, end });
      end = start + k;
    } else {
      stack.push({ start, end: start + k });
      mm -= k;
      start += k;
      complete = false;
    }
  }
  return stack.reverse();
}

/** The perfect nodes needed to hash every range of `ranges` (deduplicated). */
export function nodesFor(ranges: readonly LeafRange[]): NodeId[] {
  const seen = new Map<string, NodeId>();
  for (const range of ranges) for (const node of perfectCover(range.start, range.end)) seen.set(`${node.level}:${node.index}`, node);
  return [...seen.values()];
}

export function inclusionProof(m: number, n: number, node: NodeLookup): Buffer[] {
  return inclusionRanges(m, n).map((range) => rangeHash(range, node));
}

export function consistencyProof(m: number, n: number, node: NodeLookup): Buffer[] {
  return consistencyRanges(m, n).map((range) => rangeHash(range, node));
}

export function treeHash(n: number, node: NodeLookup): Buffer {
  return rangeHash({ start: 0, end: n }, node);
}

/** A proof that does not verify: `reason` says why, for a person. */
export class ProofError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'ProofError';
  }
}

function lsb(n: number): boolean {
  return n % 2 === 1;
}

function half(n: number): number {
  return Math.floor(n / 2);
}

/** The root an audit path leads to (RFC 9162 §2.1.3.2), or throws ProofError. */
export function rootFromInclusionProof(index: number, size: number, leafHash: Uint8Array, proof: readonly Uint8Array[]): Buffer {
  if (!(Number.isSafeInteger(index) && Number.isSafeInteger(size)) || index < 0 || index >= size) throw new ProofError(`index ${index} is beyond tree size ${size}`);
  if (leafHash.length !== 32) throw new ProofError('the leaf hash is not 32 bytes');
  let fn = index;
  let sn = size - 1;
  let r: Buffer = Buffer.from(leafHash);
  for (const p of proof) {
    if (sn === 0) throw new ProofError('the proof is longer than the path');
    if (lsb(fn) || fn === sn) {
      r = hashChildren(p, r);
      if (!lsb(fn)) {
        do {
          fn = half(fn);
          sn = half(sn);
        } while (!lsb(fn) && fn !== 0);
      }
    } else {
      r = hashChildren(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) throw new ProofError('the proof is shorter than the path');
  return r;
}

/** Verifies an inclusion proof against `root`; throws ProofError when it does not hold. */
export function verifyInclusion(index: number, size: number, leafHash: Uint8Array, proof: readonly Uint8Array[], root: Uint8Array): void {
  const computed = rootFromInclusionProof(index, size, leafHash, proof);
  if (!computed.equals(root)) throw new ProofError('the proof leads to another root');
}

/** Verifies a consistency proof between two tree heads (RFC 9162 §2.1.4.2); throws ProofError when it does not hold. */
export function verifyConsistency(size1: number, size2: number, root1: Uint8Array, root2: Uint8Array, proof: readonly Uint8Array[]): void {
  if (!(Number.isSafeInteger(size1) && Number.isSafeInteger(size2)) || size1 < 0) throw new ProofError('tree sizes must be whole numbers');
  if (size2 < size1) throw new ProofError(`size ${size2} is smaller than size ${size1}`);
  if (size1 === 0) throw new ProofError('a consistency proof from the empty tree proves nothing');
  if (size1 === size2) {
    if (proof.length > 0) throw new ProofError('equal sizes need an empty proof');
    if (!Buffer.from(root1).equals(root2)) throw new ProofError('equal sizes but different roots');
    return;
  }
  if (proof.length === 0) throw new ProofError('the proof is empty');
  const path = isPowerOfTwo(size1) ? [root1, ...proof] : [...proof];
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (lsb(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr: Buffer = Buffer.from(path[0]!);
  let sr: Buffer = Buffer.from(path[0]!);
  for (const c of path.slice(1)) {
    if (sn === 0) throw new ProofError('the proof is longer than the path');
    if (lsb(fn) || fn === sn) {
      fr = hashChildren(c, fr);
      sr = hashChildren(c, sr);
      if (!lsb(fn)) {
        do {
          fn = half(fn);
          sn = half(sn);
        } while (!lsb(fn) && fn !== 0);
      }
    } else {
      sr = hashChildren(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) throw new ProofError('the proof is shorter than the path');
  if (!fr.equals(root1)) throw new ProofError('the proof does not lead to the first root');
  if (!sr.equals(root2)) throw new ProofError('the proof does not lead to the second root');
}

/**
 * A whole tree in memory, every perfect node kept level by level: the reference implementation the tests and
 * the benchmark compare against, and the forensic verifier's scratch tree.
 */
export class MemoryTree {
  readonly #levels: Buffer[][] = [[]];

  get size(): number {
    return this.#levels[0]!.length;
  }

  /** Appends a leaf hash; returns the perfect nodes it completed (level ≥ 1). */
  push(leafHash: Buffer): { level: number; index: number; hash: Buffer }[] {
    const created: { level: number; index: number; hash: Buffer }[] = [];
    let level = 0;
    let hash = leafHash;
    let index = this.#levels[0]!.length;
    this.#levels[0]!.push(hash);
    while (index % 2 === 1) {
      const left = this.#levels[level]![index - 1]!;
      hash = hashChildren(left, hash);
      level++;
      index = (index - 1) / 2;
      (this.#levels[level] ??= []).push(hash);
      created.push({ level, index, hash });
    }
    return created;
  }

  readonly node: NodeLookup = (level, index) => {
    const hash = this.#levels[level]?.[index];
    if (!hash) throw new RangeError(`no node ${level}/${index} in a tree of ${this.size}`);
    return hash;
  };

  root(size = this.size): Buffer {
    return treeHash(size, this.node);
  }
}
