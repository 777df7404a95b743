import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import {
  ArousalAdjusted,
  ArousalAdjustParams,
  ArousalState,
  ConsciousnessState,
  EsgtEvent,
  EsgtEventList,
  EsgtEventListQuery,
  EsgtTriggerParams,
  TigGraph,
  TigMetrics,
} from '@maximus/contracts';
import type { Database } from '@maximus/kit/db';
import { CoreErrors } from '../errors.js';
import type { ConsciousnessRuntime } from './runtime.js';
import { streamConsciousness } from './stream.js';

const tags = ['consciousness'];
const StreamQuery = Type.Object({ interval_ms: Type.Optional(Type.Integer({ minimum: 250, maximum: 60_000, default: 1000 })) }, { additionalProperties: false });
const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });

/** `/api/v1/consciousness/*` (the safety routes live in ../safety). */
export async function consciousnessRoutes(app: FastifyInstance, runtime: ConsciousnessRuntime, db: Database): Promise<void> {
  app.get('/consciousness/state', { schema: { summary: 'Arousal, TIG summary, ignition activity and health of the model', tags, response: { 200: ConsciousnessState } } }, () => runtime.state());

  app.get('/consciousness/tig/metrics', { schema: { summary: 'Structural metrics of the live TIG fabric (networkx definitions; computed in a worker thread)', tags, response: { 200: TigMetrics } } }, () => runtime.tigMetrics());

  app.get('/consciousness/tig/graph', { schema: { summary: 'The live TIG fabric: nodes with their state, links with latency and bandwidth', tags, response: { 200: TigGraph } } }, () => runtime.graph());

  app.get('/consciousness/arousal', { schema: { summary: 'Arousal: value, level, baseline, target and each contribution', tags, response: { 200: ArousalState } } }, () => runtime.arousal());

  app.post(
    '/consciousness/arousal/adjust',
    { schema: { summary: 'Modulate arousal: a delta that decays linearly over its duration (refused while the kill switch holds)', tags, body: ArousalAdjustParams, response: { 201: ArousalAdjusted } } },
    async (request, reply) => reply.code(201).send(await runtime.adjust(request.body as ArousalAdjustParams, request.principal)),
  );

  app.post(
    '/consciousness/esgt/trigger',
    { schema: { summary: 'Attempt an ignition: gates, then Kuramoto synchronisation of the recruited nodes; every attempt is recorded', tags, body: EsgtTriggerParams, response: { 200: EsgtEvent } } },
    (request) => runtime.trigger(request.body as EsgtTriggerParams, request.principal),
  );

  app.get('/consciousness/esgt/events', { schema: { summary: 'Ignition attempts, newest first, with filters and a cursor', tags, querystring: EsgtEventListQuery, response: { 200: EsgtEventList } } }, (request) =>
    runtime.events(request.query as EsgtEventListQuery),
  );

  app.get('/consciousness/esgt/events/:id', { schema: { summary: 'One ignition attempt', tags, params: IdParams, response: { 200: EsgtEvent } } }, async (request) => {
    const { id } = request.params as { id: string };
    const event = await runtime.event(id);
    if (!event) throw new CoreErrors.EsgtEventNotFound(id);
    return event;
  });

  app.get(
    '/consciousness/stream',
    { schema: { summary: 'Server-sent events: state snapshots and every consciousness event (`Last-Event-ID` resumes the events)', tags, querystring: StreamQuery, produces: ['text/event-stream'] } },
    (request, reply) => streamConsciousness(request, reply, runtime, db, (request.query as { interval_ms?: number }).interval_ms ?? 1000),
  );
  await Promise.resolve();
}
