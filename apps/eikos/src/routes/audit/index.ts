import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { AuditTrail, AuditTrailQuery } from '@maximus/contracts';
import { toWireEntry, type Ledger } from '../../ledger/index.js';

/** `/audit/trail/:subject_id`: every entry about one subject, in ledger order. */
export async function auditRoutes(app: FastifyInstance, ledger: Ledger): Promise<void> {
  app.get(
    '/audit/trail/:subject_id',
    {
      schema: {
        summary: 'The entries about one subject, oldest first (paginate with `after` = the previous `next`)',
        tags: ['audit'],
        params: Type.Object({ subject_id: Type.String({ minLength: 1, maxLength: 200 }) }),
        querystring: AuditTrailQuery,
        response: { 200: AuditTrail },
      },
    },
    async (request) => {
      const { subject_id } = request.params as { subject_id: string };
      const { after, limit = 100 } = request.query as AuditTrailQuery;
      const rows = await ledger.store.find({ subjectId: subject_id, ...(after !== undefined ? { after } : {}), limit: limit + 1 });
      const data = rows.slice(0, limit);
      return { subject_id, data: data.map(toWireEntry), next: rows.length > limit ? (data.at(-1)?.index ?? null) : null };
    },
  );
  await Promise.resolve();
}
