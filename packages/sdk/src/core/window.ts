/** Milliseconds on a monotonic clock; tests pass their own. */
export type Clock = () => number;

export const monotonic: Clock = () => performance.now();

/**
 * Counts over a sliding window of `buckets` buckets of `windowMs / buckets` each: two counters per bucket
 * (`a` and `b`: requests and retries, successes and failures). A bucket older than the window is zeroed
 * when its slot is reused, so the sums cover the last `windowMs` to within one bucket.
 * @internal
 */
export class SlidingWindow {
  readonly #bucketMs: number;
  readonly #epochs: Float64Array;
  readonly #a: Float64Array;
  readonly #b: Float64Array;
  readonly #clock: Clock;

  constructor(windowMs: number, clock: Clock = monotonic, buckets = 10) {
    this.#bucketMs = windowMs / buckets;
    this.#epochs = new Float64Array(buckets).fill(-1);
    this.#a = new Float64Array(buckets);
    this.#b = new Float64Array(buckets);
    this.#clock = clock;
  }

  #slot(): number {
    const epoch = Math.floor(this.#clock() / this.#bucketMs);
    const slot = epoch % this.#epochs.length;
    if (this.#epochs[slot] !== epoch) {
      this.#epochs[slot] = epoch;
      this.#a[slot] = 0;
      this.#b[slot] = 0;
    }
    return slot;
  }

  addA(n = 1): void {
    this.#a[this.#slot()]! += n;
  }

  addB(n = 1): void {
    this.#b[this.#slot()]! += n;
  }

  /** The sums of both counters over the window. */
  sums(): { a: number; b: number } {
    const current = Math.floor(this.#clock() / this.#bucketMs);
    const oldest = current - this.#epochs.length + 1;
    let a = 0;
    let b = 0;
    for (let i = 0; i < this.#epochs.length; i++) {
      const epoch = this.#epochs[i]!;
      if (epoch >= oldest && epoch <= current) {
        a += this.#a[i]!;
        b += this.#b[i]!;
      }
    }
    return { a, b };
  }

  reset(): void {
    this.#epochs.fill(-1);
  }
}
