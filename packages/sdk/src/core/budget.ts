import type { ResolvedRetryBudgetOptions } from './options.js';
import { monotonic, SlidingWindow, type Clock } from './window.js';

/**
 * What {@link RetryBudget.snapshot} reports.
 * @example
 * const { calls, retries, allowed } = budget.snapshot();
 */
export interface RetryBudgetSnapshot {
  /** Calls (first attempts) in the window. */
  calls: number;
  /** Retries in the window. */
  retries: number;
  /** Retries the window allows: `max(ratio · calls, minPerSecond · window seconds)`. */
  allowed: number;
}

/**
 * The retry budget of one upstream: retries within the sliding window stay at most
 * `max(ratio · calls, minPerSecond · windowMs / 1000)`. `recordCall()` at each call's first attempt;
 * `tryRetry()` before each retry (true: spend one; false: the budget is spent, do not retry).
 * @example
 * const budget = new RetryBudget({ ratio: 0.2, minPerSecond: 5, windowMs: 10_000 });
 * budget.recordCall();
 * if (budget.tryRetry()) retry();
 */
export class RetryBudget {
  readonly #options: ResolvedRetryBudgetOptions;
  readonly #window: SlidingWindow;

  constructor(options: ResolvedRetryBudgetOptions, clock: Clock = monotonic) {
    this.#options = options;
    this.#window = new SlidingWindow(options.windowMs, clock);
  }

  recordCall(): void {
    this.#window.addA();
  }

  tryRetry(): boolean {
    const { a: calls, b: retries } = this.#window.sums();
    if (retries + 1 > this.#allowed(calls)) return false;
    this.#window.addB();
    return true;
  }

  #allowed(calls: number): number {
    return Math.max(this.#options.ratio * calls, (this.#options.minPerSecond * this.#options.windowMs) / 1000);
  }

  snapshot(): RetryBudgetSnapshot {
    const { a: calls, b: retries } = this.#window.sums();
    return { calls, retries, allowed: this.#allowed(calls) };
  }
}
