import DataLoader from 'dataloader';
import { APIUserAbortError } from '../errors.js';
import type { APIResponse } from './api-promise.js';
import type { ResolvedClientOptions } from './options.js';
import type { RequestOptions } from './request.js';
import { onAbort } from './signals.js';

/**
 * Loads many keys in one request: gets the keys of a batch (in the order the calls were made, duplicates
 * included) and the options they share; answers one result or Error per key, in the same order.
 * @example
 * const load: BatchFunction<number, EvidenceRecord> = async (indexes, options) => indexes.map(() => new Error('not found'));
 */
export type BatchFunction<K, V> = (keys: readonly K[], options: RequestOptions) => Promise<readonly (APIResponse<V> | Error)[]>;

/** The options that must agree for two calls to share a batch (everything but the signal). */
function signature(options: RequestOptions | undefined): string {
  if (!options) return '';
  const { signal: _signal, batch: _batch, ...rest } = options;
  return JSON.stringify(rest);
}

const MAX_LOADERS = 64;

/**
 * DataLoader-style batching of one batchable read: calls made within `maxWaitMs` of each other (0: in the
 * same tick) that share their options go out as one request of at most `maxBatchSize` keys. Each call keeps
 * its own signal; nothing is cached between batches (the response cache does that).
 * @example
 * const loader = new BatchLoader<number, EvidenceRecord>(() => client.options, async (indexes, options) => fetchMany(indexes, options), 100);
 * const record = await loader.load(7);
 */
export class BatchLoader<K, V> {
  readonly #options: () => ResolvedClientOptions;
  readonly #batch: BatchFunction<K, V>;
  readonly #limit: number;
  readonly #loaders = new Map<string, DataLoader<K, APIResponse<V>>>();

  /** `limit`: the most keys the batch route takes, whatever `maxBatchSize` says. */
  constructor(options: () => ResolvedClientOptions, batch: BatchFunction<K, V>, limit = Infinity) {
    this.#options = options;
    this.#batch = batch;
    this.#limit = limit;
  }

  /** Whether a call with these options is batched (the client's `batching` is on and the call did not opt out). */
  enabled(options: RequestOptions | undefined): boolean {
    return this.#options().batching !== false && options?.batch !== false;
  }

  load(key: K, options?: RequestOptions): Promise<APIResponse<V>> {
    const batching = this.#options().batching;
    if (batching === false) throw new Error('batching is off');
    const id = signature(options);
    let loader = this.#loaders.get(id);
    if (!loader) {
      if (this.#loaders.size >= MAX_LOADERS) this.#loaders.clear();
      const shared: RequestOptions = { ...options };
      delete shared.signal;
      loader = new DataLoader<K, APIResponse<V>>((keys) => this.#batch(keys, shared), {
        cache: false,
        maxBatchSize: Math.max(1, Math.min(batching.maxBatchSize, this.#limit)),
        ...(batching.maxWaitMs > 0 ? { batchScheduleFn: (run: () => void) => setTimeout(run, batching.maxWaitMs) } : {}),
      });
      this.#loaders.set(id, loader);
    }
    const pending = loader.load(key);
    const signal = options?.signal;
    if (!signal) return pending;
    if (signal.aborted) {
      pending.catch(() => {});
      return Promise.reject(new APIUserAbortError(signal.reason));
    }
    return new Promise((resolve, reject) => {
      const unsubscribe = onAbort(signal, () => reject(new APIUserAbortError(signal.reason)));
      pending.then(
        (value) => {
          unsubscribe();
          resolve(value);
        },
        (error: unknown) => {
          unsubscribe();
          // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the original reason passes through unchanged
          reject(error);
        },
      );
    });
  }
}
