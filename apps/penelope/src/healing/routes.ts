import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { DiagnoseParams, Diagnosis, HistoryList, HistoryQuery, Patch, PatchApplyParams, PatchApplyResult, PatchList, PatchListQuery } from '@maximus/contracts';
import { requestApply } from './apply.js';
import { diagnose } from './diagnose.js';
import type { HealingRuntime } from './runtime.js';
import { isUuid, toDiagnosis, toPatch, toPatchSummary } from './store.js';
import { PenelopeErrors } from './errors.js';

const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });
const tags = ['healing'];

/** `/api/v1/healing/*`: diagnose, patches, apply (through governance), history. */
export async function healingRoutes(app: FastifyInstance, runtime: HealingRuntime): Promise<void> {
  const { store } = runtime;

  app.post(
    '/healing/diagnose',
    { schema: { summary: 'Diagnose code with Ruff (Python) or TypeScript and ESLint; patches are built and verified afterwards', tags, body: DiagnoseParams, response: { 201: Diagnosis } } },
    // A service diagnosing for a user (core's diagnose_code) records the user.
    async (request, reply) => reply.code(201).send(await diagnose(runtime, request.body as DiagnoseParams, request.principal?.on_behalf_of ?? request.principal?.id ?? 'anonymous')),
  );

  app.get('/healing/diagnoses/:id', { schema: { summary: 'One diagnosis (with `patches_status`)', tags, params: IdParams, response: { 200: Diagnosis } } }, async (request) =>
    toDiagnosis(await store.diagnosis((request.params as { id: string }).id)),
  );

  app.get('/healing/patches', { schema: { summary: "A diagnosis's patches, best first (verified, then confidence)", tags, querystring: PatchListQuery, response: { 200: PatchList } } }, async (request) => {
    const { diagnosis_id } = request.query as PatchListQuery;
    if (!isUuid(diagnosis_id)) throw new PenelopeErrors.DiagnosisNotFound(diagnosis_id);
    const diagnosis = await store.diagnosis(diagnosis_id);
    return { diagnosis_id, patches_status: diagnosis.patches_status, data: (await store.patches(diagnosis_id)).map(toPatchSummary) };
  });

  app.get('/healing/patches/:id', { schema: { summary: 'One patch with its diff, scores, verification and final content', tags, params: IdParams, response: { 200: Patch } } }, async (request) =>
    toPatch(await store.patch((request.params as { id: string }).id)),
  );

  app.post(
    '/healing/patches/:id/apply',
    { schema: { summary: 'Ask to apply a verified patch: creates a governance apply_patch decision (a person decides)', tags, params: IdParams, body: Type.Optional(PatchApplyParams), response: { 202: PatchApplyResult } } },
    async (request, reply) => reply.code(202).send(await requestApply(runtime, (request.params as { id: string }).id, (request.body ?? {}) as PatchApplyParams, request.principal)),
  );

  app.get('/healing/history', { schema: { summary: 'Every healing case, newest first, with filters and a cursor', tags, querystring: HistoryQuery, response: { 200: HistoryList } } }, (request) =>
    store.history(request.query as HistoryQuery),
  );
  await Promise.resolve();
}
