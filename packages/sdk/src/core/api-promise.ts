import type { CacheInfo } from './cache.js';
import type { ResponseHeaders } from './headers.js';

/**
 * What a call's HTTP answer said besides its body.
 * @example
 * const { response } = await client.health().withResponse();
 * console.log(response.status, response.requestId, response.headers['content-type']);
 */
export interface ResponseInfo {
  status: number;
  /** Lowercase names. */
  headers: ResponseHeaders;
  /** The server's `x-request-id` (quote it when reporting a problem). */
  requestId: string | undefined;
  /** Present when the read was cacheable: whether the cache answered it, and how. */
  cache?: CacheInfo;
}

/**
 * A call's parsed body and its {@link ResponseInfo}.
 * @example
 * const { data, response }: APIResponse<SignedTreeHead> = await client.ledger.root().withResponse();
 */
export interface APIResponse<T> {
  data: T;
  response: ResponseInfo;
}

/**
 * The awaitable every SDK call returns: `await` gives the parsed body; `.withResponse()` gives the
 * body with the status, headers and request id. The request starts when the call is made, not when
 * it is awaited.
 * @example
 * const health = await client.health();
 * const { data, response } = await client.health().withResponse();
 * console.log(response.requestId);
 */
export class APIPromise<T> extends Promise<T> {
  readonly #response: Promise<APIResponse<T>>;

  constructor(response: Promise<APIResponse<T>>) {
    // The base promise is a placeholder: then/catch/finally below all read #response.
    super((resolve) => resolve(null as T));
    this.#response = response;
  }

  // Derived promises (`then`, `Promise.all`) must be plain Promises, not APIPromises without a response.
  static override get [Symbol.species]() {
    return Promise;
  }

  /** The parsed body with the status, headers and request id. */
  withResponse(): Promise<APIResponse<T>> {
    return this.#response;
  }

  /** @internal An APIPromise of a part of the body (a list's `data`), keeping the response. */
  _thenUnwrap<U>(transform: (data: T) => U): APIPromise<U> {
    return new APIPromise(this.#response.then((r) => ({ data: transform(r.data), response: r.response })));
  }

  override then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.#response.then(onfulfilled ? (r) => onfulfilled(r.data) : (r) => r.data as unknown as R1, onrejected);
  }

  override catch<R = never>(onrejected?: ((reason: unknown) => R | PromiseLike<R>) | null): Promise<T | R> {
    return this.then(undefined, onrejected);
  }

  override finally(onfinally?: (() => void) | null): Promise<T> {
    return this.then().finally(onfinally);
  }
}
