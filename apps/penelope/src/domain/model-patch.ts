import { PROPOSE_FIX_LIMITS, type HealingLanguage, type Issue, type ProposeFixIssue, type ProposeFixParams, type SafetyClass, type SourceFile, type TestRun } from '@maximus/contracts';

/**
 * Model patches, the part without I/O: what PENELOPE sends core's model (the files that have issues, most errors first,
 * within the route's bounds), the class of what comes back, and its title.
 */

const SEVERITY_ORDER = { error: 0, warning: 1, info: 2 } as const;

/**
 * The propose-fix request for a diagnosis: the files with issues (most errors, then most issues, first) that fit in
 * {@link PROPOSE_FIX_LIMITS} together, and their issues (errors first); or why nothing can be asked.
 */
export function fixRequest(language: HealingLanguage, files: readonly SourceFile[], issues: readonly Issue[]): { params: ProposeFixParams } | { skip: string } {
  const byFile = new Map<string, Issue[]>();
  for (const issue of issues) byFile.set(issue.file, [...(byFile.get(issue.file) ?? []), issue]);
  const errors = (path: string) => (byFile.get(path) ?? []).filter((i) => i.severity === 'error').length;
  const ranked = files
    .filter((f) => byFile.has(f.path))
    .sort((a, b) => errors(b.path) - errors(a.path) || (byFile.get(b.path)?.length ?? 0) - (byFile.get(a.path)?.length ?? 0) || a.path.localeCompare(b.path));
  if (!ranked.length) return { skip: 'no issue to fix' };
  const chosen: SourceFile[] = [];
  let chars = 0;
  for (const file of ranked) {
    if (chosen.length === PROPOSE_FIX_LIMITS.files) break;
    if (chars + file.content.length > PROPOSE_FIX_LIMITS.totalChars) continue;
    chosen.push({ path: file.path, content: file.content });
    chars += file.content.length;
  }
  if (!chosen.length) {
    const smallest = ranked.reduce((a, b) => (b.content.length < a.content.length ? b : a));
    return { skip: `not asked: ${smallest.path}, the smallest file with issues, has ${smallest.content.length} characters; a model fix takes at most ${PROPOSE_FIX_LIMITS.totalChars}` };
  }
  const paths = new Set(chosen.map((f) => f.path));
  const sent: ProposeFixIssue[] = issues
    .filter((i) => paths.has(i.file))
    .sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || a.file.localeCompare(b.file) || a.line - b.line)
    .slice(0, PROPOSE_FIX_LIMITS.issues)
    .map((i) => ({ rule: i.rule, message: i.message.slice(0, 2000), line: Math.max(1, i.line), column: Math.max(1, i.column), file: i.file, severity: i.severity }));
  return { params: { language, files: chosen, issues: sent } };
}

/** A model patch is never `safe`: `unsafe` when tests were given and pass on the patched code, else `suggestion-only`. */
export function modelSafety(tests: TestRun | null): SafetyClass {
  return tests?.ok === true ? 'unsafe' : 'suggestion-only';
}

const MAX_TITLE = 200;

/** `Model patch (openai gpt-4o): <the model's explanation>`, at most 200 characters. */
export function modelPatchTitle(provider: string, model: string, explanation: string, rules: readonly string[]): string {
  const what = explanation.trim() || `fixes ${rules.join(', ')}`;
  const title = `Model patch (${provider} ${model}): ${what}`;
  return title.length > MAX_TITLE ? `${title.slice(0, MAX_TITLE - 1)}…` : title;
}
