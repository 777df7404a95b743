import type { ApiKeyCreateParams, ApiKeyCreated, ApiKeyInfo, ApiKeyList } from '@maximus/contracts';
import type { APIPromise } from '../core/api-promise.js';
import type { RequestOptions } from '../core/request.js';
import { APIResource } from '../core/resource.js';

/**
 * API keys (admin only): `/api/v1/keys`.
 * @example
 * const { id, key } = await client.keys.create({ name: 'ci-bot', role: 'operator' });
 * await client.keys.revoke(id);
 */
export class Keys extends APIResource {
  /**
   * Creates a key. The answer is the only place the key itself ever appears: keep it.
   * @throws PermissionDeniedError unless the caller is an admin
   * @example
   * const { key } = await client.keys.create({ name: 'ci-bot', role: 'operator' });
   */
  create(params: ApiKeyCreateParams, options?: RequestOptions): APIPromise<ApiKeyCreated> {
    return this._client.request<ApiKeyCreated>({ method: 'POST', path: '/api/v1/keys', body: params }, options);
  }

  /**
   * Every key with its role, creation and last use (never a secret).
   * @example
   * for (const key of await client.keys.list()) console.log(key.id, key.name, key.role);
   */
  list(options?: RequestOptions): APIPromise<ApiKeyInfo[]> {
    return this._client.request<ApiKeyList>({ method: 'GET', path: '/api/v1/keys' }, options)._thenUnwrap((page) => page.data);
  }

  /**
   * Revokes a key: every gateway replica refuses it from the next request on. Revoking twice is harmless.
   * @throws NotFoundError when there is no key with that id
   * @example
   * await client.keys.revoke('3f2a9c1b0d4e');
   */
  revoke(id: string, options?: RequestOptions): APIPromise<ApiKeyInfo> {
    return this._client.request<ApiKeyInfo>({ method: 'DELETE', path: `/api/v1/keys/${encodeURIComponent(id)}` }, options);
  }
}
