import { PROPOSE_FIX_LIMITS, type ProposeFixFile, type ProposeFixParams } from '@maximus/contracts';

/**
 * `POST /query/propose-fix`, the part without I/O: the prompt that asks a model for the corrected files, and the
 * checks of its answer (one JSON object, only files it was given, at least one change).
 */

/** What the model is told: fix the findings, minimally, and answer in the one format {@link parseFixAnswer} reads. */
export const FIX_SYSTEM_PROMPT =
  'You are the code fixer of MAXIMUS, a self-hosted operations platform. You are given source files and the findings that static analysers ' +
  '(Ruff, the TypeScript compiler, ESLint) reported on them. Fix the findings with the smallest correct change: keep everything else exactly ' +
  'as it is (names, formatting, comments, and any behaviour the findings do not concern). Do not refactor and do not add features.\n\n' +
  'Answer with one JSON object and nothing else:\n' +
  '{"files": [{"path": "<a path exactly as given>", "content": "<the whole corrected file>"}], "explanation": "<one or two sentences: what you changed and why>"}\n' +
  'List only the files you change, each with its complete new content (never a diff, never an excerpt). ' +
  'If a finding should not be fixed, leave it and say why in the explanation.';

/** A Markdown fence longer than any run of backticks in `text`, so that the text cannot close it. */
export function fenceFor(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  return '`'.repeat(Math.max(3, longest + 1));
}

const FENCE_LANGUAGE: Readonly<Record<ProposeFixParams['language'], string>> = { python: 'python', typescript: 'ts', javascript: 'js' };

/** The user turn: the language, the findings (one a line), then each file whole in its own fence. */
export function fixPrompt(params: ProposeFixParams): string {
  const findings = params.issues.map((i) => {
    const where = `${i.file ?? params.files[0]?.path ?? ''}:${i.line}${i.column ? `:${i.column}` : ''}`;
    return `- ${i.rule} ${where} ${i.message.replace(/\s+/g, ' ').trim()}${i.severity ? ` (${i.severity})` : ''}`;
  });
  const files = params.files.map((f) => {
    const fence = fenceFor(f.content);
    return `File ${f.path}:\n${fence}${FENCE_LANGUAGE[params.language]}\n${f.content}${f.content.endsWith('\n') ? '' : '\n'}${fence}`;
  });
  return [`Language: ${params.language}`, `Findings (rule, file:line:column, message):\n${findings.join('\n')}`, ...files].join('\n\n');
}

/** The most tokens the estimate asks for (models' output limits start about there); a larger MAXIMUS_LLM_MAX_TOKENS still wins. */
export const MAX_FIX_TOKENS = 16_384;

/**
 * Tokens to allow the answer, which holds every file it changes whole: about a token per 3 characters of the files
 * plus 1,024, at most {@link MAX_FIX_TOKENS}, never below `defaultMaxTokens` (MAXIMUS_LLM_MAX_TOKENS).
 */
export function fixMaxTokens(params: ProposeFixParams, defaultMaxTokens: number): number {
  const chars = params.files.reduce((n, f) => n + f.content.length, 0);
  return Math.max(defaultMaxTokens, Math.min(MAX_FIX_TOKENS, Math.ceil(chars / 3) + 1024));
}

/** What the body's schema cannot say: the total size, paths given twice, findings in files not given. JSON Pointers under `/body`. */
export function fixParamsIssues(params: ProposeFixParams): { path: string; message: string }[] {
  const issues: { path: string; message: string }[] = [];
  const chars = params.files.reduce((n, f) => n + f.content.length, 0);
  if (chars > PROPOSE_FIX_LIMITS.totalChars) issues.push({ path: '/files', message: `${chars} characters of code: at most ${PROPOSE_FIX_LIMITS.totalChars} together (the model answers every file whole)` });
  const paths = new Set<string>();
  params.files.forEach((f, i) => {
    if (paths.has(f.path)) issues.push({ path: `/files/${i}/path`, message: `${f.path} is given twice` });
    paths.add(f.path);
  });
  params.issues.forEach((issue, i) => {
    if (issue.file === undefined && params.files.length > 1) issues.push({ path: `/issues/${i}/file`, message: 'required when more than one file is given' });
    else if (issue.file !== undefined && !paths.has(issue.file)) issues.push({ path: `/issues/${i}/file`, message: `${issue.file} is not one of the files given` });
  });
  return issues;
}

/** A usable fix: the files the model changed (whole), and its explanation. */
export interface ParsedFix {
  files: ProposeFixFile[];
  explanation: string;
}

const CUT_OFF = new Set(['max_tokens', 'length']);

/** The JSON the answer may hold: all of it, a fenced block (```json … ```), or the span from the first `{` to the last `}`. */
function jsonOf(text: string): unknown {
  const fenced = /^[ \t]*```[A-Za-z]*[ \t]*\n([\s\S]*?)\n[ \t]*```[ \t]*$/m.exec(text)?.[1];
  const first = text.indexOf('{');
  const last = text.lastIndexOf('}');
  for (const candidate of [text, fenced, first >= 0 && last > first ? text.slice(first, last + 1) : undefined]) {
    if (candidate === undefined) continue;
    try {
      return JSON.parse(candidate) as unknown;
    } catch {
      // the next way of reading it
    }
  }
  return undefined;
}

/**
 * Reads the model's answer against the files it was given. A file whose content is unchanged is dropped; a missing
 * final newline that the original had is restored.
 * @returns the fix, or `invalid` with the reason (`CORE_ERR_QUERY_FIX_INVALID` says it)
 */
export function parseFixAnswer(text: string, given: readonly ProposeFixFile[], stopReason: string): { fix: ParsedFix } | { invalid: string } {
  if (!text.trim()) return { invalid: `the answer is empty (stop reason ${stopReason})` };
  const value = jsonOf(text.trim());
  if (value === undefined) {
    return { invalid: CUT_OFF.has(stopReason) ? `the answer was cut off at its token limit (stop reason ${stopReason})` : 'the answer is not the JSON object {files, explanation} asked for' };
  }
  const record = value as { files?: unknown; explanation?: unknown };
  if (!value || typeof value !== 'object' || Array.isArray(value) || !Array.isArray(record.files)) return { invalid: 'the answer has no "files" list' };
  const originals = new Map(given.map((f) => [f.path, f.content]));
  const seen = new Set<string>();
  const changed: ProposeFixFile[] = [];
  for (const [i, entry] of (record.files as unknown[]).entries()) {
    const { path, content } = (entry ?? {}) as { path?: unknown; content?: unknown };
    if (typeof path !== 'string' || typeof content !== 'string') return { invalid: `files[${i}] is not {path, content} with two strings` };
    const original = originals.get(path);
    if (original === undefined) return { invalid: `it names a file it was not given: ${path.slice(0, 200)}` };
    if (seen.has(path)) return { invalid: `it gives ${path} twice` };
    seen.add(path);
    const proposed = original.endsWith('\n') && !content.endsWith('\n') ? `${content}\n` : content;
    if (proposed !== original) changed.push({ path, content: proposed });
  }
  if (!changed.length) return { invalid: 'it changes nothing' };
  const explanation = typeof record.explanation === 'string' ? record.explanation.replace(/\s+/g, ' ').trim().slice(0, 1000) : '';
  return { fix: { files: changed, explanation } };
}
