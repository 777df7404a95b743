import type { ForensicsAnalyzeParams, ForensicsReport, LedgerVerification, SignedTreeHead } from '@maximus/contracts';
import type { KeyObject } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { verifyTreeHead } from '@maximus/kit/merkle';
import { workerExecArgv } from '@maximus/kit/threads';
import type { LedgerStore } from './store.js';
import { PROBLEMS_MAX, VerifyCore, type RawEntryRow, type RawNodeRow, type VerifyCall, type VerifyCoreResult } from './verify-core.js';
import { toWireEntry } from './wire.js';

const PAGE = 5000;
const TIMELINE_MAX = 1000;

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The built worker next to this module (`dist/ledger/verify-worker.js`); sources under vitest have none. */
const BUILT_WORKER = new URL('./verify-worker.js', import.meta.url);

export interface VerifyOptions {
  /**
   * Where the re-hashing runs: a worker module's URL, or `false` for in-process (yielding between pages).
   * @default the built verify-worker.js beside this module when it exists, else in-process
   */
  worker?: URL | false;
}

/** The CPU half of a verification, wherever it runs. */
interface Verifier {
  entries(rows: RawEntryRow[]): Promise<boolean>;
  nodes(rows: RawNodeRow[], size: number): Promise<void>;
  finish(size: number): Promise<VerifyCoreResult>;
  close(): Promise<void>;
}

let configuredWorker: URL | false | undefined;

/** Where verifications re-hash when the caller does not say (tests point sources at the built worker); `undefined` restores the default. */
export function setForensicsWorker(worker: URL | false | undefined): void {
  configuredWorker = worker;
}

function defaultWorker(): URL | false {
  return BUILT_WORKER.protocol === 'file:' && existsSync(fileURLToPath(BUILT_WORKER)) ? BUILT_WORKER : false;
}

function inProcessVerifier(): Verifier {
  const core = new VerifyCore();
  return {
    async entries(rows) {
      const more = core.entries(rows);
      await yieldToLoop();
      return more;
    },
    async nodes(rows, size) {
      core.nodes(rows, size);
      await yieldToLoop();
    },
    finish: (size) => Promise.resolve(core.finish(size)),
    close: () => Promise.resolve(),
  };
}

function workerVerifier(url: URL): Verifier {
  const worker = new Worker(url, { execArgv: workerExecArgv() });
  const waiting = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  let next = 0;
  let failure: Error | undefined;
  const failAll = (error: Error) => {
    failure ??= error;
    for (const w of waiting.values()) w.reject(error);
    waiting.clear();
  };
  worker.on('message', (message: { id: number; result?: unknown; error?: string }) => {
    const w = waiting.get(message.id);
    if (!w) return;
    waiting.delete(message.id);
    if (message.error !== undefined) w.reject(new Error(`forensics worker: ${message.error}`));
    else w.resolve(message.result);
  });
  worker.on('error', (error) => failAll(error));
  worker.on('exit', (code) => failAll(new Error(`forensics worker exited with code ${code}`)));
  const call = <T>(request: VerifyCall): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (failure) return reject(failure);
      const id = next++;
      waiting.set(id, { resolve, reject });
      worker.postMessage({ ...request, id });
    });
  return {
    entries: (rows) => call<boolean>({ op: 'entries', rows }),
    nodes: (rows, size) => call<void>({ op: 'nodes', rows, size }),
    finish: (size) => call<VerifyCoreResult>({ op: 'finish', size }),
    async close() {
      failure ??= new Error('forensics worker closed');
      await worker.terminate();
    },
  };
}

/**
 * A full verification of the stored log against a signed head: every entry's bytes are re-hashed and checked
 * against the stored leaf hash and columns, the tree is rebuilt from the recomputed hashes and compared with
 * the stored interior nodes and the head's root, and the head's signature is checked with the public key.
 * The hashing runs in a worker thread (see {@link VerifyOptions}); this thread only reads pages, one ahead.
 */
export async function verifyLedger(store: LedgerStore, head: SignedTreeHead, publicKey: KeyObject, options: VerifyOptions = {}): Promise<LedgerVerification> {
  const url = options.worker ?? configuredWorker ?? defaultWorker();
  const verifier = url ? workerVerifier(url) : inProcessVerifier();
  try {
    const size = head.tree_size;
    let complete = true;
    let hashed = 0;
    let from = 0;
    let page = size > 0 ? store.rawPage(0, Math.min(PAGE, size)) : Promise.resolve([]);
    while (from < size) {
      const rows = await page;
      if (rows.length === 0) break;
      from += PAGE;
      // The next page is read while this one is hashed.
      page = from < size ? store.rawPage(from, Math.min(PAGE, size - from)) : Promise.resolve([]);
      if (!(await verifier.entries(rows))) {
        complete = false;
        break;
      }
      hashed += rows.length;
    }
    await page.catch(() => undefined);
    if (complete && hashed === size) {
      // The stored interior nodes serve every proof: each must equal the one rebuilt from the bytes.
      let after = { level: 0, index: Number.MAX_SAFE_INTEGER };
      for (;;) {
        const nodes = await store.rawNodePage(after, PAGE);
        if (nodes.length) await verifier.nodes(nodes, size);
        const last = nodes.at(-1);
        if (!last || nodes.length < PAGE) break;
        after = { level: Number(last.lv), index: Number(last.ix) };
      }
    }
    const result = await verifier.finish(size);
    const problems = result.problems;
    const problem = (text: string) => {
      if (problems.length < PROBLEMS_MAX) problems.push({ index: null, problem: text });
    };
    const signatureValid = verifyTreeHead(head, Buffer.from(head.signature, 'base64'), publicKey);
    if (!signatureValid) problem('the signature of the tree head does not verify with the ledger key');
    if (result.computedRoot && result.computedRoot !== head.root_hash) problem('the root rebuilt from the stored entries differs from the signed root');
    return {
      ok: problems.length === 0,
      entries_checked: result.entriesChecked,
      nodes_checked: result.nodesChecked,
      first_bad_index: result.firstBad ?? result.firstNodeBad,
      computed_root: result.computedRoot || '0'.repeat(64),
      signed_root: head.root_hash,
      signature_valid: signatureValid,
      problems,
    };
  } finally {
    await verifier.close();
  }
}

/** `POST /forensics/analyze`: the timeline asked for, and a full verification of the log. */
export async function analyze(store: LedgerStore, head: SignedTreeHead, publicKey: KeyObject, params: ForensicsAnalyzeParams, options: VerifyOptions = {}): Promise<ForensicsReport> {
  const matched = await store.find({
    ...(params.subject_id !== undefined ? { subjectId: params.subject_id } : {}),
    ...(params.from !== undefined ? { from: params.from } : {}),
    ...(params.to !== undefined ? { to: params.to } : {}),
    limit: TIMELINE_MAX + 1,
  });
  const verification = await verifyLedger(store, head, publicKey, options);
  return {
    timeline: matched.slice(0, TIMELINE_MAX).map(toWireEntry),
    timeline_truncated: matched.length > TIMELINE_MAX,
    verification,
    tree_head: head,
  };
}
