import type {
  ActionInfo,
  ActionList,
  Decision,
  DecisionApproveParams,
  DecisionCancelParams,
  DecisionCreateParams,
  DecisionDetail,
  DecisionList,
  DecisionListQuery,
  DecisionRejectParams,
  DecisionEscalateParams,
  GovernanceEvent,
  GovernanceStats,
} from '@maximus/contracts';
import type { APIPromise } from '../core/api-promise.js';
import { CursorPager } from '../core/pagination.js';
import type { RequestOptions } from '../core/request.js';
import { APIResource } from '../core/resource.js';
import { resumeEventStream } from '../core/streaming.js';

const BASE = '/core/api/v1/governance';
const path = (id: string, verb?: string) => `${BASE}/decisions/${encodeURIComponent(id)}${verb ? `/${verb}` : ''}`;

/**
 * Filters of {@link GovernanceDecisions.list}; `cursor` starts from a page a previous call returned.
 * @example
 * const params: DecisionListParams = { status: 'pending', limit: 50 };
 */
export type DecisionListParams = Omit<DecisionListQuery, 'limit'> & { limit?: number };

/**
 * Decisions: `client.governance.decisions`. Proposals wait for a human (or execute at once when FULL); votes,
 * rejections, escalations and cancellations are transitions serialised by the server.
 * @example
 * const detail = await client.governance.decisions.retrieve(id);
 * await client.governance.decisions.approve(id, { comment: 'checked the source IP' });
 */
export class GovernanceDecisions extends APIResource {
  /**
   * Proposes an action. The answer says its risk, automation level and status (`executing` when FULL).
   * @throws BadRequestError when the params fail the action's schema (`errors[].pointer` names the field)
   * @example
   * const d = await client.governance.decisions.create({ action_type: 'block_ip', params: { address: '203.0.113.7' }, reasoning: 'scanner', confidence: 0.9, risk_factors: { threat: 0.4, asset: 0.2, business: 0.1, action: 0.2, compliance: 0, environment: 0.3 } });
   */
  create(params: DecisionCreateParams, options?: RequestOptions): APIPromise<Decision> {
    return this._client.request<Decision>({ method: 'POST', path: `${BASE}/decisions`, body: params }, options);
  }

  /** One decision with its transitions and approvals. @throws NotFoundError */
  retrieve(id: string, options?: RequestOptions): APIPromise<DecisionDetail> {
    return this._client.request<DecisionDetail>({ method: 'GET', path: path(id) }, options);
  }

  /**
   * Every decision matching the filters, newest first, fetched page by page as you iterate.
   * @example
   * for await (const d of client.governance.decisions.list({ status: 'pending' })) console.log(d.id, d.risk_level);
   */
  list(params: DecisionListParams = {}, options?: RequestOptions): DecisionPager {
    return new DecisionPager((cursor) =>
      this._client.request<DecisionList>({ method: 'GET', path: `${BASE}/decisions`, query: { ...params, ...(cursor ? { cursor } : {}) } }, options),
    );
  }

  /**
   * Votes to approve; `params` edits the action (the server diffs, records and validates them again).
   * @throws ConflictError (409) when the decision is final or you already voted; PermissionDeniedError (403) without authority
   */
  approve(id: string, params: DecisionApproveParams = {}, options?: RequestOptions): APIPromise<Decision> {
    return this._client.request<Decision>({ method: 'POST', path: path(id, 'approve'), body: params }, options);
  }

  /** Rejects: one authorised rejection is final. @throws ConflictError, PermissionDeniedError */
  reject(id: string, params: DecisionRejectParams, options?: RequestOptions): APIPromise<Decision> {
    return this._client.request<Decision>({ method: 'POST', path: path(id, 'reject'), body: params }, options);
  }

  /** Moves a pending decision to the admin tier with a fresh deadline. @throws ConflictError */
  escalate(id: string, params: DecisionEscalateParams, options?: RequestOptions): APIPromise<Decision> {
    return this._client.request<Decision>({ method: 'POST', path: path(id, 'escalate'), body: params }, options);
  }

  /** Withdraws a pending decision (its proposer or an admin). @throws ConflictError, PermissionDeniedError */
  cancel(id: string, params: DecisionCancelParams = {}, options?: RequestOptions): APIPromise<Decision> {
    return this._client.request<Decision>({ method: 'POST', path: path(id, 'cancel'), body: params }, options);
  }
}

/**
 * The auto-paginating list of {@link GovernanceDecisions.list}: iterate it with `for await`, read one page
 * with `page()`, every page with `pages()`, or the first items with `toArray(limit)`.
 * @example
 * const pending = await client.governance.decisions.list({ status: 'pending' }).toArray(50);
 */
export class DecisionPager extends CursorPager<Decision, DecisionList> {
  constructor(fetch: (cursor: string | undefined) => APIPromise<DecisionList>) {
    super(fetch, (page) => page.next_cursor);
  }
}

/**
 * One server-sent event of {@link Governance.stream}: `id` resumes the stream (`lastEventId`).
 * @example
 * const onEvent = (e: GovernanceStreamEvent) => console.log(e.id, e.event, e.decision.id);
 */
export interface GovernanceStreamEvent extends GovernanceEvent {
  id: string;
  /** The status the decision entered (or kept: `pending` for votes and escalations). */
  event: string;
}

/**
 * Options of {@link Governance.stream}.
 * @example
 * const params: GovernanceStreamParams = { lastEventId: '41', idleTimeoutMs: 30_000 };
 */
export interface GovernanceStreamParams {
  /** Resume after this event id (from a previous stream). */
  lastEventId?: string;
  /** Stops the stream. */
  signal?: AbortSignal;
  /**
   * No event nor heartbeat (core sends one every 15 s) for this long: the connection is taken for dead and
   * reopened after the last event id received. @default 45000
   */
  idleTimeoutMs?: number;
  /**
   * Reconnections in a row, without an event in between, before the iteration throws the last failure
   * ({@link StreamIdleTimeoutError} when the connections fell silent); 0 never reconnects.
   * @default 10 (about 28 s of outage with the default backoff)
   */
  maxReconnects?: number;
}

/**
 * Human-in-the-loop governance: `client.governance` (core's `/api/v1/governance`).
 * @example
 * const { pending, oldest_pending } = await client.governance.stats();
 */
export class Governance extends APIResource {
  readonly decisions = new GovernanceDecisions(this._client);

  /** Pending by risk, the oldest pending, SLA violations. */
  stats(options?: RequestOptions): APIPromise<GovernanceStats> {
    return this._client.request<GovernanceStats>({ method: 'GET', path: `${BASE}/stats` }, options);
  }

  /** The action catalogue: params schema, owner, minimum automation level. */
  actions(options?: RequestOptions): APIPromise<ActionInfo[]> {
    return this._client.request<ActionList>({ method: 'GET', path: `${BASE}/actions` }, options)._thenUnwrap((list) => list.data);
  }

  /**
   * Every transition as it happens (SSE), until `signal` aborts or the loop breaks. A lost, silent or refused
   * (5xx, 429) connection is reopened after the last event id received, so no transition is missed (one may come
   * twice: deduplicate by `id`).
   * @throws APIError when the gateway refuses the stream (401, 403); after `maxReconnects` failures in a row, the
   * last (a ConnectionError, a StreamIdleTimeoutError when the connections fell silent, or the 5xx APIError)
   * @example
   * const stop = new AbortController();
   * for await (const e of client.governance.stream({ signal: stop.signal })) console.log(e.event, e.decision.id);
   */
  async *stream(params: GovernanceStreamParams = {}): AsyncGenerator<GovernanceStreamEvent> {
    const stream = resumeEventStream(this._client.options, {
      path: `${BASE}/stream`,
      idleTimeoutMs: params.idleTimeoutMs ?? 45_000,
      ...(params.maxReconnects !== undefined ? { maxReconnects: params.maxReconnects } : {}),
      ...(params.lastEventId ? { lastEventId: params.lastEventId } : {}),
      ...(params.signal ? { signal: params.signal } : {}),
    });
    for await (const message of stream) {
      yield { id: message.id ?? '', event: message.event, ...(JSON.parse(message.data) as GovernanceEvent) };
    }
  }
}
