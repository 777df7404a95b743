import type { Maximus } from '../client.js';

/**
 * The base of every resource (`client.governance.decisions`, `client.evidence`, …): it holds the client
 * whose transport, options and connection pool its methods use.
 * @example
 * class Evidence extends APIResource {
 *   retrieve(id: string, options?: RequestOptions): APIPromise<EvidenceRecord> {
 *     return this._client.request({ method: 'GET', path: `/evidence/${encodeURIComponent(id)}` }, options);
 *   }
 * }
 */
export abstract class APIResource {
  protected readonly _client: Maximus;

  constructor(client: Maximus) {
    this._client = client;
  }
}
