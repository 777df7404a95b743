import type { FastifyInstance } from 'fastify';
import { ForensicsAnalyzeParams, ForensicsReport } from '@maximus/contracts';
import { analyze, type Ledger } from '../../ledger/index.js';

/** `/forensics/analyze`: a timeline and a full verification of the stored log. */
export async function forensicsRoutes(app: FastifyInstance, ledger: Ledger): Promise<void> {
  app.post(
    '/forensics/analyze',
    {
      schema: {
        summary: 'Timeline of a subject or time range, and a full verification of the stored log against the latest signed head',
        tags: ['forensics'],
        body: ForensicsAnalyzeParams,
        response: { 200: ForensicsReport },
      },
    },
    async (request) => {
      // A head over every committed entry (the latest, unless the log grew since): nothing escapes the check.
      const head = await ledger.heads.sign();
      return analyze(ledger.store, head, ledger.heads.publicKey, request.body ?? {});
    },
  );
  await Promise.resolve();
}
