import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import {
  ActionList,
  DecisionApproveParams,
  DecisionCancelParams,
  DecisionCreateParams,
  DecisionDetail,
  DecisionList,
  DecisionListQuery,
  DecisionReasonParams,
  Decision,
  GovernanceStats,
} from '@maximus/contracts';
import { ACTIONS } from '../domain/catalogue.js';
import type { GovernanceRuntime } from './runtime.js';
import { streamTransitions } from './stream.js';

const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });
const tags = ['governance'];

/** `/api/v1/governance/*`: the contract's endpoints. Gateway roles gate reads (readonly) and writes (operator); the engine checks risk authority. */
export async function governanceRoutes(app: FastifyInstance, runtime: GovernanceRuntime): Promise<void> {
  const { engine, queries } = runtime;
  const catalogue = { data: ACTIONS.map((a) => ({ action_type: a.action_type, description: a.description, owner: a.owner, executor_available: a.executorAvailable, min_automation: a.minAutomation, never_full: a.minAutomation !== 'FULL', params_schema: a.params })) };

  app.get('/governance/actions', { schema: { summary: 'The action catalogue', tags, response: { 200: ActionList } } }, () => catalogue);

  app.post('/governance/decisions', { schema: { summary: 'Propose an action: evaluated, and executed at once when FULL', tags, body: DecisionCreateParams, response: { 201: Decision } } }, async (request, reply) =>
    reply.code(201).send(await engine.create(request.body as DecisionCreateParams, request.principal)),
  );

  app.get('/governance/decisions', { schema: { summary: 'Decisions, newest first, with filters and a cursor', tags, querystring: DecisionListQuery, response: { 200: DecisionList } } }, (request) =>
    queries.list(request.query as DecisionListQuery),
  );

  app.get('/governance/decisions/:id', { schema: { summary: 'One decision with its transitions and approvals', tags, params: IdParams, response: { 200: DecisionDetail } } }, (request) =>
    queries.retrieve((request.params as { id: string }).id),
  );

  app.post('/governance/decisions/:id/approve', { schema: { summary: 'Vote to approve (edited params are diffed and validated)', tags, params: IdParams, body: DecisionApproveParams, response: { 200: Decision } } }, (request) =>
    engine.approve((request.params as { id: string }).id, (request.body ?? {}) as DecisionApproveParams, request.principal),
  );

  app.post('/governance/decisions/:id/reject', { schema: { summary: 'Reject (one authorised rejection is final)', tags, params: IdParams, body: DecisionReasonParams, response: { 200: Decision } } }, (request) =>
    engine.reject((request.params as { id: string }).id, (request.body as { reason: string }).reason, request.principal),
  );

  app.post('/governance/decisions/:id/escalate', { schema: { summary: 'Move to the admin tier with a fresh deadline', tags, params: IdParams, body: DecisionReasonParams, response: { 200: Decision } } }, (request) =>
    engine.escalate((request.params as { id: string }).id, (request.body as { reason: string }).reason, request.principal),
  );

  app.post('/governance/decisions/:id/cancel', { schema: { summary: 'Withdraw (the proposer or an admin)', tags, params: IdParams, body: Type.Optional(DecisionCancelParams), response: { 200: Decision } } }, (request) =>
    engine.cancel((request.params as { id: string }).id, (request.body as { reason?: string } | undefined)?.reason, request.principal),
  );

  app.get('/governance/stats', { schema: { summary: 'Pending by risk, the oldest pending, SLA violations', tags, response: { 200: GovernanceStats } } }, () => queries.stats());

  app.get(
    '/governance/stream',
    { schema: { summary: 'Server-sent events: every transition (`Last-Event-ID` resumes)', tags, produces: ['text/event-stream'] } },
    (request, reply) => streamTransitions(request, reply, runtime),
  );
  await Promise.resolve();
}
