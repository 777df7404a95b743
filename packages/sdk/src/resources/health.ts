import type { AggregateHealth } from '@maximus/contracts';
import type { APIPromise } from '../core/api-promise.js';
import type { RequestOptions } from '../core/request.js';
import { APIResource } from '../core/resource.js';

/** The gateway's `/health`: the platform and every service at once. */
export class Health extends APIResource {
  /**
   * `GET /health`. The gateway answers 503 with the same body when a critical service is down; that is an
   * answer, not an error, so this resolves with `status: 'down'` rather than throwing, and is not retried.
   * @throws ServiceUnavailableError when a 503 carries a problem+json body instead (a proxy, or the gateway failing)
   * @throws ConnectionError, TimeoutError when the gateway cannot be reached
   * @example
   * const health = await client.health();
   * if (health.status === 'down') console.error(Object.entries(health.services).filter(([, s]) => s.status === 'down'));
   */
  retrieve(options?: RequestOptions): APIPromise<AggregateHealth> {
    return this._client.request<AggregateHealth>({ method: 'GET', path: '/health', acceptStatuses: [503] }, options);
  }
}
