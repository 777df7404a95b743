import { Cancel } from './cancel.js';

const noop = () => {};

/**
 * FNV-1a of a key: the in-flight map is keyed by numbers, because a Map churning through fresh string keys
 * (one per call) leaves garbage that survives into the old generation and costs full collections.
 */
function hash(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

interface Waiter<V> {
  resolve: (value: V) => void;
  reject: (reason: unknown) => void;
  unsubscribe: () => void;
  left: boolean;
}

interface Shared<V> {
  key: string;
  cancel: Cancel;
  waiters: Waiter<V>[];
  waiting: number;
}

/**
 * Counts of a {@link Coalescer}.
 * @example
 * const { started, joined } = client.coalescingStats();
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
 * that were waiting for it; the next call starts afresh. A waiting call that is cancelled leaves alone; when
 * the last one leaves, the work is cancelled (with that call's reason).
 * @internal
 */
export class Coalescer<V> {
  readonly #inFlight = new Map<number, Shared<V>>();
  #started = 0;
  #joined = 0;

  run(key: string, work: (cancel: Cancel) => Promise<V>, caller: Cancel): Promise<V> {
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the caller's reason passes through unchanged
    if (caller.aborted) return Promise.reject(caller.reason);
    const h = hash(key);
    let entry = this.#inFlight.get(h);
    if (entry && entry.key !== key) entry = undefined; // a hash collision: this call goes alone
    if (entry) {
      this.#joined += 1;
    } else {
      this.#started += 1;
      const created: Shared<V> = { key, cancel: new Cancel(), waiters: [], waiting: 0 };
      if (!this.#inFlight.has(h)) this.#inFlight.set(h, created);
      entry = created;
      // One subscription for every waiting call; the first outcome drops the entry, so the next call starts
      // afresh. (These handlers also keep a failure that nobody waits for any more from going unhandled.)
      const settle = (fulfilled: boolean, outcome: unknown) => {
        if (this.#inFlight.get(h) === created) this.#inFlight.delete(h);
        for (const waiter of created.waiters) {
          if (waiter.left) continue;
          waiter.unsubscribe();
          if (fulfilled) waiter.resolve(outcome as V);
          else waiter.reject(outcome);
        }
        created.waiters = [];
      };
      work(created.cancel).then(
        (value) => settle(true, value),
        (error: unknown) => settle(false, error),
      );
    }
    const shared = entry;
    shared.waiting += 1;
    return new Promise<V>((resolve, reject) => {
      const waiter: Waiter<V> = { resolve, reject, unsubscribe: noop, left: false };
      waiter.unsubscribe = caller.subscribe((reason) => {
        if (waiter.left) return;
        waiter.left = true;
        shared.waiting -= 1;
        if (shared.waiting <= 0) {
          if (this.#inFlight.get(h) === shared) this.#inFlight.delete(h);
          shared.cancel.abort(reason);
        }
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the caller's reason passes through unchanged
        reject(reason);
      });
      shared.waiters.push(waiter);
    });
  }

  stats(): CoalescerStats {
    return { started: this.#started, joined: this.#joined, inFlight: this.#inFlight.size };
  }
}
