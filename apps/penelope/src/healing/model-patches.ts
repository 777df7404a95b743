import type { Issue, ModelPatchStatus, ProposeFixResponse } from '@maximus/contracts';
import type { PeerError } from '@maximus/kit/peers';
import { fixRequest, modelPatchTitle, modelSafety } from '../domain/model-patch.js';
import type { Clock } from './config.js';
import { evaluateCandidate, recordPatch, type PatchJob } from './patches.js';
import type { HealingRuntime } from './runtime.js';

/** How long core's "no language model" (409) is believed before PENELOPE asks again. */
export const NO_MODEL_TTL_MS = 5 * 60_000;

/** Core's last "no language model" answer, believed for {@link NO_MODEL_TTL_MS} (per process: a replica asks on its own). */
export class NoModelMemo {
  #until = 0;
  #reason = '';

  constructor(
    private readonly clock: Clock,
    private readonly ttlMs = NO_MODEL_TTL_MS,
  ) {}

  /** Core's reason, while its answer holds; undefined when core should be asked. */
  current(): { reason: string; until: Date } | undefined {
    return this.clock.now() < this.#until ? { reason: this.#reason, until: new Date(this.#until) } : undefined;
  }

  remember(reason: string): void {
    this.#reason = reason;
    this.#until = this.clock.now() + this.ttlMs;
  }
}

const PATH = '/api/v1/query/propose-fix';

/** The callee's code and detail of a failed call (`CORE_ERR_QUERY_FIX_INVALID: …`), else the kit's (`KIT_ERR_PEER_TIMEOUT: …`). */
function failure(error: unknown): { code: string; detail: string } {
  const e = error as PeerError;
  const code = typeof e.problem?.code === 'string' ? e.problem.code : typeof e.code === 'string' ? e.code : 'failed';
  const detail = typeof e.problem?.detail === 'string' ? e.problem.detail : e instanceof Error ? e.message : String(error);
  return { code, detail: detail.replace(/\s+/g, ' ').slice(0, 600) };
}

/**
 * Asks core's model for a patch of the diagnosis (`POST /api/v1/query/propose-fix` as `service:penelope`), re-analyses
 * the files it returns in the worker pool, evaluates them like the analysers' candidates and records the patch with
 * `origin: model` (`unsafe` when given tests pass on it, else `suggestion-only`). Never throws: a failure is the
 * diagnosis's `model_patch_status` and a line of its `patches_error`, a log line and a metric (no model configured is
 * only the status `unavailable`).
 */
export async function proposeModelPatch(runtime: HealingRuntime, job: PatchJob): Promise<void> {
  const { ctx, store, metrics } = runtime;
  const { row } = job;
  const log = ctx.log.child({ diagnosis_id: row.id });
  const finish = async (status: ModelPatchStatus, outcome: string, reason: string | null) => {
    metrics.modelPatches.inc({ outcome });
    await store.setModelPatch(row.id, status, reason === null ? null : `model patch: ${reason}`).catch((error: unknown) => log.warn({ err: error }, 'penelope could not record the model patch outcome'));
  };

  const noModel = runtime.noModel.current();
  // No model is the default configuration, not an error: `model_patch_status` says it, `patches_error` stays clean.
  if (noModel) return finish('unavailable', 'skipped', null);
  const issues = (typeof row.issues === 'string' ? JSON.parse(row.issues) : row.issues) as Issue[];
  const request = fixRequest(row.language, job.files, issues);
  if ('skip' in request) return finish('failed', 'skipped', request.skip);

  let fix: ProposeFixResponse;
  try {
    fix = (await ctx.peers.request<ProposeFixResponse>('core', { method: 'POST', path: PATH, body: request.params, timeoutMs: runtime.options.modelTimeoutMs })).body;
  } catch (error) {
    const { code, detail } = failure(error);
    if (code === 'CORE_ERR_QUERY_NO_MODEL') {
      runtime.noModel.remember(`${code}: ${detail}`);
      log.info({ code }, 'core has no language model: no model patches for the next 5 minutes');
      return finish('unavailable', code, null);
    }
    log.warn({ code, detail }, 'penelope could not get a model patch');
    return finish('failed', code, `${code}: ${detail}`);
  }

  try {
    const rules = [...new Set(request.params.issues.map((i) => i.rule))].sort();
    const candidate = await runtime.pool.run('assess', {
      language: row.language,
      files: job.files,
      focus: row.focus,
      proposed: fix.files,
      rules,
      key: 'model',
      title: modelPatchTitle(fix.provider, fix.model, fix.explanation, rules),
      safety: 'suggestion-only',
    });
    if (!candidate.after.length) return await finish('failed', 'unchanged', 'the model\'s files change nothing that was diagnosed');
    const evaluated = await evaluateCandidate(job.deps, row.language, job.files, job.tests, await job.baseline(), candidate, modelSafety);
    const id = await recordPatch(runtime, row.id, 'model', candidate, evaluated);
    log.info({ patch_id: id, provider: fix.provider, model: fix.model, verified: evaluated.verified, safety_class: evaluated.safety }, 'model patch recorded');
    await finish('proposed', 'proposed', null);
  } catch (error) {
    log.warn({ err: error }, 'penelope could not verify the model patch');
    await finish('failed', 'verification_failed', `the model's fix could not be verified: ${(error as Error).message.slice(0, 600)}`);
  }
}
