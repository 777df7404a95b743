import { decodeEntry } from '../domain/entry.js';
import { EMPTY_ROOT, MemoryTree, hashLeaf } from '@maximus/kit/merkle';

/**
 * The CPU half of a full log verification, without I/O: re-hashing every entry, rebuilding the tree and comparing
 * the stored interior nodes. Pages go in as the database returns them (hex strings, so a worker thread decodes
 * them, not the caller); it runs in the forensics worker thread (verify-worker.ts) or, when no built worker file
 * exists (sources under vitest), in-process.
 */

/** An entry row as stored (hashes and bytes lowercase hex). */
export interface RawEntryRow {
  readonly idx: string;
  readonly bytes: string;
  readonly leaf_hash: string;
  readonly type: string;
  readonly subject_id: string;
  readonly actor: string;
}

/** A stored interior node (hash lowercase hex). */
export interface RawNodeRow {
  readonly lv: number;
  readonly ix: string;
  readonly hash: string;
}

export interface VerifyProblem {
  index: number | null;
  problem: string;
}

export interface VerifyCoreResult {
  entriesChecked: number;
  nodesChecked: number;
  /** Entries hashed into the rebuilt tree. */
  treeSize: number;
  firstBad: number | null;
  firstNodeBad: number | null;
  problems: VerifyProblem[];
  /** MTH of the first `size` rebuilt leaves (hex), or '' when fewer leaves were rebuilt. */
  computedRoot: string;
}

/** Problems listed at most (the counts and first bad index still cover everything). */
export const PROBLEMS_MAX = 100;

/** A request to the forensics worker; answered `{ id, result }` or `{ id, error }`. */
export type VerifyRequest = VerifyCall & { id: number };
export type VerifyCall = { op: 'entries'; rows: RawEntryRow[] } | { op: 'nodes'; rows: RawNodeRow[]; size: number } | { op: 'finish'; size: number };

export class VerifyCore {
  readonly #tree = new MemoryTree();
  readonly #problems: VerifyProblem[] = [];
  #firstBad: number | null = null;
  #firstNodeBad: number | null = null;
  #checked = 0;
  #nodesChecked = 0;
  /** An entry is missing: nothing after it is hashed. */
  #stopped = false;

  get stopped(): boolean {
    return this.#stopped;
  }

  #report(index: number | null, problem: string): void {
    if (index !== null && (this.#firstBad === null || index < this.#firstBad)) this.#firstBad = index;
    this.#note(index, problem);
  }

  #note(index: number | null, problem: string): void {
    if (this.#problems.length < PROBLEMS_MAX) this.#problems.push({ index, problem });
  }

  /** Hashes a page of entries (in index order, continuing the previous page). @returns false once an entry is missing. */
  entries(rows: readonly RawEntryRow[]): boolean {
    const tree = this.#tree;
    for (const row of rows) {
      if (this.#stopped) return false;
      const index = Number(row.idx);
      if (index !== tree.size) {
        this.#report(tree.size, `entry ${tree.size} is missing`);
        this.#stopped = true;
        return false;
      }
      const bytes = Buffer.from(row.bytes, 'hex');
      const leaf = hashLeaf(bytes);
      if (leaf.toString('hex') !== row.leaf_hash) this.#report(index, 'its bytes do not hash to the stored leaf hash');
      const decoded = decodeEntry(bytes);
      if ('error' in decoded) this.#report(index, `its bytes are not a ledger entry: ${decoded.error}`);
      else if (decoded.fields.type !== row.type || decoded.fields.subject_id !== row.subject_id || decoded.fields.actor !== row.actor) {
        this.#report(index, 'its stored columns disagree with its bytes');
      }
      tree.push(leaf);
      this.#checked++;
    }
    return !this.#stopped;
  }

  /** Compares stored interior nodes (lowest level first) with the rebuilt ones; nodes beyond `size` leaves are skipped. */
  nodes(rows: readonly RawNodeRow[], size: number): void {
    for (const row of rows) {
      const level = Number(row.lv);
      const index = Number(row.ix);
      const width = 2 ** level;
      if ((index + 1) * width > size) continue;
      this.#nodesChecked++;
      if (this.#tree.node(level, index).toString('hex') !== row.hash) {
        // Nodes come lowest level first: the first mismatch is the narrowest range holding the changed entry.
        const start = index * width;
        this.#firstNodeBad ??= start;
        this.#note(start, `stored node ${level}/${index} (entries ${start}–${start + width - 1}) differs from the one rebuilt from the entries`);
      }
    }
  }

  /** The findings so far, with the root of the first `size` rebuilt leaves. */
  finish(size: number): VerifyCoreResult {
    const tree = this.#tree;
    if (!this.#stopped && tree.size < size) this.#report(tree.size, `entry ${tree.size} is missing`);
    const computedRoot = tree.size >= size ? (size ? tree.root(size) : EMPTY_ROOT).toString('hex') : '';
    return {
      entriesChecked: this.#checked,
      nodesChecked: this.#nodesChecked,
      treeSize: tree.size,
      firstBad: this.#firstBad,
      firstNodeBad: this.#firstNodeBad,
      problems: [...this.#problems],
      computedRoot,
    };
  }
}
