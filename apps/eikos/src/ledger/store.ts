import type { Database, Queryable } from '@maximus/kit/db';
import { schemaIdent } from '@maximus/kit/migrations';
import { encodeEntry, type EntryFields } from '../domain/entry.js';
import {
  consistencyRanges,
  hashChildren,
  inclusionRanges,
  nodesFor,
  perfectCover,
  rangeHash,
  type LeafRange,
  type NodeId,
} from '@maximus/kit/merkle';
import type { RawEntryRow, RawNodeRow } from './verify-core.js';

/** What an append asks for; the writer adds the index and the timestamp. */
export interface AppendInput {
  readonly type: string;
  readonly subject_id: string;
  readonly actor: string;
  readonly payload: unknown;
  /** The bus event recorded: an event already in the ledger is not appended again. */
  readonly eventId?: string;
}

export interface StoredEntry extends EntryFields {
  readonly index: number;
  readonly leafHash: Buffer;
  readonly eventId: string | null;
}

export interface StoredEntryWithBytes extends StoredEntry {
  readonly bytes: Buffer;
}

export interface LedgerStoreOptions {
  /** @default 'eikos' */
  schema?: string;
  /** Appends committed in one transaction at most. @default 1000 */
  maxBatch?: number;
  /** The clock of entry timestamps (tests). @default () => new Date() */
  now?: () => Date;
  /** Perfect nodes kept in memory at most (least recently used go first; 0 turns the cache off). @default 65536 */
  nodeCacheSize?: number;
  /** The lowest level kept: lower nodes are many, each used by few proofs. @default 6 */
  nodeCacheMinLevel?: number;
}

interface FrontierNode {
  readonly level: number;
  readonly index: number;
  readonly hash: Buffer;
}

interface Pending {
  readonly input: AppendInput;
  resolve(entry: StoredEntry): void;
  reject(error: unknown): void;
}

interface EntryRow {
  idx: string;
  leaf_hash: string;
  type: string;
  subject_id: string;
  actor: string;
  bytes: string;
  event_id: string | null;
}

const hex = (b: Buffer) => b.toString('hex');

/** One number per perfect node (index < 2^47 leaves, far beyond any ledger). */
const nodeKey = (level: number, index: number) => index * 64 + level;

/**
 * Perfect nodes at `minLevel` and above, least recently used evicted first. A perfect node's hash never changes
 * once the append that completes it commits, so entries never go stale (replicas included); only nodes read
 * outside a transaction or committed by this process enter. The top of the tree (a few thousand nodes at a million
 * entries) is on every proof's path and stays; a proof then reads only the low levels near its leaf.
 */
class NodeCache {
  readonly #map = new Map<number, Buffer>();
  constructor(
    readonly max: number,
    readonly minLevel: number,
  ) {}

  get(level: number, index: number): Buffer | undefined {
    if (level < this.minLevel) return undefined;
    const key = nodeKey(level, index);
    const hash = this.#map.get(key);
    if (hash) {
      this.#map.delete(key);
      this.#map.set(key, hash);
    }
    return hash;
  }

  set(level: number, index: number, hash: Buffer): void {
    if (level < this.minLevel || this.max <= 0) return;
    const key = nodeKey(level, index);
    this.#map.delete(key);
    this.#map.set(key, hash);
    if (this.#map.size > this.max) this.#map.delete(this.#map.keys().next().value!);
  }
}

/**
 * The ledger's storage: group-committed appends and the reads proofs need (see migrations/0001_ledger.sql for
 * the storage scheme). One writer loop per process: appends that arrive while a transaction commits wait for the
 * next one, which takes them all (up to `maxBatch`) and assigns consecutive indexes under a lock on the head row,
 * so replicas on one PostgreSQL serialise too.
 */
export class LedgerStore {
  readonly #db: Database;
  readonly #t: { entries: string; nodes: string; head: string };
  readonly #maxBatch: number;
  readonly #now: () => Date;
  #queue: Pending[] = [];
  #writer: Promise<void> | undefined;
  /** The perfect nodes covering [0, size): the right edge the next append hangs off. */
  #frontier: { size: number; nodes: FrontierNode[] } | undefined;
  /** The upper perfect nodes read or written so far (immutable once committed): most of every proof. */
  readonly #cache: NodeCache;

  constructor(db: Database, options: LedgerStoreOptions = {}) {
    this.#db = db;
    const s = schemaIdent(options.schema ?? 'eikos');
    this.#t = { entries: `${s}.entries`, nodes: `${s}.nodes`, head: `${s}.head` };
    this.#maxBatch = options.maxBatch ?? 1000;
    this.#now = options.now ?? (() => new Date());
    this.#cache = new NodeCache(options.nodeCacheSize ?? 65_536, options.nodeCacheMinLevel ?? 6);
  }

  /** Appends an entry (group-committed); resolves once it is durable. A known `eventId` resolves with the existing entry. */
  append(input: AppendInput): Promise<StoredEntry> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ input, resolve, reject });
      this.#writer ??= this.#drain().finally(() => {
        this.#writer = undefined;
      });
    });
  }

  /** Waits for the appends under way. */
  async flush(): Promise<void> {
    while (this.#writer) await this.#writer;
  }

  async #drain(): Promise<void> {
    while (this.#queue.length) {
      const batch = this.#queue.splice(0, this.#maxBatch);
      try {
        const entries = await this.#commit(batch.map((p) => p.input));
        batch.forEach((p, i) => p.resolve(entries[i]!));
      } catch (error) {
        this.#frontier = undefined;
        for (const p of batch) p.reject(error);
      }
    }
  }

  async #commit(inputs: readonly AppendInput[]): Promise<StoredEntry[]> {
    let frontier: { size: number; nodes: FrontierNode[] } | undefined;
    const results = await this.#db.transaction(async (tx) => {
      const { rows } = await tx.query<{ tree_size: string }>(`SELECT tree_size FROM ${this.#t.head} WHERE id = 1 FOR UPDATE`);
      let size = Number(rows[0]?.tree_size ?? 0);
      const start = this.#frontier?.size === size ? this.#frontier : await this.#loadFrontier(tx, size);
      const nodes = [...start.nodes];
      const known = await this.#knownEvents(tx, inputs);
      const out: StoredEntry[] = [];
      const cols = { index: [] as number[], bytes: [] as string[], leaf: [] as string[], type: [] as string[], subject: [] as string[], actor: [] as string[], time: [] as string[], event: [] as (string | null)[] };
      const created: FrontierNode[] = [];
      for (const input of inputs) {
        const existing = input.eventId ? known.get(input.eventId) : undefined;
        if (existing) {
          out.push(existing);
          continue;
        }
        const timestamp = this.#now().toISOString();
        const { fields, bytes, leafHash } = encodeEntry({ type: input.type, subject_id: input.subject_id, actor: input.actor, payload: input.payload, timestamp });
        const index = size++;
        const entry: StoredEntry = { ...fields, index, leafHash, eventId: input.eventId ?? null };
        out.push(entry);
        if (input.eventId) known.set(input.eventId, entry);
        cols.index.push(index);
        cols.bytes.push(hex(bytes));
        cols.leaf.push(hex(leafHash));
        cols.type.push(fields.type);
        cols.subject.push(fields.subject_id);
        cols.actor.push(fields.actor);
        cols.time.push(timestamp);
        cols.event.push(input.eventId ?? null);
        nodes.push({ level: 0, index, hash: leafHash });
        // Two perfect subtrees of one size side by side make one of the next size.
        while (nodes.length >= 2 && nodes.at(-1)!.level === nodes.at(-2)!.level) {
          const right = nodes.pop()!;
          const left = nodes.pop()!;
          const merged = { level: left.level + 1, index: left.index / 2, hash: hashChildren(left.hash, right.hash) };
          nodes.push(merged);
          created.push(merged);
        }
      }
      if (cols.index.length) {
        await tx.query(
          `INSERT INTO ${this.#t.entries} (index, bytes, leaf_hash, type, subject_id, actor, timestamp, event_id)
           SELECT i, decode(b, 'hex'), decode(l, 'hex'), t, s, a, ts::timestamptz, e
           FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[]) AS u(i, b, l, t, s, a, ts, e)`,
          [cols.index, cols.bytes, cols.leaf, cols.type, cols.subject, cols.actor, cols.time, cols.event],
        );
        if (created.length) {
          await tx.query(
            `INSERT INTO ${this.#t.nodes} (level, idx, hash) SELECT lv, ix, decode(h, 'hex') FROM unnest($1::smallint[], $2::bigint[], $3::text[]) AS u(lv, ix, h)`,
            [created.map((n) => n.level), created.map((n) => n.index), created.map((n) => hex(n.hash))],
          );
        }
        await tx.query(`UPDATE ${this.#t.head} SET tree_size = $1 WHERE id = 1`, [size]);
      }
      frontier = { size, nodes };
      return out;
    });
    this.#frontier = frontier;
    for (const node of frontier?.nodes ?? []) this.#cache.set(node.level, node.index, node.hash);
    return results;
  }

  async #loadFrontier(tx: Queryable, size: number): Promise<{ size: number; nodes: FrontierNode[] }> {
    const cover = perfectCover(0, size);
    const hashes = await this.#nodes(tx, cover);
    return { size, nodes: cover.map((n) => ({ ...n, hash: hashes(n.level, n.index) })) };
  }

  async #knownEvents(tx: Queryable, inputs: readonly AppendInput[]): Promise<Map<string, StoredEntry>> {
    const ids = [...new Set(inputs.flatMap((i) => (i.eventId ? [i.eventId] : [])))];
    const known = new Map<string, StoredEntry>();
    if (!ids.length) return known;
    const { rows } = await tx.query<EntryRow>(`${this.#select()} WHERE event_id = ANY($1::text[])`, [ids]);
    for (const row of rows) known.set(row.event_id!, toEntry(row));
    return known;
  }

  #select(withBytes = true): string {
    return `SELECT index::text AS idx, encode(leaf_hash, 'hex') AS leaf_hash, type, subject_id, actor, event_id${withBytes ? ", encode(bytes, 'hex') AS bytes" : ", '' AS bytes"} FROM ${this.#t.entries}`;
  }

  /**
   * A lookup of the given perfect nodes: the cached ones from memory, the rest read in one query.
   * @throws Error when one is missing (the tree is incomplete).
   */
  async #nodes(q: Queryable, ids: readonly NodeId[]): Promise<(level: number, index: number) => Buffer> {
    const found = new Map<number, Buffer>();
    const leaves: number[] = [];
    const inner: NodeId[] = [];
    for (const id of ids) {
      const cached = this.#cache.get(id.level, id.index);
      if (cached) found.set(nodeKey(id.level, id.index), cached);
      else if (id.level === 0) leaves.push(id.index);
      else inner.push(id);
    }
    if (leaves.length || inner.length) {
      const { rows } = await q.query<{ level: number; idx: string; hash: string }>(
        `SELECT 0 AS level, index::text AS idx, encode(leaf_hash, 'hex') AS hash FROM ${this.#t.entries} WHERE index = ANY($1::bigint[])
         UNION ALL
         SELECT n.level::int, n.idx::text, encode(n.hash, 'hex') FROM ${this.#t.nodes} n
           JOIN unnest($2::smallint[], $3::bigint[]) AS w(level, idx) ON n.level = w.level AND n.idx = w.idx`,
        [leaves, inner.map((n) => n.level), inner.map((n) => n.index)],
      );
      for (const row of rows) {
        const level = Number(row.level);
        const index = Number(row.idx);
        const hash = Buffer.from(row.hash, 'hex');
        found.set(nodeKey(level, index), hash);
        // A stored perfect node never changes: it may be kept (not by a transaction that may yet roll back).
        if (q === this.#db) this.#cache.set(level, index, hash);
      }
    }
    return (level, index) => {
      const hash = found.get(nodeKey(level, index));
      if (!hash) throw new Error(`ledger node ${level}/${index} is missing`);
      return hash;
    };
  }

  async #hashRanges(ranges: readonly LeafRange[]): Promise<Buffer[]> {
    const lookup = await this.#nodes(this.#db, nodesFor(ranges));
    return ranges.map((range) => rangeHash(range, lookup));
  }

  /** Committed entries. */
  async size(): Promise<number> {
    const { rows } = await this.#db.query<{ tree_size: string }>(`SELECT tree_size FROM ${this.#t.head} WHERE id = 1`);
    return Number(rows[0]?.tree_size ?? 0);
  }

  /** MTH of the first `size` entries. */
  async root(size: number): Promise<Buffer> {
    const [root] = await this.#hashRanges([{ start: 0, end: size }]);
    return root!;
  }

  /** The audit path of entry `index` in the tree of `size` entries (`index` < `size` ≤ committed size). */
  inclusionProof(index: number, size: number): Promise<Buffer[]> {
    return this.#hashRanges(inclusionRanges(index, size));
  }

  /** The consistency proof from `from` to `to` entries, with both roots. */
  async consistency(from: number, to: number): Promise<{ proof: Buffer[]; fromRoot: Buffer; toRoot: Buffer }> {
    const ranges = from === to ? [] : consistencyRanges(from, to);
    const all = await this.#hashRanges([...ranges, { start: 0, end: from }, { start: 0, end: to }]);
    return { proof: all.slice(0, ranges.length), fromRoot: all[ranges.length]!, toRoot: all[ranges.length + 1]! };
  }

  async entries(indexes: readonly number[]): Promise<StoredEntryWithBytes[]> {
    if (!indexes.length) return [];
    const { rows } = await this.#db.query<EntryRow>(`${this.#select()} WHERE index = ANY($1::bigint[]) ORDER BY index`, [indexes]);
    return rows.map(toEntryWithBytes);
  }

  /** Entries [from, from + limit), in order. */
  async page(from: number, limit: number): Promise<StoredEntryWithBytes[]> {
    const { rows } = await this.#db.query<EntryRow>(`${this.#select()} WHERE index >= $1 ORDER BY index LIMIT $2`, [from, limit]);
    return rows.map(toEntryWithBytes);
  }

  /** Entries [from, from + limit) as stored (hex, unparsed): the forensic verifier's input, decoded in its worker. */
  async rawPage(from: number, limit: number): Promise<RawEntryRow[]> {
    const { rows } = await this.#db.query<RawEntryRow>(
      `SELECT index::text AS idx, encode(bytes, 'hex') AS bytes, encode(leaf_hash, 'hex') AS leaf_hash, type, subject_id, actor FROM ${this.#t.entries} WHERE index >= $1 ORDER BY index LIMIT $2`,
      [from, limit],
    );
    return rows;
  }

  /** Stored interior nodes after (level, idx), in order, as stored (hex): the forensic comparison's input. */
  async rawNodePage(after: { level: number; index: number }, limit: number): Promise<RawNodeRow[]> {
    const { rows } = await this.#db.query<RawNodeRow>(
      `SELECT level::int AS lv, idx::text AS ix, encode(hash, 'hex') AS hash FROM ${this.#t.nodes} WHERE (level, idx) > ($1::smallint, $2::bigint) ORDER BY level, idx LIMIT $3`,
      [after.level, after.index, limit],
    );
    return rows.map((r) => ({ lv: Number(r.lv), ix: r.ix, hash: r.hash }));
  }

  /** Entries of a subject (and/or a time range), in index order. */
  async find(filter: { subjectId?: string; from?: string; to?: string; after?: number; limit: number }): Promise<StoredEntryWithBytes[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.subjectId !== undefined) where.push(`subject_id = $${params.push(filter.subjectId)}`);
    if (filter.from !== undefined) where.push(`timestamp >= $${params.push(filter.from)}::timestamptz`);
    if (filter.to !== undefined) where.push(`timestamp <= $${params.push(filter.to)}::timestamptz`);
    if (filter.after !== undefined) where.push(`index > $${params.push(filter.after)}`);
    const sql = `${this.#select()}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY index LIMIT $${params.push(filter.limit)}`;
    const { rows } = await this.#db.query<EntryRow>(sql, params);
    return rows.map(toEntryWithBytes);
  }
}

function toEntry(row: EntryRow): StoredEntry {
  return toEntryWithBytes(row);
}

function toEntryWithBytes(row: EntryRow): StoredEntryWithBytes {
  const bytes = Buffer.from(row.bytes, 'hex');
  // The payload and timestamp come from the bytes themselves: what is shown is what is hashed.
  let parsed: Partial<EntryFields> = {};
  try {
    parsed = JSON.parse(bytes.toString('utf8')) as Partial<EntryFields>;
  } catch {
    // Unreadable bytes (a damaged row): forensics names it; reads show the columns.
  }
  return {
    index: Number(row.idx),
    leafHash: Buffer.from(row.leaf_hash, 'hex'),
    type: row.type,
    subject_id: row.subject_id,
    actor: row.actor,
    payload: parsed.payload ?? null,
    timestamp: typeof parsed.timestamp === 'string' ? parsed.timestamp : '',
    eventId: row.event_id,
    bytes,
  };
}
