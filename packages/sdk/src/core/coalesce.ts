/** Rejects with the signal's reason as soon as it aborts, even if `promise` is slower to notice. @internal */
export function untilAborted<V>(promise: Promise<V>, signal: AbortSignal): Promise<V> {
  if (signal.aborted) {
    promise.catch(() => {}); // superseded by the abort
    return Promise.reject(signal.reason as Error);
  }
  return new Promise<V>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the original reason passes through unchanged
        reject(error);
      },
    );
  });
}

interface Shared<V> {
  promise: Promise<V>;
  controller: AbortController;
  waiting: number;
}

/**
 * Counts of a {@link Coalescer}.
 * @example
 * const { started, joined } = coalescer.stats();
 */
export interface CoalescerStats {
  /** Requests actually started. */
  started: number;
  /** Calls that joined a request already in flight. */
  joined: number;
  /** Requests in flight now. */
  inFlight: number;
}

/**
 * Single flight: calls with the same key while one is in flight wait for that one's outcome instead of
 * starting their own. The entry is dropped as soon as the work settles, so an error reaches only the calls
 * that were waiting for it; the next call starts afresh. A waiting call that aborts leaves alone; when the
 * last one leaves, the work's signal aborts (with that call's reason).
 * @example
 * const coalescer = new Coalescer<string>();
 * const [a, b] = await Promise.all([coalescer.run('k', fetchIt, signalA), coalescer.run('k', fetchIt, signalB)]); // one fetchIt
 */
export class Coalescer<V> {
  readonly #inFlight = new Map<string, Shared<V>>();
  #started = 0;
  #joined = 0;

  run(key: string, work: (signal: AbortSignal) => Promise<V>, signal: AbortSignal): Promise<V> {
    let shared = this.#inFlight.get(key);
    if (shared) {
      this.#joined += 1;
    } else {
      this.#started += 1;
      const controller = new AbortController();
      const created: Shared<V> = { promise: undefined as unknown as Promise<V>, controller, waiting: 0 };
      created.promise = work(controller.signal).finally(() => {
        if (this.#inFlight.get(key) === created) this.#inFlight.delete(key);
      });
      created.promise.catch(() => {}); // reported to the waiting calls; nobody may be left to hear it
      this.#inFlight.set(key, created);
      shared = created;
    }
    const entry = shared;
    entry.waiting += 1;
    if (signal.aborted) {
      this.#leave(entry, key, signal.reason);
      return Promise.reject(signal.reason as Error);
    }
    return new Promise<V>((resolve, reject) => {
      let settled = false;
      const onAbort = () => {
        if (settled) return;
        settled = true;
        this.#leave(entry, key, signal.reason);
        reject(signal.reason as Error);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      entry.promise.then(
        (value) => {
          if (settled) return;
          settled = true;
          signal.removeEventListener('abort', onAbort);
          entry.waiting -= 1;
          resolve(value);
        },
        (error: unknown) => {
          if (settled) return;
          settled = true;
          signal.removeEventListener('abort', onAbort);
          entry.waiting -= 1;
          // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the original reason passes through unchanged
          reject(error);
        },
      );
    });
  }

  #leave(entry: Shared<V>, key: string, reason: unknown): void {
    entry.waiting -= 1;
    if (entry.waiting <= 0) {
      if (this.#inFlight.get(key) === entry) this.#inFlight.delete(key);
      entry.controller.abort(reason);
    }
  }

  stats(): CoalescerStats {
    return { started: this.#started, joined: this.#joined, inFlight: this.#inFlight.size };
  }
}
