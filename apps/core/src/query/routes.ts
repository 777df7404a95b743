import type { FastifyInstance } from 'fastify';
import { Counter, Histogram } from 'prom-client';
import { QueryParams, QueryResponse } from '@maximus/contracts';
import type { ServiceContext } from '@maximus/kit/service';
import { passThroughRetriever, passThroughScreener, type ContextRetriever, type Screener } from './hooks.js';
import { createPipeline } from './pipeline.js';
import { proposeFixRoute } from './propose-fix.js';
import { createProvider, type Provider } from './providers/index.js';
import { QuerySse } from './sse.js';

/** The plugs of the pipeline: ADW's screener and THOTH's retriever replace the pass-throughs when they exist. */
export interface QueryPlugs {
  screener?: Screener;
  retriever?: ContextRetriever;
}

const tags = ['query'];

/**
 * `POST /api/v1/query`: the query pipeline, answered as JSON or, with `stream: true`, as Server-Sent Events; and the
 * internal `POST /api/v1/query/propose-fix` (PENELOPE's model patches), with the same provider.
 */
export async function queryRoutes(app: FastifyInstance, ctx: ServiceContext, plugs: QueryPlugs = {}): Promise<void> {
  const llm = ctx.config.llm;
  let provider: Promise<Provider> | undefined;
  // One provider for the queries and the fixes, created on first use (a failed creation is tried again).
  const theProvider = () =>
    (provider ??= createProvider(llm).catch((error: unknown) => {
      provider = undefined;
      throw error;
    }));
  const queries = new Counter({ name: 'maximus_queries_total', help: 'Queries by provider and outcome (answered, or the error code)', labelNames: ['provider', 'outcome'], registers: [ctx.metrics.registry] });
  const duration = new Histogram({ name: 'maximus_query_duration_seconds', help: 'Query processing time by provider', labelNames: ['provider'], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60], registers: [ctx.metrics.registry] });
  const run = createPipeline({
    provider: theProvider,
    screener: plugs.screener ?? passThroughScreener,
    retriever: plugs.retriever ?? passThroughRetriever,
    peers: () => ctx.peers,
    outbox: ctx.outbox,
    log: ctx.log,
    defaultMaxTokens: llm.maxTokens,
    toolTimeoutMs: llm.toolTimeoutMs,
    onDone: (name, outcome, seconds) => {
      queries.inc({ provider: name, outcome });
      duration.observe({ provider: name }, seconds);
    },
  });

  app.post(
    '/query',
    {
      schema: {
        summary: 'Ask a question: screening, context, provider with tools, reflection, confidence, evidence (`stream: true` answers as SSE)',
        tags,
        body: QueryParams,
        response: { 200: QueryResponse },
        produces: ['application/json', 'text/event-stream'],
      },
    },
    async (request, reply) => {
      const params = request.body as QueryParams;
      const principal = request.principal!;
      if (!params.stream) return run(params, principal);
      const sse = new QuerySse(request, reply);
      try {
        const response = await run(params, principal, {
          onStage: (s) => sse.queue('stage', s),
          onTool: (r) => sse.send('tool', r),
          onDelta: (text) => sse.send('delta', { text }),
        });
        sse.send('final', response);
        sse.end();
      } catch (error) {
        if (!sse.opened) throw error;
        request.log.warn({ err: error }, 'streamed query failed after the stream opened');
        sse.fail(error);
      }
      return reply;
    },
  );
  await proposeFixRoute(app, ctx, theProvider);
}
