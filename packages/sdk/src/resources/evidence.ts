import type {
  AuditTrail,
  ConsistencyProof,
  EvidenceCreateParams,
  EvidenceEntry,
  EvidenceList,
  EvidenceRecord,
  ForensicsAnalyzeParams,
  ForensicsReport,
  LedgerEntriesPage,
  LedgerPublicKey,
  SignedTreeHead,
} from '@maximus/contracts';
import { APIPromise, type APIResponse } from '../core/api-promise.js';
import { BatchLoader } from '../core/batch.js';
import type { RequestOptions } from '../core/request.js';
import { APIResource } from '../core/resource.js';
import { APIError } from '../errors.js';

const BASE = '/eikos/api/v1';
/** The most indexes `GET /evidence?ids=` takes. */
const MAX_IDS = 100;

/**
 * Evidence in the ledger: `/eikos/api/v1/evidence`.
 * @example
 * const { index } = await client.evidence.create({ type: 'deploy', subject_id: 'svc-42', payload: { version: '1.2.3' } });
 * const record = await client.evidence.retrieve(index);
 */
export class Evidence extends APIResource {
  /**
   * Appends an entry. The actor is the caller and the timestamp the server's time; the answer has its index
   * and leaf hash (SHA-256 of 0x00 and the entry's canonical JSON).
   * @throws BadRequestError when a field is missing or invalid (`errors[].pointer` names it)
   * @example
   * const entry = await client.evidence.create({ type: 'deploy', subject_id: 'svc-42', payload: { version: '1.2.3' } });
   */
  create(params: EvidenceCreateParams, options?: RequestOptions): APIPromise<EvidenceEntry> {
    return this._client.request<EvidenceEntry>({ method: 'POST', path: `${BASE}/evidence`, body: params }, options);
  }

  readonly #loader = new BatchLoader<number, EvidenceRecord>(() => this._client.options, (indexes, options) => this.#retrieveMany(indexes, options), MAX_IDS);

  /**
   * One entry with its exact bytes (base64), its inclusion proof, and the signed tree head the proof leads to.
   * Calls made in the same tick (or within the client's `batching.maxWaitMs`) travel as one batch read
   * (`GET /eikos/api/v1/evidence?ids=`, up to 100 indexes; a batch of one uses `GET /evidence/:id`), each
   * caller getting its own record; `batch: false` sends this one alone.
   * @throws NotFoundError when no entry has that index
   * @example
   * const { entry, bytes, inclusion_proof, tree_head } = await client.evidence.retrieve(7);
   * const records = await Promise.all([1, 2, 3].map((i) => client.evidence.retrieve(i))); // one request
   */
  retrieve(index: number, options?: RequestOptions): APIPromise<EvidenceRecord> {
    if (this.#loader.enabled(options)) return new APIPromise(this.#loader.load(index, options));
    return this.#retrieveOne(index, options);
  }

  #retrieveOne(index: number, options?: RequestOptions): APIPromise<EvidenceRecord> {
    return this._client.request<EvidenceRecord>({ method: 'GET', path: `${BASE}/evidence/${encodeURIComponent(String(index))}` }, options);
  }

  async #retrieveMany(indexes: readonly number[], options: RequestOptions): Promise<(APIResponse<EvidenceRecord> | Error)[]> {
    if (indexes.length === 1) {
      try {
        return [await this.#retrieveOne(indexes[0]!, options).withResponse()];
      } catch (error) {
        return [error instanceof Error ? error : new Error(String(error))];
      }
    }
    const unique = [...new Set(indexes)];
    const { data, response } = await this.list(unique, options).withResponse();
    const byIndex = new Map(data.data.map((record) => [record.entry.index, record]));
    const given = new Set<number>();
    return indexes.map((index) => {
      const record = byIndex.get(index);
      if (!record) {
        // The answer the single read gives for a missing index, with the batch's request id.
        return APIError.generate(
          404,
          { type: 'urn:maximus:error:EIKOS_ERR_EVIDENCE_NOT_FOUND', title: 'Not Found', status: 404, code: 'EIKOS_ERR_EVIDENCE_NOT_FOUND', detail: `No ledger entry with index ${index}`, request_id: response.requestId },
          response.headers,
        );
      }
      // A duplicate index gets its own copy: no two callers share an object.
      const copy = given.has(index) ? structuredClone(record) : record;
      given.add(index);
      return { data: copy, response: { ...response, headers: { ...response.headers } } };
    });
  }

  /**
   * Several entries at once (the batch read, at most 100 indexes), each with its proof; indexes that do not
   * exist are listed in `missing`.
   * @example
   * const { data, missing } = await client.evidence.list([1, 2, 3]);
   */
  list(indexes: readonly number[], options?: RequestOptions): APIPromise<EvidenceList> {
    return this._client.request<EvidenceList>({ method: 'GET', path: `${BASE}/evidence`, query: { ids: indexes.join(',') } }, options);
  }
}

/**
 * The two tree sizes of {@link Ledger.consistency}.
 * @example
 * const params: LedgerConsistencyParams = { from: 10, to: 20 };
 */
export interface LedgerConsistencyParams {
  from: number;
  /** @default the latest signed tree head's size */
  to?: number;
}

/**
 * Where {@link Ledger.entries} starts and how many entries a page holds.
 * @example
 * const params: LedgerEntriesParams = { from: 0, limit: 1000 };
 */
export interface LedgerEntriesParams {
  /** @default 0 */
  from?: number;
  /** Entries per page, 1 to 1000. @default 500 */
  limit?: number;
}

/**
 * The ledger itself: `/eikos/api/v1/ledger/...`.
 * @example
 * const head = await client.ledger.root();
 */
export class Ledger extends APIResource {
  /**
   * The latest signed tree head: `{tree_size, root_hash, timestamp}` signed with Ed25519.
   * @example
   * const head = await client.ledger.root();
   */
  root(options?: RequestOptions): APIPromise<SignedTreeHead> {
    return this._client.request<SignedTreeHead>({ method: 'GET', path: `${BASE}/ledger/root` }, options);
  }

  /**
   * The key that signs tree heads, as PEM and JWK, with its key id.
   * @example
   * const key = crypto.createPublicKey((await client.ledger.publicKey()).pem);
   */
  publicKey(options?: RequestOptions): APIPromise<LedgerPublicKey> {
    return this._client.request<LedgerPublicKey>({ method: 'GET', path: `${BASE}/ledger/public-key` }, options);
  }

  /**
   * A consistency proof from the tree of `from` entries to the tree of `to` (RFC 9162 §2.1.4).
   * @throws BadRequestError when `to` is beyond the log or `from` exceeds `to`
   * @example
   * const proof = await client.ledger.consistency({ from: 10, to: 20 });
   */
  consistency(params: LedgerConsistencyParams, options?: RequestOptions): APIPromise<ConsistencyProof> {
    return this._client.request<ConsistencyProof>({ method: 'GET', path: `${BASE}/ledger/consistency`, query: { from: params.from, to: params.to } }, options);
  }

  /**
   * One page of raw entries (`bytes` base64, `leaf_hash`), for replay.
   * @example
   * const page = await client.ledger.entriesPage({ from: 0, limit: 1000 });
   */
  entriesPage(params: LedgerEntriesParams = {}, options?: RequestOptions): APIPromise<LedgerEntriesPage> {
    return this._client.request<LedgerEntriesPage>({ method: 'GET', path: `${BASE}/ledger/entries`, query: { from: params.from, limit: params.limit } }, options);
  }

  /**
   * Every committed entry from `from` on, a page at a time: iterate the pages to replay the whole log.
   * @example
   * for await (const page of client.ledger.entries({ limit: 1000 })) for (const e of page.data) replay(e);
   */
  async *entries(params: LedgerEntriesParams = {}, options?: RequestOptions): AsyncGenerator<LedgerEntriesPage, void, undefined> {
    let from: number | null = params.from ?? 0;
    while (from !== null) {
      const page: LedgerEntriesPage = await this.entriesPage({ ...params, from }, options);
      yield page;
      from = page.next;
    }
  }
}

/**
 * A page of {@link Audit.trail}.
 * @example
 * const params: AuditTrailParams = { after: 120, limit: 100 };
 */
export interface AuditTrailParams {
  /** Entries after this index (the previous page's `next`). */
  after?: number;
  /** 1 to 1000. @default 100 */
  limit?: number;
}

/**
 * Audit trails: `/eikos/api/v1/audit/trail/:subject_id`.
 * @example
 * const { data } = await client.audit.trail('decision-17');
 */
export class Audit extends APIResource {
  /**
   * The entries about one subject, oldest first.
   * @example
   * const { data } = await client.audit.trail('decision-17');
   */
  trail(subjectId: string, params: AuditTrailParams = {}, options?: RequestOptions): APIPromise<AuditTrail> {
    return this._client.request<AuditTrail>({ method: 'GET', path: `${BASE}/audit/trail/${encodeURIComponent(subjectId)}`, query: { after: params.after, limit: params.limit } }, options);
  }
}

/**
 * Forensics: `/eikos/api/v1/forensics/analyze`.
 * @example
 * const { verification } = await client.forensics.analyze({ subject_id: 'decision-17' });
 */
export class Forensics extends APIResource {
  /**
   * A timeline (of a subject and/or a time range) and a full verification of the stored log: every leaf hash
   * recomputed from the stored bytes, the root against the latest signed head and its signature.
   * `verification.first_bad_index` names the first entry that was changed.
   * @example
   * const { verification } = await client.forensics.analyze({ subject_id: 'decision-17' });
   */
  analyze(params: ForensicsAnalyzeParams = {}, options?: RequestOptions): APIPromise<ForensicsReport> {
    return this._client.request<ForensicsReport>({ method: 'POST', path: `${BASE}/forensics/analyze`, body: params }, options);
  }
}
