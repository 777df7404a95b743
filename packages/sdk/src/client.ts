import type { AggregateHealth, Principal, ServiceHealthEntry, ServiceName } from '@maximus/contracts';
import { APIPromise } from './core/api-promise.js';
import type { BreakerSnapshot } from './core/breaker.js';
import type { CacheStats } from './core/cache.js';
import type { CoalescerStats } from './core/coalesce.js';
import { resolveClientOptions, type ClientOptions, type ResolvedClientOptions } from './core/options.js';
import { performRequest, type RequestOptions, type RequestParams } from './core/request.js';
import { Runtime } from './core/runtime.js';
import { Events, Services } from './resources/events.js';
import { Audit, Evidence, Forensics, Ledger } from './resources/evidence.js';
import { Consciousness } from './resources/consciousness.js';
import { Governance } from './resources/governance.js';
import { Healing, Wisdom } from './resources/healing.js';
import { Health } from './resources/health.js';
import { Keys } from './resources/keys.js';
import { Query, queryFunction, type QueryFunction } from './resources/query.js';
import { Spiritual } from './resources/spiritual.js';
import { Tokens } from './resources/tokens.js';
import { Whoami } from './resources/whoami.js';

/** `options` without its `undefined` values, so that spreading it never erases a setting. */
function defined(options: ClientOptions): ClientOptions {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
}

/** Set by `withOptions` while it constructs the clone: the runtime to share from and what changed. */
let inheriting: { runtime: Runtime; changed: ReadonlySet<keyof ClientOptions> } | undefined;

/**
 * The MAXIMUS client. One instance per process is enough: it keeps a keep-alive pool of `connections`
 * connections per origin, and every call retries (within a retry budget), backs off, respects its deadline
 * and a circuit breaker per upstream by itself; identical concurrent reads share a request, batchable reads
 * travel in batches, and reads may be cached (see {@link ClientOptions}).
 * @throws MaximusError `SDK_ERR_OPTIONS_INVALID` when an option is out of range
 * @example
 * import Maximus from '@maximus/sdk';
 * const client = new Maximus({ baseURL: 'http://127.0.0.1:8000', apiKey: process.env.MY_KEY });
 * const health = await client.health();
 * await client.close();
 */
export class Maximus {
  /** The options in force: yours, then the environment, then the defaults. */
  readonly options: ResolvedClientOptions;
  readonly #runtime: Runtime;
  readonly #ownsDispatcher: boolean;
  readonly #health: Health;
  readonly #whoami: Whoami;
  /** API keys: create, list, revoke (admin). */
  readonly keys: Keys;
  /** Platform JWTs: mint (admin). */
  readonly tokens: Tokens;
  /** Governance (human in the loop): decisions, votes, stats, the live stream, the action catalogue. */
  readonly governance: Governance;
  /** The consciousness model; for now its safety part (the kill switch). */
  readonly consciousness: Consciousness;
  /**
   * The query pipeline: `await client.query({ query })` answers; `client.query.stream({ query })` (or
   * `client.query({ query, stream: true })`) streams the answer's pieces, then the whole answer.
   */
  readonly query: QueryFunction;
  /** Events through hermes: publish, subscribe (an async iterable over SSE). */
  readonly events: Events;
  /** hermes's service registry: register (and heartbeat), list, remove. */
  readonly services: Services;
  /** EIKOS evidence: append, retrieve with an inclusion proof, batch read. */
  readonly evidence: Evidence;
  /** The ledger: signed tree head, public key, consistency proofs, raw entries. */
  readonly ledger: Ledger;
  /** The audit trail of a subject. */
  readonly audit: Audit;
  /** A timeline plus a full verification of the stored log. */
  readonly forensics: Forensics;
  /** PENELOPE code healing: diagnose, patches (list, retrieve, apply through governance), history. */
  readonly healing: Healing;
  /** PENELOPE's precedents: past healing cases like a new one. */
  readonly wisdom: Wisdom;
  /** PENELOPE's fruits and virtues: scores from measured signals, with formulas and inputs. */
  readonly spiritual: Spiritual;
  #closing: Promise<void> | undefined;

  constructor(options: ClientOptions = {}) {
    this.options = resolveClientOptions(options);
    this.#runtime = new Runtime(this.options, inheriting?.runtime, inheriting?.changed);
    inheriting = undefined;
    this.#ownsDispatcher = options.dispatcher === undefined;
    this.#health = new Health(this);
    this.#whoami = new Whoami(this);
    this.keys = new Keys(this);
    this.tokens = new Tokens(this);
    this.governance = new Governance(this);
    this.consciousness = new Consciousness(this);
    this.query = queryFunction(new Query(this));
    this.events = new Events(this);
    this.services = new Services(this);
    this.evidence = new Evidence(this);
    this.ledger = new Ledger(this);
    this.audit = new Audit(this);
    this.forensics = new Forensics(this);
    this.healing = new Healing(this);
    this.wisdom = new Wisdom(this);
    this.spiritual = new Spiritual(this);
  }

  /**
   * The platform's health from the gateway's `GET /health`, every service included. Resolves with the body
   * on 200 and on 503 (`status: 'down'`: a critical service is down), so a monitor can show what is down.
   * @throws ConnectionError, TimeoutError when the gateway cannot be reached
   * @example
   * const { status, services } = await client.health();
   */
  health(options?: RequestOptions): APIPromise<AggregateHealth> {
    return this.#health.retrieve(options);
  }

  /**
   * One service's health as the gateway sees it, through the aggregate `GET /health`: per-service reads made
   * together are batched into one request.
   * @example
   * const core = await client.serviceHealth('core');
   * if (core.status !== 'healthy') console.warn(core.error);
   */
  serviceHealth(name: ServiceName, options?: RequestOptions): APIPromise<ServiceHealthEntry> {
    return this.#health.service(name, options);
  }

  /**
   * The circuit breaker of every upstream called so far: state, failure rate over the window, consecutive
   * openings, time left open.
   * @example
   * for (const b of client.breakers()) if (b.state !== 'closed') console.warn(`${b.upstream} ${b.state} for ${Math.round(b.openForMs)} ms`);
   */
  breakers(): BreakerSnapshot[] {
    return this.#runtime.breakerSnapshots();
  }

  /**
   * The response cache's counts and hit ratio (zeros when `cache` is off).
   * @example
   * const { hitRatio, hits, misses } = client.cacheStats();
   */
  cacheStats(): CacheStats {
    return this.#runtime.cacheStats();
  }

  /**
   * How many reads joined another's request in flight (`joined`) rather than starting their own (`started`).
   * @example
   * const { started, joined } = client.coalescingStats();
   * console.log(`coalesced ${joined} of ${started + joined} reads`);
   */
  coalescingStats(): CoalescerStats {
    return this.#runtime.coalescer.stats();
  }

  /**
   * Who this client's credentials make it, from the gateway's `GET /api/v1/whoami`: the principal id, its role
   * (`admin`, `operator`, `readonly`) and how it authenticated. Any role may ask.
   * @throws AuthenticationError when the key or token is missing, unknown or revoked
   * @example
   * const me = await client.whoami();
   * console.log(`${me.id} (${me.role}, via ${me.via})`);
   */
  whoami(options?: RequestOptions): APIPromise<Principal> {
    return this.#whoami.retrieve(options);
  }

  /**
   * A raw call to any path, with the client's authentication, retries and deadline: what every resource
   * method uses, and an escape hatch for routes the SDK does not cover yet.
   * @throws APIError (a subclass per status), ConnectionError, TimeoutError, APIUserAbortError
   * @example
   * const body = await client.request<{ id: string }>({ method: 'POST', path: '/v1/things', body: { name: 'x' } });
   */
  request<T>(params: RequestParams, options?: RequestOptions): APIPromise<T> {
    return new APIPromise(performRequest<T>(this.#runtime, params, options));
  }

  /**
   * A copy of this client with some options changed. It shares this client's connection pool (and so must
   * not outlive this client's `close()`) unless `connections`, `keepAliveTimeout`, `tls`, `http2`, `proxy`
   * or `dispatcher` changes; `retry` and `defaultHeaders` are merged into this client's. It shares the
   * circuit breakers, retry budgets, in-flight reads, cache and metrics too, except those whose options change.
   * @example
   * const patient = client.withOptions({ timeout: 300_000, deadline: 600_000 });
   */
  withOptions(options: ClientOptions): Maximus {
    const changes = defined(options);
    const transportChanged =
      (changes.connections !== undefined && changes.connections !== this.options.connections) ||
      (changes.keepAliveTimeout !== undefined && changes.keepAliveTimeout !== this.options.keepAliveTimeout) ||
      changes.tls !== undefined ||
      (changes.proxy !== undefined && changes.proxy !== this.options.proxy) ||
      (changes.http2 !== undefined && changes.http2 !== this.options.http2);
    const newPool = changes.dispatcher === undefined && transportChanged;
    inheriting = { runtime: this.#runtime, changed: new Set(Object.keys(changes) as (keyof ClientOptions)[]) };
    try {
      return new Maximus({
        ...this.options,
        ...changes,
        retry: { ...this.options.retry, ...changes.retry },
        defaultHeaders: { ...this.options.defaultHeaders, ...changes.defaultHeaders },
        dispatcher: changes.dispatcher ?? (newPool ? undefined : this.options.dispatcher),
      });
    } finally {
      inheriting = undefined;
    }
  }

  /**
   * Closes the connection pool this client created, after its in-flight calls end. A pool passed as
   * `dispatcher`, or shared from another client by `withOptions`, is left open. Calls made afterwards fail
   * with `SDK_ERR_CLIENT_CLOSED`. Calling it again is harmless.
   */
  close(): Promise<void> {
    if (!this.#ownsDispatcher) return Promise.resolve();
    this.#closing ??= this.options.dispatcher.close();
    return this.#closing;
  }
}
