import type {
  DiagnoseParams,
  Diagnosis,
  HealingCase,
  HistoryList,
  HistoryQuery,
  Patch,
  PatchApplyParams,
  PatchApplyResult,
  PatchList,
  PrecedentList,
  PrecedentsQuery,
} from '@maximus/contracts';
import type { APIPromise } from '../core/api-promise.js';
import { CursorPager } from '../core/pagination.js';
import type { RequestOptions } from '../core/request.js';
import { APIResource } from '../core/resource.js';

const BASE = '/penelope/api/v1';

/**
 * Filters of {@link Healing.history}; `cursor` starts from a page a previous call returned.
 * @example
 * const params: HealingHistoryParams = { language: 'python', status: 'applied', limit: 20 };
 */
export type HealingHistoryParams = Omit<HistoryQuery, 'limit'> & { limit?: number };

/**
 * Patches of a diagnosis: `client.healing.patches`.
 * @example
 * const { data } = await client.healing.patches.list({ diagnosis_id: diagnosis.id });
 */
export class HealingPatches extends APIResource {
  /**
   * A diagnosis's patches, best first (verified, then confidence); `patches_status` says whether more are coming.
   * @throws NotFoundError for an unknown diagnosis
   * @example
   * const { data } = await client.healing.patches.list({ diagnosis_id: diagnosis.id });
   */
  list(params: { diagnosis_id: string }, options?: RequestOptions): APIPromise<PatchList> {
    return this._client.request<PatchList>({ method: 'GET', path: `${BASE}/healing/patches`, query: params }, options);
  }

  /**
   * One patch: its unified diff, safety class, confidence, mansidão, verification record and final content.
   * @throws NotFoundError
   * @example
   * const patch = await client.healing.patches.retrieve(id);
   * console.log(patch.diff, patch.final_content[0]?.content);
   */
  retrieve(id: string, options?: RequestOptions): APIPromise<Patch> {
    return this._client.request<Patch>({ method: 'GET', path: `${BASE}/healing/patches/${encodeURIComponent(id)}` }, options);
  }

  /**
   * Asks to apply a verified patch: creates a governance `apply_patch` decision (never automatic: a person approves
   * it with `client.governance.decisions.approve`). With `workspace`, the approved patch is written into that
   * directory (one the service allows); without, its final content is recorded.
   * @throws ConflictError (409) when the patch failed verification or is already requested or applied; BadRequestError for a refused workspace
   * @example
   * const { decision } = await client.healing.patches.apply(patch.id, { workspace: '/srv/checkout' });
   */
  apply(id: string, params: PatchApplyParams = {}, options?: RequestOptions): APIPromise<PatchApplyResult> {
    return this._client.request<PatchApplyResult>({ method: 'POST', path: `${BASE}/healing/patches/${encodeURIComponent(id)}/apply`, body: params }, options);
  }
}

/**
 * An auto-paginating list of healing cases: iterate it with `for await`, read one page with `page()`, every
 * page with `pages()`, or the first items with `toArray(limit)`.
 * @example
 * const recent = await client.healing.history({ status: 'applied' }).toArray(10);
 */
export class HealingHistoryPager extends CursorPager<HealingCase, HistoryList> {
  constructor(fetch: (cursor: string | undefined) => APIPromise<HistoryList>) {
    super(fetch, (page) => page.next_cursor);
  }
}

/**
 * PENELOPE code healing: `client.healing` (penelope's `/api/v1/healing`).
 * @example
 * const diagnosis = await client.healing.diagnose({ language: 'python', code: 'import os\nx = 1\n' });
 */
export class Healing extends APIResource {
  readonly patches = new HealingPatches(this._client);

  /**
   * Diagnoses code (Ruff for Python; TypeScript and ESLint for TypeScript/JavaScript). The answer lists the issues;
   * patches are built and verified afterwards (`patches_status: 'pending'` until `ready`, `none` or `failed`).
   * @throws BadRequestError naming the field (`errors[].pointer`); ServiceUnavailableError while every analyser is busy
   * @example
   * const d = await client.healing.diagnose({ language: 'python', code: 'import os\nx = 1\n' });
   * console.log(d.total_issues, d.issues[0]?.rule);
   */
  diagnose(params: DiagnoseParams, options?: RequestOptions): APIPromise<Diagnosis> {
    return this._client.request<Diagnosis>({ method: 'POST', path: `${BASE}/healing/diagnose`, body: params }, options);
  }

  /**
   * One diagnosis (poll `patches_status` to know when its patches are ready).
   * @throws NotFoundError
   * @example
   * const d = await client.healing.retrieve(id);
   */
  retrieve(id: string, options?: RequestOptions): APIPromise<Diagnosis> {
    return this._client.request<Diagnosis>({ method: 'GET', path: `${BASE}/healing/diagnoses/${encodeURIComponent(id)}` }, options);
  }

  /**
   * Every healing case matching the filters, newest first, fetched page by page as you iterate.
   * @example
   * for await (const c of client.healing.history({ language: 'python', status: 'applied' })) console.log(c.diagnosis_id, c.rules);
   */
  history(params: HealingHistoryParams = {}, options?: RequestOptions): HealingHistoryPager {
    return new HealingHistoryPager((cursor) =>
      this._client.request<HistoryList>({ method: 'GET', path: `${BASE}/healing/history`, query: { ...params, ...(cursor ? { cursor } : {}) } }, options),
    );
  }
}

/**
 * PENELOPE's memory of past cases: `client.wisdom`.
 * @example
 * const { data } = await client.wisdom.precedents({ diagnosis_id: diagnosis.id });
 */
export class Wisdom extends APIResource {
  /**
   * Past healing cases similar to a diagnosis (rules, files, code shape), most similar first, with their scores.
   * @throws NotFoundError for an unknown diagnosis
   * @example
   * const { data } = await client.wisdom.precedents({ diagnosis_id: d.id });
   */
  precedents(params: Omit<PrecedentsQuery, 'limit'> & { limit?: number }, options?: RequestOptions): APIPromise<PrecedentList> {
    return this._client.request<PrecedentList>({ method: 'GET', path: `${BASE}/wisdom/precedents`, query: params }, options);
  }
}
