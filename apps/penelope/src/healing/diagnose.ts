import { createHash, randomUUID } from 'node:crypto';
import type { DiagnoseParams, Diagnosis, DiagnosisCompletedEvent, HealingLanguage, Issue, SourceFile } from '@maximus/contracts';
import { PENELOPE_TOPICS } from '@maximus/contracts';
import type { Finding } from './analysis/types.js';
import { bodyError } from './errors.js';
import type { HealingRuntime } from './runtime.js';
import { toDiagnosis, type StoredFile } from './store.js';

const EXTENSIONS: Readonly<Record<HealingLanguage, RegExp>> = {
  python: /\.pyi?$/,
  typescript: /\.(ts|tsx|mts|cts|js|jsx|mjs|cjs)$/,
  javascript: /\.(js|jsx|mjs|cjs)$/,
};
const SNIPPET: Readonly<Record<HealingLanguage, string>> = { python: 'snippet.py', typescript: 'snippet.ts', javascript: 'snippet.js' };
/** Most bytes of code (files and tests together) one diagnosis takes. */
export const MAX_TOTAL_BYTES = 4_000_000;

/** The files of a request, checked: `code` or `files` (not both), extensions of the language, unique paths. */
export function requestFiles(body: DiagnoseParams): { files: SourceFile[]; tests: SourceFile[] } {
  if (body.code !== undefined && body.files !== undefined) throw bodyError('/code', 'give either code or files, not both');
  if (body.code === undefined && body.files === undefined) throw bodyError('/files', 'give the code to diagnose: code (a snippet) or files');
  const files = body.files ?? [{ path: SNIPPET[body.language], content: body.code ?? '' }];
  const tests = body.tests ?? [];
  const seen = new Set<string>();
  const check = (list: readonly SourceFile[], at: string, needExtension: boolean) =>
    list.forEach((f, i) => {
      const normal = f.path.replace(/^\.\//, '').replace(/\/+/g, '/');
      if (normal.split('/').some((s) => s === '..' || s === '.' || s === '')) throw bodyError(`/${at}/${i}/path`, 'must be a relative path without . or .. segments');
      if (seen.has(normal)) throw bodyError(`/${at}/${i}/path`, `${f.path} is given twice`);
      seen.add(normal);
      if (needExtension && !EXTENSIONS[body.language].test(normal)) throw bodyError(`/${at}/${i}/path`, `${f.path} is not a ${body.language} file (${EXTENSIONS[body.language].source})`);
    });
  check(files, 'files', body.files !== undefined);
  check(tests, 'tests', true);
  const bytes = [...files, ...tests].reduce((n, f) => n + Buffer.byteLength(f.content), 0);
  if (bytes > MAX_TOTAL_BYTES) throw bodyError(body.files ? '/files' : '/code', `${bytes} bytes of code: at most ${MAX_TOTAL_BYTES} per diagnosis`);
  return { files: files.map((f) => ({ path: f.path.replace(/^\.\//, ''), content: f.content })), tests: tests.map((t) => ({ path: t.path.replace(/^\.\//, ''), content: t.content })) };
}

export function toIssue(f: Finding): Issue {
  const fix = f.fixes[0];
  return {
    rule: f.rule,
    source: f.source,
    message: f.message,
    severity: f.severity,
    category: f.category,
    file: f.file,
    line: f.line,
    column: f.column,
    end_line: f.end_line,
    end_column: f.end_column,
    fixable: f.fixes.length > 0,
    fix_safety: fix?.safety ?? null,
    fix_description: fix?.description ?? null,
    also_reported_by: f.also_reported_by,
  };
}

const lineCount = (text: string) => (text.length === 0 ? 0 : text.split('\n').length - (text.endsWith('\n') ? 1 : 0));

/**
 * Diagnoses code on a warm analyser worker and records the case; `penelope.diagnosis.completed` goes out in the same
 * transaction. Patches are built and verified afterwards (`patches_status: pending` until then).
 */
export async function diagnose(runtime: HealingRuntime, body: DiagnoseParams, principal: string): Promise<Diagnosis> {
  const started = performance.now();
  const { files, tests } = requestFiles(body);
  const focus = body.focus ?? 'all';
  let queueMs = 0;
  const analysis = await runtime.pool.run('analyse', { language: body.language, files, focus }, (ms) => (queueMs = ms));
  const issues = analysis.findings.map(toIssue);
  const bySeverity = { error: 0, warning: 0, info: 0 };
  for (const i of issues) bySeverity[i.severity]++;
  const fixable = issues.filter((i) => i.fixable).length;
  const stored: StoredFile[] = files.map((f) => ({ ...f, sha256: createHash('sha256').update(f.content).digest('hex'), lines: lineCount(f.content) }));
  const id = randomUUID();
  const totalMs = performance.now() - started;
  const row = await runtime.ctx.outbox.transaction(async (tx, emit) => {
    const inserted = await runtime.store.insertDiagnosis(tx, {
      id,
      language: body.language,
      focus,
      files: stored,
      tests,
      issues,
      rules: [...new Set(issues.map((i) => i.rule))].sort(),
      file_names: files.map((f) => f.path),
      errors: bySeverity.error,
      warnings: bySeverity.warning,
      infos: bySeverity.info,
      total_issues: issues.length,
      fixable_issues: fixable,
      analysers: analysis.analysers,
      queue_ms: round(queueMs),
      analysis_ms: round(analysis.analysis_ms),
      total_ms: round(totalMs),
      patches_status: 'pending',
      model_patch_status: runtime.options.modelPatches && issues.length > 0 ? 'pending' : 'off',
      created_by: principal,
    });
    const event: DiagnosisCompletedEvent = { diagnosis_id: id, language: body.language, issues_by_severity: bySeverity, duration_ms: round(totalMs) };
    await emit(PENELOPE_TOPICS.diagnosisCompleted, event);
    return inserted;
  });
  runtime.metrics.diagnoses.inc({ language: body.language });
  runtime.metrics.analysisSeconds.observe({ language: body.language }, analysis.analysis_ms / 1000);
  runtime.schedulePatches(id);
  return toDiagnosis({ ...row, patch_count: 0 });
}

const round = (ms: number) => Math.round(ms * 100) / 100;
