import type { AggregateHealth, ServiceHealthEntry, ServiceName } from '@maximus/contracts';
import { APIPromise, type APIResponse } from '../core/api-promise.js';
import { BatchLoader } from '../core/batch.js';
import type { RequestOptions } from '../core/request.js';
import { APIResource } from '../core/resource.js';
import { MaximusError } from '../errors.js';

/**
 * The gateway's `/health`: the platform and every service at once (`client.health()`, `client.serviceHealth(name)`).
 * @example
 * const { status, services } = await client.health();
 */
export class Health extends APIResource {
  readonly #loader = new BatchLoader<ServiceName, ServiceHealthEntry>(() => this._client.options, (names, options) => this.#many(names, options));

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

  /**
   * One service's health as the gateway sees it, read through the aggregate `GET /health` (the batch health
   * read): the per-service reads made together travel as one request.
   * @throws MaximusError `SDK_ERR_RESPONSE_INVALID` when the gateway lists no such service
   * @example
   * const [core, eikos] = await Promise.all([client.serviceHealth('core'), client.serviceHealth('eikos')]); // one GET /health
   */
  service(name: ServiceName, options?: RequestOptions): APIPromise<ServiceHealthEntry> {
    if (this.#loader.enabled(options)) return new APIPromise(this.#loader.load(name, options));
    return new APIPromise(this.#many([name], options ?? {}).then(([result]) => (result instanceof Error ? Promise.reject(result) : result!)));
  }

  async #many(names: readonly ServiceName[], options: RequestOptions): Promise<(APIResponse<ServiceHealthEntry> | Error)[]> {
    const { data, response } = await this.retrieve(options).withResponse();
    return names.map((name) => {
      const entry = data.services[name];
      if (!entry) return new MaximusError(`The gateway's health lists no service named ${name}`, { code: 'SDK_ERR_RESPONSE_INVALID', status: response.status, requestId: response.requestId });
      return { data: structuredClone(entry), response: { ...response, headers: { ...response.headers } } };
    });
  }
}
