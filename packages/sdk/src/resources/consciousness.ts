import type {
  ArousalAdjusted,
  ArousalAdjustParams,
  ArousalState,
  ConsciousnessState,
  EmergencyShutdownAccepted,
  EmergencyShutdownParams,
  EsgtEvent,
  EsgtEventList,
  EsgtEventListQuery,
  EsgtTriggerParams,
  SafetyResumeParams,
  SafetyStatus,
  TigGraph,
  TigMetrics,
} from '@maximus/contracts';
import type { APIPromise } from '../core/api-promise.js';
import { CursorPager } from '../core/pagination.js';
import type { RequestOptions } from '../core/request.js';
import { APIResource } from '../core/resource.js';
import { resumeEventStream } from '../core/streaming.js';

const ROOT = '/core/api/v1/consciousness';

const BASE = '/core/api/v1/consciousness/safety';

/**
 * The kill switch (`/core/api/v1/consciousness/safety`): admin only.
 * @example
 * const { shut_down } = await client.consciousness.safety.status();
 */
export class Safety extends APIResource {
  /**
   * Whether the emergency shutdown holds, and any request still inside its override window.
   * @example const { shut_down, pending } = await client.consciousness.safety.status();
   */
  status(options?: RequestOptions): APIPromise<SafetyStatus> {
    return this._client.request<SafetyStatus>({ method: 'GET', path: `${BASE}/status` }, options);
  }

  /**
   * Requests the emergency shutdown: a governance decision that executes after the override window unless
   * another admin rejects it (`governance.decisions.reject`); the requester may cancel it.
   * @throws ConflictError when a shutdown is already requested or in force
   * @example
   * const { decision, executes_at } = await client.consciousness.safety.emergencyShutdown({ reason: 'runaway ignitions since 03:10' });
   */
  emergencyShutdown(params: EmergencyShutdownParams, options?: RequestOptions): APIPromise<EmergencyShutdownAccepted> {
    return this._client.request<EmergencyShutdownAccepted>({ method: 'POST', path: `${BASE}/emergency-shutdown`, body: params }, options);
  }

  /**
   * Lifts the emergency shutdown.
   * @throws ConflictError when the platform is not shut down
   * @example await client.consciousness.safety.resume({ reason: 'root cause fixed' });
   */
  resume(params: SafetyResumeParams = {}, options?: RequestOptions): APIPromise<SafetyStatus> {
    return this._client.request<SafetyStatus>({ method: 'POST', path: `${BASE}/resume`, body: params }, options);
  }
}

/**
 * The TIG fabric: `client.consciousness.tig`.
 * @example
 * const { nodes } = await client.consciousness.tig.graph();
 */
export class Tig extends APIResource {
  /**
   * Structural metrics of the live fabric, each as networkx computes it on {@link Tig.graph}'s export.
   * @example const { algebraic_connectivity, avg_path_length, path_length_policy } = await client.consciousness.tig.metrics();
   */
  metrics(options?: RequestOptions): APIPromise<TigMetrics> {
    return this._client.request<TigMetrics>({ method: 'GET', path: `${ROOT}/tig/metrics` }, options);
  }

  /**
   * The live fabric: nodes with their state, links with latency and bandwidth.
   * @example
   * const { nodes, edges } = await client.consciousness.tig.graph();
   * const offline = nodes.filter((n) => n.state === 'offline').length;
   */
  graph(options?: RequestOptions): APIPromise<TigGraph> {
    return this._client.request<TigGraph>({ method: 'GET', path: `${ROOT}/tig/graph` }, options);
  }
}

/**
 * Arousal: `client.consciousness.arousal`.
 * @example
 * const { value, level } = await client.consciousness.arousal.retrieve();
 */
export class Arousal extends APIResource {
  /**
   * Value, level, baseline, target and each contribution (measured signal, pressure, weight).
   * @example const { value, level, contributions } = await client.consciousness.arousal.retrieve();
   */
  retrieve(options?: RequestOptions): APIPromise<ArousalState> {
    return this._client.request<ArousalState>({ method: 'GET', path: `${ROOT}/arousal` }, options);
  }

  /**
   * A modulation: `delta` ∈ [−0.5, 0.5] that decays linearly to 0 over `duration_seconds`.
   * @throws BadRequestError when delta is out of range; ServiceUnavailableError (`CORE_ERR_SAFETY_SHUT_DOWN`) while the kill switch holds
   * @example await client.consciousness.arousal.adjust({ delta: 0.2, duration_seconds: 300, source: 'incident 4711' });
   */
  adjust(params: ArousalAdjustParams, options?: RequestOptions): APIPromise<ArousalAdjusted> {
    return this._client.request<ArousalAdjusted>({ method: 'POST', path: `${ROOT}/arousal/adjust`, body: params }, options);
  }
}

/**
 * Filters of {@link EsgtEvents.list}; `cursor` starts from a page a previous call returned.
 * @example
 * const params: EsgtEventListParams = { outcome: 'blocked', limit: 20 };
 */
export type EsgtEventListParams = Omit<EsgtEventListQuery, 'limit'> & { limit?: number };

/**
 * An auto-paginating list of ignition attempts: iterate it with `for await`, read one page with `page()`,
 * every page with `pages()`, or the first items with `toArray(limit)`.
 * @example
 * const blocked = await client.consciousness.esgt.events.list({ outcome: 'blocked' }).toArray(20);
 */
export class EsgtEventPager extends CursorPager<EsgtEvent, EsgtEventList> {
  constructor(fetch: (cursor: string | undefined) => APIPromise<EsgtEventList>) {
    super(fetch, (page) => page.next_cursor);
  }
}

/**
 * Recorded ignition attempts: `client.consciousness.esgt.events`.
 * @example
 * for await (const e of client.consciousness.esgt.events.list({ outcome: 'success' })) console.log(e.id);
 */
export class EsgtEvents extends APIResource {
  /**
   * Every attempt matching the filters, newest first, fetched page by page as you iterate.
   * @example
   * for await (const e of client.consciousness.esgt.events.list({ outcome: 'blocked' })) console.log(e.gate, e.reason);
   */
  list(params: EsgtEventListParams = {}, options?: RequestOptions): EsgtEventPager {
    return new EsgtEventPager((cursor) =>
      this._client.request<EsgtEventList>({ method: 'GET', path: `${ROOT}/esgt/events`, query: { ...params, ...(cursor ? { cursor } : {}) } }, options),
    );
  }

  /** One attempt. @throws NotFoundError */
  retrieve(id: string, options?: RequestOptions): APIPromise<EsgtEvent> {
    return this._client.request<EsgtEvent>({ method: 'GET', path: `${ROOT}/esgt/events/${encodeURIComponent(id)}` }, options);
  }
}

/**
 * ESGT ignitions: `client.consciousness.esgt`.
 * @example
 * const attempt = await client.consciousness.esgt.trigger({ novelty: 0.9, relevance: 0.8, urgency: 0.7 });
 */
export class Esgt extends APIResource {
  readonly events = new EsgtEvents(this._client);

  /**
   * Attempts an ignition. The answer is the recorded attempt: `success`, `failed` (no synchronisation within the
   * budget) or `blocked` (`gate` and `reason` say which gate).
   * @throws ServiceUnavailableError (`CORE_ERR_SAFETY_SHUT_DOWN`) while the kill switch holds
   * @example
   * const e = await client.consciousness.esgt.trigger({ novelty: 0.9, relevance: 0.8, urgency: 0.7 });
   * if (e.outcome === 'success') console.log(e.coherence?.time_to_sync_ms);
   */
  trigger(params: EsgtTriggerParams, options?: RequestOptions): APIPromise<EsgtEvent> {
    return this._client.request<EsgtEvent>({ method: 'POST', path: `${ROOT}/esgt/trigger`, body: params }, options);
  }
}

/**
 * One server-sent event of {@link Consciousness.stream}: a `state` snapshot, or a model event (`esgt.success`, `arousal.level_changed`, …).
 * @example
 * const onEvent = (e: ConsciousnessStreamEvent) => (e.event === 'state' ? console.log(e.data.arousal.value) : console.log(e.event));
 */
export type ConsciousnessStreamEvent =
  | { event: 'state'; id: undefined; data: ConsciousnessState }
  | { event: string; /** resumes the events (`lastEventId`) */ id: string | undefined; data: unknown };

/**
 * Options of {@link Consciousness.stream}.
 * @example
 * const params: ConsciousnessStreamParams = { intervalMs: 2_000, idleTimeoutMs: 30_000 };
 */
export interface ConsciousnessStreamParams {
  /** How often a `state` snapshot comes, ms (250–60000). @default 1000 */
  intervalMs?: number;
  /** Resume the model events after this event id (from a previous stream). */
  lastEventId?: string;
  /** Stops the stream. */
  signal?: AbortSignal;
  /**
   * No snapshot nor event for this long: the connection is taken for dead and reopened after the last event id
   * received. @default 45000, or three snapshot intervals when that is longer
   */
  idleTimeoutMs?: number;
  /**
   * Reconnections in a row, without a snapshot or event in between, before the iteration throws the last failure
   * ({@link StreamIdleTimeoutError} when the connections fell silent); 0 never reconnects.
   * @default 10 (about 28 s of outage with the default backoff)
   */
  maxReconnects?: number;
}

/**
 * The consciousness model (core): `client.consciousness` — state, the TIG fabric, arousal, ESGT ignitions, the live
 * stream, and the kill switch.
 * @example
 * const { arousal, tig, esgt } = await client.consciousness.state();
 */
export class Consciousness extends APIResource {
  readonly safety = new Safety(this._client);
  readonly tig = new Tig(this._client);
  readonly arousal = new Arousal(this._client);
  readonly esgt = new Esgt(this._client);

  /**
   * Arousal, TIG summary, ignition activity and health of the model.
   * @example const { arousal, tig, esgt, health } = await client.consciousness.state();
   */
  state(options?: RequestOptions): APIPromise<ConsciousnessState> {
    return this._client.request<ConsciousnessState>({ method: 'GET', path: `${ROOT}/state` }, options);
  }

  /**
   * State snapshots and model events as they happen (SSE), until `signal` aborts or the loop breaks. A lost, silent
   * or refused (5xx, 429) connection is reopened after the last event id received, so no model event is missed (one
   * may come twice: deduplicate by `id`); snapshots simply resume.
   * @throws APIError when the gateway refuses the stream (401, 403); after `maxReconnects` failures in a row, the
   * last (a ConnectionError, a StreamIdleTimeoutError when the connections fell silent, or the 5xx APIError)
   * @example
   * const stop = new AbortController();
   * for await (const e of client.consciousness.stream({ signal: stop.signal })) {
   *   if (e.event === 'state') console.log(e.data.arousal.value);
   *   else console.log(e.event, e.data);
   * }
   */
  async *stream(params: ConsciousnessStreamParams = {}): AsyncGenerator<ConsciousnessStreamEvent> {
    const query = params.intervalMs !== undefined ? `?interval_ms=${encodeURIComponent(String(params.intervalMs))}` : '';
    const stream = resumeEventStream(this._client.options, {
      path: `${ROOT}/stream${query}`,
      idleTimeoutMs: params.idleTimeoutMs ?? Math.max(45_000, 3 * (params.intervalMs ?? 1_000)),
      ...(params.maxReconnects !== undefined ? { maxReconnects: params.maxReconnects } : {}),
      ...(params.lastEventId ? { lastEventId: params.lastEventId } : {}),
      ...(params.signal ? { signal: params.signal } : {}),
    });
    for await (const message of stream) {
      yield { event: message.event, id: message.id, data: JSON.parse(message.data) as unknown };
    }
  }
}
