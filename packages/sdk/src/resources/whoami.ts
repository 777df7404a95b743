import type { Principal } from '@maximus/contracts';
import type { APIPromise } from '../core/api-promise.js';
import type { RequestOptions } from '../core/request.js';
import { APIResource } from '../core/resource.js';

/**
 * The gateway's `/api/v1/whoami`: who the client's credentials make it (`client.whoami()` calls it).
 * @example
 * const me = await client.whoami();
 * console.log(`${me.id} is ${me.role}`);
 */
export class Whoami extends APIResource {
  /**
   * `GET /api/v1/whoami`: the principal the gateway authenticated (id, role, and how: API key, JWT, client
   * certificate, or anonymous when the gateway runs without authentication). Any role may ask.
   * @throws AuthenticationError when the key or token is missing, unknown or revoked
   * @example
   * const { id, role } = await client.whoami();
   */
  retrieve(options?: RequestOptions): APIPromise<Principal> {
    return this._client.request<Principal>({ method: 'GET', path: '/api/v1/whoami' }, options);
  }
}
