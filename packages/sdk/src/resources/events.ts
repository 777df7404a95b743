import type { EventEnvelope, EventPublished, EventPublishParams, ServiceInstance, ServiceInstanceList, ServiceRegisterParams } from '@maximus/contracts';
import type { APIPromise } from '../core/api-promise.js';
import type { RequestOptions } from '../core/request.js';
import { APIResource } from '../core/resource.js';
import { resumeEventStream } from '../core/streaming.js';

export { SseParser } from '../core/streaming.js';

/**
 * One event of a subscription: the bus event and its position in the stream.
 * @example
 * const onEvent = (e: StreamEvent) => console.log(e.position, e.topic, e.payload);
 */
export interface StreamEvent extends EventEnvelope {
  /** Resume after it with `lastEventId` (the SSE `id:`). */
  position: string;
}

/**
 * What {@link Events.subscribe} listens to, and from where.
 * @example
 * const params: EventSubscribeParams = { topics: ['governance.>'], lastEventId: '1042', idleTimeoutMs: 30_000 };
 */
export interface EventSubscribeParams {
  /** NATS-style patterns: `*` one segment, `>` the rest (`['governance.*', 'audit.>']`). */
  topics: readonly string[];
  /** Start after this position (from an earlier event's `position`). @default only events from now on */
  lastEventId?: string;
  /** Ends the iteration. */
  signal?: AbortSignal;
  /**
   * A connection silent this long (hermes sends a heartbeat every 15 s) is taken for dead and reopened
   * from the last position. @default 45000
   */
  idleTimeoutMs?: number;
  /** Reconnections in a row, without an event in between, before the iteration throws. @default 10 (about 28 s of outage with the default backoff) */
  maxReconnects?: number;
}

/**
 * Events through hermes: `/hermes/api/v1/events`.
 * @example
 * await client.events.publish({ topic: 'deploy.finished', payload: { sha: 'abc123' } });
 */
export class Events extends APIResource {
  /**
   * Publishes an event through hermes's outbox. Give `id` to make the call safe to repeat: the same id within
   * two minutes publishes once and answers with the first event (`duplicate: true`).
   * @throws ConflictError when `id` was used for another topic within the window
   * @example
   * const { id } = await client.events.publish({ topic: 'deploy.finished', payload: { sha }, id: `deploy-${sha}` });
   */
  publish(params: EventPublishParams, options?: RequestOptions): APIPromise<EventPublished> {
    return this._client.request<EventPublished>({ method: 'POST', path: '/hermes/api/v1/events', body: params }, options);
  }

  /**
   * The events of `topics` as an async iterable, over Server-Sent Events. Delivery is at-least-once: a lost
   * connection, a silent one (`idleTimeoutMs`) or a server that drops a slow reader is reopened after the
   * last position received, so nothing is missed (an event may come twice: deduplicate by `id`).
   * @throws APIError (a bad pattern: BadRequestError), ConnectionError after `maxReconnects` failures
   * @example
   * const controller = new AbortController();
   * for await (const event of client.events.subscribe({ topics: ['governance.>'], signal: controller.signal })) {
   *   console.log(event.position, event.topic, event.payload);
   * }
   */
  async *subscribe(params: EventSubscribeParams): AsyncGenerator<StreamEvent> {
    const query = new URLSearchParams({ topics: params.topics.join(',') });
    const stream = resumeEventStream(this._client.options, {
      path: `/hermes/api/v1/events/subscribe?${query.toString()}`,
      idleTimeoutMs: params.idleTimeoutMs ?? 45_000,
      ...(params.maxReconnects !== undefined ? { maxReconnects: params.maxReconnects } : {}),
      endedBy: (message) => (message.event === 'dropped' || message.event === 'error' ? message.data : undefined),
      ...(params.lastEventId !== undefined ? { lastEventId: params.lastEventId } : {}),
      ...(params.signal ? { signal: params.signal } : {}),
    });
    for await (const message of stream) {
      if (message.id === undefined) continue;
      yield { ...(JSON.parse(message.data) as EventEnvelope), position: message.id };
    }
  }
}

/**
 * The service registry: `/hermes/api/v1/services`.
 * @example
 * const instances = await client.services.list({ name: 'worker' });
 */
export class Services extends APIResource {
  /**
   * Registers an instance, or heartbeats it: call again before `ttl_seconds` runs out to stay listed.
   * @example
   * const me = await client.services.register({ name: 'worker', url: 'http://10.0.0.5:9000', health_url: 'http://10.0.0.5:9000/health', ttl_seconds: 30 });
   */
  register(params: ServiceRegisterParams, options?: RequestOptions): APIPromise<ServiceInstance> {
    return this._client.request<ServiceInstance>({ method: 'POST', path: '/hermes/api/v1/services', body: params }, options);
  }

  /**
   * Instances whose TTL has not run out, optionally of one service.
   * @example
   * const workers = await client.services.list({ name: 'worker' });
   */
  list(params: { name?: string } = {}, options?: RequestOptions): APIPromise<ServiceInstance[]> {
    return this._client
      .request<ServiceInstanceList>({ method: 'GET', path: '/hermes/api/v1/services', query: { name: params.name } }, options)
      ._thenUnwrap((page) => page.data);
  }

  /**
   * Deregisters an instance.
   * @throws NotFoundError when no instance has that id
   * @example
   * await client.services.remove(me.instance_id);
   */
  remove(instanceId: string, options?: RequestOptions): APIPromise<ServiceInstance> {
    return this._client.request<ServiceInstance>({ method: 'DELETE', path: `/hermes/api/v1/services/${encodeURIComponent(instanceId)}` }, options);
  }
}
