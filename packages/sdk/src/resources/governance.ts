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
import { APIError } from '../errors.js';
import type { APIPromise } from '../core/api-promise.js';
import type { RequestOptions } from '../core/request.js';
import { APIResource } from '../core/resource.js';

const BASE = '/core/api/v1/governance';
const path = (id: string, verb?: string) => `${BASE}/decisions/${encodeURIComponent(id)}${verb ? `/${verb}` : ''}`;

/** Filters of {@link GovernanceDecisions.list}; `cursor` starts from a page a previous call returned. */
export type DecisionListParams = Omit<DecisionListQuery, 'limit'> & { limit?: number };

/**
 * Decisions: `client.governance.decisions`. Proposals wait for a human (or execute at once when FULL); votes,
 * rejections, escalations and cancellations are transitions serialised by the server.
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

/** An auto-paginating list: iterate it with `for await`, or read one page with `page()`. */
export class DecisionPager implements AsyncIterable<Decision> {
  readonly #fetch: (cursor: string | undefined) => APIPromise<DecisionList>;

  constructor(fetch: (cursor: string | undefined) => APIPromise<DecisionList>) {
    this.#fetch = fetch;
  }

  /** One page (`next_cursor` continues it). */
  page(cursor?: string): APIPromise<DecisionList> {
    return this.#fetch(cursor);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Decision> {
    let cursor: string | undefined;
    do {
      const page = await this.#fetch(cursor);
      yield* page.data;
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
  }
}

/** One server-sent event of {@link Governance.stream}: `id` resumes the stream (`lastEventId`). */
export interface GovernanceStreamEvent extends GovernanceEvent {
  id: string;
  /** The status the decision entered (or kept: `pending` for votes and escalations). */
  event: string;
}

export interface GovernanceStreamParams {
  /** Resume after this event id (from a previous stream). */
  lastEventId?: string;
  /** Stops the stream. */
  signal?: AbortSignal;
}

/** Human-in-the-loop governance: `client.governance` (core's `/api/v1/governance`). */
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
   * Every transition as it happens (SSE), until `signal` aborts or the loop breaks. Not retried: reconnect with `lastEventId`.
   * @throws APIError when the gateway refuses the stream (401, 403)
   * @example
   * const stop = new AbortController();
   * for await (const e of client.governance.stream({ signal: stop.signal })) console.log(e.event, e.decision.id);
   */
  async *stream(params: GovernanceStreamParams = {}): AsyncGenerator<GovernanceStreamEvent> {
    const o = this._client.options;
    const base = new URL(o.baseURL);
    const headers: Record<string, string> = { accept: 'text/event-stream', ...o.defaultHeaders };
    if (o.apiKey) headers['x-api-key'] = o.apiKey;
    if (o.token) headers.authorization = `Bearer ${o.token}`;
    if (params.lastEventId) headers['last-event-id'] = params.lastEventId;
    const response = await o.dispatcher.request({
      origin: base.origin,
      path: `${base.pathname.replace(/\/+$/, '')}${BASE}/stream`,
      method: 'GET',
      headers,
      headersTimeout: 0,
      bodyTimeout: 0,
      ...(params.signal ? { signal: params.signal } : {}),
    });
    if (response.statusCode >= 400) {
      const text = await response.body.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // not JSON: the text is the body
      }
      throw APIError.generate(response.statusCode, body, response.headers);
    }
    let buffer = '';
    try {
      for await (const chunk of response.body) {
        buffer += (chunk as Buffer).toString('utf8');
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = parseEvent(block);
          if (event) yield event;
        }
      }
    } catch (error) {
      if (params.signal?.aborted) return;
      throw error;
    } finally {
      response.body.destroy();
    }
  }
}

function parseEvent(block: string): GovernanceStreamEvent | undefined {
  let id = '';
  let event = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'id') id = value;
    else if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  if (!data.length) return undefined;
  return { id, event, ...(JSON.parse(data.join('\n')) as GovernanceEvent) };
}
