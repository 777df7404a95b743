import type { AggregateHealth, Principal } from '@maximus/contracts';
import { APIPromise } from './core/api-promise.js';
import { resolveClientOptions, type ClientOptions, type ResolvedClientOptions } from './core/options.js';
import { performRequest, type RequestOptions, type RequestParams } from './core/request.js';
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

/**
 * The MAXIMUS client. One instance per process is enough: it keeps a keep-alive pool of `connections`
 * connections per origin, and every call retries, backs off and respects its deadline by itself.
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
    return new APIPromise(performRequest<T>(this.options, params, options));
  }

  /**
   * A copy of this client with some options changed. It shares this client's connection pool (and so must
   * not outlive this client's `close()`) unless `connections` or `dispatcher` changes; `retry` and
   * `defaultHeaders` are merged into this client's.
   * @example
   * const patient = client.withOptions({ timeout: 300_000, deadline: 600_000 });
   */
  withOptions(options: ClientOptions): Maximus {
    const changes = defined(options);
    const transportChanged =
      (changes.connections !== undefined && changes.connections !== this.options.connections) ||
      changes.tls !== undefined ||
      (changes.http2 !== undefined && changes.http2 !== this.options.http2);
    const newPool = changes.dispatcher === undefined && transportChanged;
    return new Maximus({
      ...this.options,
      ...changes,
      retry: { ...this.options.retry, ...changes.retry },
      defaultHeaders: { ...this.options.defaultHeaders, ...changes.defaultHeaders },
      dispatcher: changes.dispatcher ?? (newPool ? undefined : this.options.dispatcher),
    });
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
