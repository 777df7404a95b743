import type { FruitsReport, VirtuesReport } from '@maximus/contracts';
import type { APIPromise } from '../core/api-promise.js';
import type { RequestOptions } from '../core/request.js';
import { APIResource } from '../core/resource.js';

const BASE = '/penelope/api/v1/spiritual';

/**
 * PENELOPE's fruits and virtues (`/penelope/api/v1/spiritual`): scores in [0, 1] computed from measured signals of
 * the running platform, each with the metric it stands for, its formula, its inputs and its window; `score: null`
 * (status `no_data`) when nothing was measured yet. Answers are cached by the service (`cache.status`, `X-Cache`).
 * @example
 * const { fruits } = await client.spiritual.fruits();
 */
export class Spiritual extends APIResource {
  /**
   * The nine fruits of Galatians 5:22-23 (love, joy, peace, patience, kindness, goodness, faithfulness, gentleness,
   * self-control), the overall score (mean of those with data) and how many are healthy.
   * @example
   * const { fruits, overall_score, healthy_count } = await client.spiritual.fruits();
   * const joy = fruits.find((f) => f.name === 'joy');
   * console.log(joy?.score ?? 'no data', joy?.formula);
   */
  fruits(options?: RequestOptions): APIPromise<FruitsReport> {
    return this._client.request<FruitsReport>({ method: 'GET', path: `${BASE}/fruits` }, options);
  }

  /**
   * The virtues sophia (wisdom), praotes (meekness) and tapeinophrosyne (humility), from governance and healing outcomes.
   * @example
   * const { virtues } = await client.spiritual.virtues();
   * for (const v of virtues) console.log(v.label, v.score, v.status);
   */
  virtues(options?: RequestOptions): APIPromise<VirtuesReport> {
    return this._client.request<VirtuesReport>({ method: 'GET', path: `${BASE}/virtues` }, options);
  }
}
