import { randomUUID } from 'node:crypto';
import { createTwoFilesPatch } from 'diff';
import type { HealingLanguage, Mansidao, PatchProposedEvent, SafetyClass, SourceFile, TestRun, Verification } from '@maximus/contracts';
import { PENELOPE_TOPICS } from '@maximus/contracts';
import { patchConfidence, testVerdict, verificationReasons } from '../domain/confidence.js';
import type { CodeFacts } from '../domain/facts.js';
import { measureMansidao } from '../domain/mansidao.js';
import { shapeSketch } from '../domain/similarity.js';
import type { AnalyserRunner } from './analysis/dispatch.js';
import type { Candidate } from './analysis/engine.js';
import type { HealingRuntime } from './runtime.js';
import { diagnosisFiles, diagnosisTests, type DiagnosisRow, type PatchRow } from './store.js';
import { pythonFacts, runTests } from './verify.js';

type Facts = CodeFacts & { kinds?: string[] };

/** A unified diff of every changed file (`a/<path>` → `b/<path>`). */
export function unifiedDiff(before: readonly SourceFile[], after: readonly SourceFile[]): string {
  return after
    .map((f) => {
      const old = before.find((b) => b.path === f.path)?.content ?? '';
      return createTwoFilesPatch(`a/${f.path}`, `b/${f.path}`, old, f.content, undefined, undefined, { context: 3 });
    })
    .join('');
}

/** Replaces files of `base` by those of `changes` (same path). */
function overlay(base: readonly SourceFile[], changes: readonly SourceFile[]): SourceFile[] {
  const byPath = new Map(changes.map((c) => [c.path, c.content]));
  return base.map((f) => ({ path: f.path, content: byPath.get(f.path) ?? f.content }));
}

/** What evaluating a candidate needs: a way to run analyser operations (worker pool or in process) and the test time limit. */
export interface EvaluateDeps {
  run: AnalyserRunner;
  testTimeoutMs: number;
}

/** The tests on one version of the code, or null without tests. */
export async function testsOn(deps: EvaluateDeps, language: HealingLanguage, files: SourceFile[], tests: SourceFile[]): Promise<TestRun | null> {
  if (!tests.length) return null;
  if (language === 'python') return runTests({ language: 'python', files, tests, timeoutMs: deps.testTimeoutMs });
  const prepared = await deps.run('transpile', { files: [...files, ...tests] });
  const testPaths = new Set(tests.map((t) => t.path.replace(/\.mts$/, '.mjs').replace(/\.cts$/, '.cjs').replace(/\.tsx?$/, '.js')));
  return runTests({
    language,
    files: prepared.files.filter((f) => !testPaths.has(f.path)),
    tests: prepared.files.filter((f) => testPaths.has(f.path)),
    esm: prepared.esm,
    timeoutMs: deps.testTimeoutMs,
  });
}

/** Facts of both versions of each changed file: from the worker (TypeScript/JavaScript) or python3 (Python; null without python3). */
async function factsOf(language: HealingLanguage, candidate: Candidate): Promise<Record<string, { before: Facts | null; after: Facts | null }>> {
  if (candidate.facts) return candidate.facts;
  const keys = candidate.after.flatMap((f) => [
    { key: `before:${f.path}`, text: candidate.before.find((b) => b.path === f.path)?.content ?? '' },
    { key: `after:${f.path}`, text: f.content },
  ]);
  const facts = language === 'python' ? await pythonFacts(keys) : null;
  return Object.fromEntries(candidate.after.map((f) => [f.path, { before: facts?.[`before:${f.path}`] ?? null, after: facts?.[`after:${f.path}`] ?? null }]));
}

/** The code shape of the diagnosed files: node kinds from the compiler (TS/JS) or Python's `ast`. */
async function shapeOf(runtime: HealingRuntime, row: DiagnosisRow, files: SourceFile[]): Promise<number[] | null> {
  if (row.language === 'python') {
    const facts = await pythonFacts(files.map((f) => ({ key: f.path, text: f.content })));
    if (!facts) return null;
    return shapeSketch(files.flatMap((f) => facts[f.path]?.kinds ?? []));
  }
  const kinds = await runtime.pool.run('kinds', { language: row.language, files });
  return shapeSketch(files.flatMap((f) => kinds[f.path] ?? []));
}

/** A candidate measured and verified: what a patch records. */
export interface EvaluatedCandidate {
  /** The candidate's class, or the one `safetyOf` gave once the tests had run. */
  safety: SafetyClass;
  mansidao: Mansidao;
  verification: Verification;
  verified: boolean;
  confidence: number;
}

/**
 * Measures and verifies one candidate: mansidão from the facts of both versions, the tests on the patched code (when
 * tests were given), the verification reasons and the confidence. `safetyOf` decides the class from the tests' run
 * (model patches); without it the candidate's own class holds.
 */
export async function evaluateCandidate(
  deps: EvaluateDeps,
  language: HealingLanguage,
  files: SourceFile[],
  tests: SourceFile[],
  baseline: TestRun | null,
  candidate: Candidate,
  safetyOf?: (tests: TestRun | null) => SafetyClass,
): Promise<EvaluatedCandidate> {
  const verifyStarted = performance.now();
  const facts = await factsOf(language, candidate);
  const mansidao = measureMansidao(candidate.after.map((f) => ({
    path: f.path,
    before: candidate.before.find((b) => b.path === f.path)?.content ?? '',
    after: f.content,
    beforeFacts: facts[f.path]?.before ?? null,
    afterFacts: facts[f.path]?.after ?? null,
  })));
  const patched = overlay(files, candidate.after);
  const testRun = candidate.parse_ok ? await testsOn(deps, language, patched, tests) : null;
  const resolvedTargeted = Math.max(0, candidate.targeted_before - candidate.targeted_after);
  const introducedErrors = candidate.introduced.filter((i) => i.severity === 'error').length;
  const safety = safetyOf ? safetyOf(testRun) : candidate.safety;
  const inputs = {
    safety,
    parseOk: candidate.parse_ok && Object.values(facts).every((f) => f.after?.parse_ok !== false),
    targetedBefore: candidate.targeted_before,
    resolved: resolvedTargeted,
    introducedErrors,
    introducedOther: candidate.introduced.length - introducedErrors,
    testsBaseline: baseline,
    tests: testRun,
  };
  const reasons = verificationReasons(inputs);
  const verified = reasons.length === 0;
  const verification: Verification = {
    verified,
    reasons: verified ? [`resolves ${resolvedTargeted} of ${candidate.targeted_before} targeted finding(s); tests: ${testVerdict(baseline, testRun)}`] : reasons,
    parse_ok: inputs.parseOk,
    passes: candidate.passes,
    diagnostics_before: candidate.diagnostics_before,
    diagnostics_after: candidate.diagnostics_after,
    targeted_before: candidate.targeted_before,
    targeted_after: candidate.targeted_after,
    resolved: candidate.resolved,
    introduced: candidate.introduced,
    tests_baseline: baseline,
    tests: testRun,
    duration_ms: Math.round(performance.now() - verifyStarted),
  };
  return { safety, mansidao, verification, verified, confidence: patchConfidence(inputs) };
}

/** Records one evaluated patch and its `penelope.patch.proposed` event in one transaction, and counts it. */
export async function recordPatch(runtime: HealingRuntime, diagnosisId: string, origin: PatchRow['origin'], candidate: Candidate, evaluated: EvaluatedCandidate): Promise<string> {
  const { mansidao, verification, verified, confidence, safety } = evaluated;
  const id = randomUUID();
  await runtime.ctx.outbox.transaction(async (tx, emit) => {
    await runtime.store.insertPatch(tx, {
      id,
      diagnosis_id: diagnosisId,
      origin,
      title: candidate.title,
      rules: candidate.rules,
      files: candidate.after.map((f) => f.path),
      safety_class: safety,
      diff: unifiedDiff(candidate.before, candidate.after),
      final_content: candidate.after,
      confidence,
      mansidao_score: mansidao.score,
      lines_changed: mansidao.lines_changed,
      functions_modified: mansidao.functions_modified,
      functions: mansidao.functions,
      reversibility: mansidao.reversibility,
      breaking_change: mansidao.breaking_change,
      breaking_changes: mansidao.breaking_changes,
      within_limits: mansidao.within_limits,
      requires_human_review: mansidao.requires_human_review,
      verified,
      verification_rejected: !verified,
      verification,
      verification_ms: verification.duration_ms,
    });
    const event: PatchProposedEvent = {
      patch_id: id,
      diagnosis_id: diagnosisId,
      origin,
      safety_class: safety,
      verified,
      verification_rejected: !verified,
      lines_changed: mansidao.lines_changed,
      functions_modified: mansidao.functions_modified,
      reversibility: mansidao.reversibility,
      breaking_change: mansidao.breaking_change,
      mansidao_score: mansidao.score,
      within_limits: mansidao.within_limits,
    };
    await emit(PENELOPE_TOPICS.patchProposed, event);
  });
  runtime.metrics.patches.inc({ safety_class: safety, verified: String(verified) });
  return id;
}

/** What a diagnosis's patch job has at hand once the analysers' patches are recorded (the model patch goes on with it). */
export interface PatchJob {
  row: DiagnosisRow;
  files: SourceFile[];
  tests: SourceFile[];
  deps: EvaluateDeps;
  /** The tests on the original code, run at most once per job. */
  baseline: () => Promise<TestRun | null>;
}

/**
 * Builds, verifies and records the analysers' patches of a diagnosis: candidates from the fix loop (in a worker), then
 * per candidate the mansidão measurement, the tests (before and after, in temporary directories), the confidence and
 * the verification record; each patch and its `penelope.patch.proposed` event in one transaction. The diagnosis is
 * `ready` (or `none`, or `failed`) once they are recorded; the job is returned for the model patch that may follow.
 */
export async function buildPatches(runtime: HealingRuntime, diagnosisId: string): Promise<PatchJob> {
  const started = performance.now();
  const { store, ctx } = runtime;
  const deps: EvaluateDeps = { run: (op, payload) => runtime.pool.run(op, payload), testTimeoutMs: runtime.options.testTimeoutMs };
  const row = await store.diagnosis(diagnosisId);
  const files: SourceFile[] = diagnosisFiles(row).map((f) => ({ path: f.path, content: f.content }));
  const tests = diagnosisTests(row);
  let baselineRun: Promise<TestRun | null> | undefined;
  const baseline = () => (baselineRun ??= testsOn(deps, row.language, files, tests));
  try {
    const shape = await shapeOf(runtime, row, files);
    if (shape) await store.setShape(diagnosisId, shape);
    let count = 0;
    if (row.fixable_issues > 0) {
      const { candidates } = await runtime.pool.run('propose', { language: row.language, files, focus: row.focus });
      for (const candidate of candidates) {
        await recordPatch(runtime, diagnosisId, 'analyser', candidate, await evaluateCandidate(deps, row.language, files, tests, await baseline(), candidate));
        count++;
      }
    }
    await store.setPatchesStatus(diagnosisId, count ? 'ready' : 'none', null, performance.now() - started);
  } catch (error) {
    ctx.log.warn({ err: error, diagnosis_id: diagnosisId }, 'penelope could not build the patches of a diagnosis');
    await store.setPatchesStatus(diagnosisId, 'failed', (error as Error).message.slice(0, 1000), performance.now() - started);
  }
  return { row, files, tests, deps, baseline };
}
