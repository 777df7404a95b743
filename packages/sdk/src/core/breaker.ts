import { CircuitOpenError } from '../errors.js';
import type { ResolvedCircuitBreakerOptions } from './options.js';
import { monotonic, SlidingWindow, type Clock } from './window.js';

/**
 * A breaker's state: `closed` lets every call through, `open` refuses them all, `half-open` lets a few
 * trial calls through to decide.
 * @example
 * const open = client.breakers().filter((b) => b.state !== 'closed');
 */
export type BreakerState = 'closed' | 'open' | 'half-open';

/**
 * One breaker as `client.breakers()` shows it.
 * @example
 * for (const b of client.breakers()) console.log(b.upstream, b.state, b.failureRate.toFixed(2));
 */
export interface BreakerSnapshot {
  /** `http://host:8000/core` (scope `service`) or `http://host:8000` (scope `origin`). */
  upstream: string;
  state: BreakerState;
  /** Attempts counted in the closed window. */
  requests: number;
  failures: number;
  /** failures / requests, 0 without requests. */
  failureRate: number;
  /** Openings since it was last closed (the open duration doubles with each). */
  consecutiveOpens: number;
  /** Milliseconds until an open breaker lets a trial through; 0 otherwise. */
  openForMs: number;
  /** Trial calls in flight while half-open. */
  trialsInFlight: number;
}

/** How an attempt ended, for the breaker: connection errors, timeouts and 5xx are failures; other answers successes; aborts count for nothing. */
export type BreakerOutcome = 'success' | 'failure' | 'ignored';

/** A permit to send: a plain one, or one of the half-open trials. */
export type BreakerPermit = 'normal' | 'trial';

const STATE_VALUE: Record<BreakerState, number> = { closed: 0, 'half-open': 1, open: 2 };

/**
 * The circuit breaker of one upstream (see {@link CircuitBreakerOptions} for the rules).
 * @example
 * const breaker = new CircuitBreaker('http://127.0.0.1:8000/core', resolved.circuitBreaker as ResolvedCircuitBreakerOptions);
 * const permit = breaker.acquire();
 * if (permit instanceof CircuitOpenError) throw permit;
 * breaker.record(permit, 'success');
 */
export class CircuitBreaker {
  readonly upstream: string;
  readonly #options: ResolvedCircuitBreakerOptions;
  readonly #window: SlidingWindow;
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #onChange: ((breaker: CircuitBreaker) => void) | undefined;
  #state: BreakerState = 'closed';
  #openUntil = 0;
  #opens = 0;
  #trialsInFlight = 0;
  #trialSuccesses = 0;

  constructor(
    upstream: string,
    options: ResolvedCircuitBreakerOptions,
    { clock = monotonic, random = Math.random, onChange }: { clock?: Clock; random?: () => number; onChange?: (breaker: CircuitBreaker) => void } = {},
  ) {
    this.upstream = upstream;
    this.#options = options;
    this.#clock = clock;
    this.#random = random;
    this.#onChange = onChange;
    this.#window = new SlidingWindow(options.windowMs, clock);
  }

  get state(): BreakerState {
    if (this.#state === 'open' && this.#clock() >= this.#openUntil) this.#transition('half-open');
    return this.#state;
  }

  /** 0 closed, 1 half-open, 2 open (the gauge's value). */
  get stateValue(): number {
    return STATE_VALUE[this.state];
  }

  /** A permit to send, or the error to throw instead. */
  acquire(): BreakerPermit | CircuitOpenError {
    const state = this.state;
    if (state === 'closed') return 'normal';
    if (state === 'half-open' && this.#trialsInFlight + this.#trialSuccesses < this.#options.halfOpenMaxCalls) {
      this.#trialsInFlight += 1;
      return 'trial';
    }
    const retryAfterMs = state === 'open' ? Math.max(0, Math.ceil(this.#openUntil - this.#clock())) : 0;
    const why = state === 'open' ? `open for ${retryAfterMs} ms more` : 'half-open, its trial calls all in flight';
    return new CircuitOpenError(`The circuit breaker of ${this.upstream} is ${why}; the call was not sent`, undefined, { upstream: this.upstream, retryAfterMs });
  }

  /** Records how an attempt sent under `permit` ended. */
  record(permit: BreakerPermit, outcome: BreakerOutcome): void {
    if (permit === 'trial') {
      this.#trialsInFlight = Math.max(0, this.#trialsInFlight - 1);
      if (this.#state !== 'half-open' || outcome === 'ignored') return;
      if (outcome === 'failure') return this.#open();
      this.#trialSuccesses += 1;
      if (this.#trialSuccesses >= this.#options.halfOpenMaxCalls) this.#close();
      return;
    }
    // An attempt sent while closed that ends after the breaker moved on tells nothing about the present.
    if (this.#state !== 'closed' || outcome === 'ignored') return;
    if (outcome === 'success') return this.#window.addA();
    this.#window.addB();
    const { a: successes, b: failures } = this.#window.sums();
    const requests = successes + failures;
    if (requests >= this.#options.minimumRequests && failures / requests >= this.#options.failureRateThreshold) this.#open();
  }

  #open(): void {
    this.#opens += 1;
    const { openMs, maxOpenMs, jitter } = this.#options;
    const duration = Math.min(maxOpenMs, openMs * 2 ** (this.#opens - 1)) * (1 - jitter * this.#random());
    this.#openUntil = this.#clock() + duration;
    this.#window.reset();
    this.#transition('open');
  }

  #close(): void {
    this.#opens = 0;
    this.#window.reset();
    this.#transition('closed');
  }

  #transition(state: BreakerState): void {
    this.#state = state;
    this.#trialsInFlight = 0;
    this.#trialSuccesses = 0;
    this.#onChange?.(this);
  }

  snapshot(): BreakerSnapshot {
    const state = this.state;
    const { a: successes, b: failures } = this.#window.sums();
    const requests = successes + failures;
    return {
      upstream: this.upstream,
      state,
      requests,
      failures,
      failureRate: requests === 0 ? 0 : failures / requests,
      consecutiveOpens: this.#opens,
      openForMs: state === 'open' ? Math.max(0, this.#openUntil - this.#clock()) : 0,
      trialsInFlight: this.#trialsInFlight,
    };
  }
}
