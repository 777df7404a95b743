import type { FastifyInstance } from 'fastify';
import { PrecedentList, PrecedentsQuery } from '@maximus/contracts';
import type { HealingRuntime } from '../healing/runtime.js';
import { findPrecedents } from './precedents.js';

/** `/api/v1/wisdom/precedents`: past cases similar to a diagnosis. */
export async function wisdomRoutes(app: FastifyInstance, runtime: HealingRuntime): Promise<void> {
  app.get(
    '/wisdom/precedents',
    { schema: { summary: 'Past healing cases similar to a diagnosis (rules, files, code shape), with a similarity score', tags: ['wisdom'], querystring: PrecedentsQuery, response: { 200: PrecedentList } } },
    async (request) => {
      const query = request.query as PrecedentsQuery;
      return findPrecedents(runtime, query.diagnosis_id, query.limit ?? 10, request.principal);
    },
  );
  await Promise.resolve();
}
