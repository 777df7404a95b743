import { createHash } from 'node:crypto';
import type { Tracer } from '@opentelemetry/api';
import { CircuitBreaker, type BreakerSnapshot } from './breaker.js';
import { RetryBudget } from './budget.js';
import { ResponseCache, type CacheStats, type RawResponse } from './cache.js';
import { Coalescer } from './coalesce.js';
import type { ClientOptions, ResolvedClientOptions } from './options.js';
import { Metrics, tracerOf } from './telemetry.js';
import { serviceOf } from './upstream.js';

/**
 * A short, stable stand-in for a client's identity (origin, credentials, default headers): the same in every
 * process, so that L2 cache keys agree between them; a hash, so that no secret is kept in the keys.
 */
function fingerprintOf(identity: string): string {
  return `${createHash('sha256').update(identity).digest('base64url').slice(0, 22)}|`;
}

/**
 * The SDK's version, sent in `User-Agent`.
 * @example
 * console.log(`maximus-sdk ${VERSION}`);
 */
export const VERSION = '0.1.0';

/**
 * The state a client's calls share: breakers and retry budgets per upstream, the in-flight reads, the cache,
 * the telemetry. `withOptions()` clones share it, except the parts whose options they change.
 * @internal
 */
export class Runtime {
  readonly options: ResolvedClientOptions;
  readonly origin: string;
  /** The path prefix of `baseURL` (`''` or `/maximus`). */
  readonly basePath: string;
  readonly breakers: Map<string, CircuitBreaker> | undefined;
  readonly budgets: Map<string, RetryBudget> | undefined;
  readonly coalescer: Coalescer<RawResponse>;
  readonly cache: ResponseCache | undefined;
  readonly metrics: Metrics | undefined;
  readonly tracer: Tracer | undefined;
  /**
   * A short stand-in for what makes this client's reads differ from another's with the same path: origin,
   * credentials and default headers (a hash). Keys of the in-flight reads and of the cache start with it.
   */
  readonly fingerprint: string;
  /** The breaker and budget of each service, found without building the upstream's name on every call. */
  readonly #guards = new Map<string, { breaker: CircuitBreaker | undefined; budget: RetryBudget | undefined }>();

  constructor(options: ResolvedClientOptions, parent?: Runtime, changed: ReadonlySet<keyof ClientOptions> = new Set()) {
    this.options = options;
    const base = new URL(options.baseURL);
    this.origin = base.origin;
    this.basePath = base.pathname.replace(/\/+$/, '');
    const same = (...keys: (keyof ClientOptions)[]) => parent !== undefined && !keys.some((k) => changed.has(k)) && parent.origin === this.origin;
    this.metrics = same('metrics') ? parent!.metrics : options.metrics ? new Metrics(options.metrics) : undefined;
    this.breakers = same('circuitBreaker', 'upstreamScope') ? parent!.breakers : options.circuitBreaker ? new Map() : undefined;
    this.budgets = same('retryBudget', 'upstreamScope') ? parent!.budgets : options.retryBudget ? new Map() : undefined;
    this.coalescer = parent?.coalescer ?? new Coalescer();
    this.cache = same('cache') ? parent!.cache : options.cache ? new ResponseCache(options.cache) : undefined;
    this.tracer = same('tracing') ? parent!.tracer : tracerOf(options.tracing, VERSION);
    this.fingerprint = fingerprintOf(`${this.origin}\n${options.apiKey ?? ''}\n${options.token ?? ''}\n${JSON.stringify(options.defaultHeaders)}`);
  }

  /** The upstream of a path below `baseURL` (see `upstreamScope`). */
  upstreamOf(service: string): string {
    return this.options.upstreamScope === 'origin' ? this.origin : `${this.origin}${this.basePath}/${service}`;
  }

  /** The breaker and the retry budget of a service's upstream (undefined when turned off). */
  guardsOf(service: string): { breaker: CircuitBreaker | undefined; budget: RetryBudget | undefined } {
    let guards = this.#guards.get(service);
    if (!guards) {
      guards = { breaker: this.breakerOf(service), budget: this.budgetOf(service) };
      this.#guards.set(service, guards);
    }
    return guards;
  }

  breakerOf(service: string): CircuitBreaker | undefined {
    const breakers = this.breakers;
    const options = this.options.circuitBreaker;
    if (!breakers || !options) return undefined;
    const upstream = this.upstreamOf(service);
    let breaker = breakers.get(upstream);
    if (!breaker) {
      const metrics = this.metrics;
      breaker = new CircuitBreaker(upstream, options, metrics ? { onChange: (b) => metrics.breaker(b.upstream, b.stateValue) } : {});
      breakers.set(upstream, breaker);
      metrics?.breaker(upstream, 0);
    }
    return breaker;
  }

  budgetOf(service: string): RetryBudget | undefined {
    const budgets = this.budgets;
    const options = this.options.retryBudget;
    if (!budgets || !options) return undefined;
    const upstream = this.upstreamOf(service);
    let budget = budgets.get(upstream);
    if (!budget) {
      budget = new RetryBudget(options);
      budgets.set(upstream, budget);
    }
    return budget;
  }

  breakerSnapshots(): BreakerSnapshot[] {
    return [...(this.breakers?.values() ?? [])].map((b) => b.snapshot());
  }

  cacheStats(): CacheStats {
    return this.cache?.stats() ?? { hits: 0, staleHits: 0, misses: 0, l1Hits: 0, l2Hits: 0, hitRatio: 0, entries: 0, invalidations: 0, revalidations: 0, l2Errors: 0 };
  }

  /** The service a request path below `baseURL` belongs to. */
  serviceOf(path: string): string {
    return serviceOf(path);
  }
}
