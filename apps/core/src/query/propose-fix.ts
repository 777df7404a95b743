import type { FastifyInstance } from 'fastify';
import { Counter } from 'prom-client';
import { ProposeFixParams, ProposeFixResponse } from '@maximus/contracts';
import type { ServiceContext } from '@maximus/kit/service';
import { callerGone } from '@maximus/kit/peers';
import { CoreErrors, paramsValidationError } from '../errors.js';
import { FIX_SYSTEM_PROMPT, fixMaxTokens, fixParamsIssues, fixPrompt, parseFixAnswer } from './fix.js';
import type { Provider } from './providers/index.js';

/** The internal route and its one caller (core's `internalRoutes` lists it `only`: no user may call it, and it is not in the OpenAPI document). */
export const PROPOSE_FIX_ROUTE = { method: 'POST', path: '/api/v1/query/propose-fix', callers: ['penelope'], only: true } as const;

/**
 * `POST /api/v1/query/propose-fix` (`service:penelope` only): the configured model's fix for the findings of a diagnosis,
 * as the whole corrected content of each file it changes. 409 `CORE_ERR_QUERY_NO_MODEL` with the local provider; 502
 * `CORE_ERR_QUERY_FIX_INVALID` for an answer that is not a usable fix; the provider's failures as the query maps them.
 */
export async function proposeFixRoute(app: FastifyInstance, ctx: ServiceContext, provider: () => Promise<Provider>): Promise<void> {
  const proposals = new Counter({
    name: 'maximus_fix_proposals_total',
    help: 'Fixes asked of the model (POST /query/propose-fix) by provider and outcome (proposed, or the error code)',
    labelNames: ['provider', 'outcome'],
    registers: [ctx.metrics.registry],
  });

  app.post(
    '/query/propose-fix',
    {
      schema: {
        summary: 'Internal (service:penelope): the model\'s fix for the findings of a diagnosis, as the whole corrected files',
        tags: ['query'],
        body: ProposeFixParams,
        response: { 200: ProposeFixResponse },
      },
    },
    async (request, reply): Promise<ProposeFixResponse> => {
      const params = request.body as ProposeFixParams;
      const issues = fixParamsIssues(params);
      if (issues.length) throw paramsValidationError(issues, '');
      const model = await provider();
      if (!model.complete || !model.model) {
        proposals.inc({ provider: model.name, outcome: 'CORE_ERR_QUERY_NO_MODEL' });
        throw new CoreErrors.QueryNoModel(model.name, 'proposing a fix');
      }
      // A caller that goes away (PENELOPE's own time limit, in process or over HTTP) stops the model call too.
      const gone = callerGone(request, reply);
      try {
        const answer = await model.complete({ system: FIX_SYSTEM_PROMPT, prompt: fixPrompt(params), maxTokens: fixMaxTokens(params, ctx.config.llm.maxTokens), signal: gone });
        const parsed = parseFixAnswer(answer.text, params.files, answer.stopReason);
        if ('invalid' in parsed) throw new CoreErrors.QueryFixInvalid(model.name, parsed.invalid);
        proposals.inc({ provider: model.name, outcome: 'proposed' });
        request.log.info({ provider: model.name, model: model.model, files: parsed.fix.files.map((f) => f.path), stop_reason: answer.stopReason }, 'model proposed a fix');
        return { ...parsed.fix, provider: model.name, model: model.model, stop_reason: answer.stopReason };
      } catch (error) {
        proposals.inc({ provider: model.name, outcome: (error as { code?: string }).code ?? 'CORE_ERR_QUERY_UPSTREAM_FAILED' });
        throw error;
      }
    },
  );
  await Promise.resolve();
}
