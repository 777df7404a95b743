import type { TokenCreateParams, TokenCreated } from '@maximus/contracts';
import type { APIPromise } from '../core/api-promise.js';
import type { RequestOptions } from '../core/request.js';
import { APIResource } from '../core/resource.js';

/**
 * Platform JWTs (admin only): `/api/v1/tokens`.
 * @example
 * const { token } = await client.tokens.create({ role: 'readonly', ttl: '1h' });
 */
export class Tokens extends APIResource {
  /**
   * Mints a JWT signed with the platform's Ed25519 key; send it as `Authorization: Bearer <token>` (the
   * client's `token` option).
   * @throws BadRequestError when the TTL is above the platform's maximum
   * @example
   * const { token } = await client.tokens.create({ role: 'readonly', ttl: '1h' });
   * const reader = client.withOptions({ apiKey: null, token });
   */
  create(params: TokenCreateParams, options?: RequestOptions): APIPromise<TokenCreated> {
    return this._client.request<TokenCreated>({ method: 'POST', path: '/api/v1/tokens', body: params }, options);
  }
}
