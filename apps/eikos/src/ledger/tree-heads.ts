import { createPublicKey, type KeyObject } from 'node:crypto';
import type { Database } from '@maximus/kit/db';
import type { Logger } from '@maximus/kit/logger';
import { schemaIdent } from '@maximus/kit/migrations';
import type { SignedTreeHead } from '@maximus/contracts';
import { keyId, signTreeHead } from '@maximus/kit/merkle';
import type { LedgerStore } from './store.js';

export interface TreeHeadsOptions {
  db: Database;
  store: LedgerStore;
  /** The Ed25519 signing key (from the secret store). */
  privateKey: KeyObject;
  log: Logger;
  /** @default 'eikos' */
  schema?: string;
  /** How often a growing tree gets a new head. @default 1000 */
  intervalMs?: number;
}

interface HeadRow {
  size: string;
  root_hash: string;
  timestamp: string;
  signature: string;
  key_id: string;
}

/**
 * Signed tree heads: a new one at most once a second while the tree grows (`start()`), and on demand when
 * a proof is asked for an entry the latest head does not include. Replicas may sign the same size: the first
 * stored head for a size is the one everybody serves.
 */
export class TreeHeads {
  readonly publicKey: KeyObject;
  readonly keyId: string;
  readonly #o: TreeHeadsOptions;
  readonly #table: string;
  #signing: Promise<SignedTreeHead> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #tick: Promise<unknown> | undefined;

  constructor(options: TreeHeadsOptions) {
    this.#o = options;
    this.#table = `${schemaIdent(options.schema ?? 'eikos')}.tree_heads`;
    this.publicKey = createPublicKey(options.privateKey);
    this.keyId = keyId(this.publicKey);
  }

  /** The latest signed head, if any was signed. */
  async latest(): Promise<SignedTreeHead | undefined> {
    const { rows } = await this.#o.db.query<HeadRow>(`${this.#select()} ORDER BY tree_size DESC LIMIT 1`);
    return rows[0] && toHead(rows[0]);
  }

  /** The latest head, signing one first when there is none or it does not include entry `index` (or any entry when omitted). */
  async covering(index = -1): Promise<SignedTreeHead> {
    const latest = await this.latest();
    if (latest && latest.tree_size > index) return latest;
    const signed = await this.sign();
    if (signed.tree_size > index) return signed;
    // An entry committed while this signing was under way: one more round includes it.
    return this.sign();
  }

  /** Signs the committed tree now (concurrent callers share one signature). */
  sign(): Promise<SignedTreeHead> {
    this.#signing ??= this.#sign().finally(() => {
      this.#signing = undefined;
    });
    return this.#signing;
  }

  async #sign(): Promise<SignedTreeHead> {
    const { store, db, privateKey } = this.#o;
    const size = await store.size();
    const latest = await this.latest();
    if (latest && latest.tree_size >= size) return latest;
    const root = (await store.root(size)).toString('hex');
    const head = { tree_size: size, root_hash: root, timestamp: new Date().toISOString() };
    const signature = signTreeHead(head, privateKey);
    await db.query(`INSERT INTO ${this.#table} (tree_size, root_hash, timestamp, signature, key_id) VALUES ($1, decode($2, 'hex'), $3, decode($4, 'hex'), $5) ON CONFLICT (tree_size) DO NOTHING`, [
      size,
      root,
      head.timestamp,
      signature.toString('hex'),
      this.keyId,
    ]);
    const { rows } = await db.query<HeadRow>(`${this.#select()} WHERE tree_size = $1`, [size]);
    return toHead(rows[0]!);
  }

  #select(): string {
    return `SELECT tree_size::text AS size, encode(root_hash, 'hex') AS root_hash, timestamp, encode(signature, 'hex') AS signature, key_id FROM ${this.#table}`;
  }

  /** Signs a new head every `intervalMs` while the tree grows. */
  start(): void {
    const interval = this.#o.intervalMs ?? 1000;
    const loop = () => {
      this.#tick = this.sign()
        .catch((error: unknown) => this.#o.log.warn({ err: error }, 'signing a tree head failed; will retry'))
        .finally(() => {
          if (this.#timer) this.#timer = setTimeout(loop, interval).unref();
        });
    };
    this.#timer = setTimeout(loop, interval).unref();
  }

  async stop(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#tick;
    await this.#signing?.catch(() => undefined);
  }
}

function toHead(row: HeadRow): SignedTreeHead {
  return {
    tree_size: Number(row.size),
    root_hash: row.root_hash,
    timestamp: row.timestamp,
    signature: Buffer.from(row.signature, 'hex').toString('base64'),
    algorithm: 'Ed25519',
    key_id: row.key_id,
  };
}
