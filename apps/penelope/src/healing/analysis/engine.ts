import ts from 'typescript';
import type { HealingFocus, HealingLanguage, IssueRef, SafetyClass, SourceFile } from '@maximus/contracts';
import type { CodeFacts } from '../../domain/facts.js';
import { appliedSafety, fixLoop } from './fix-loop.js';
import { createRuffAnalyser } from './ruff.js';
import { createScriptAnalyser } from './scripts.js';
import { tsFacts } from './ts-facts.js';
import { fileMap, toFiles, type AnalyseRequest, type AnalyseResult, type Finding, type FixOption, type LanguageAnalyser } from './types.js';

/** Most candidate patches built per diagnosis. */
export const MAX_CANDIDATES = 12;
/** Suggestions tried per rule (ESLint offers e.g. "add await" and "add void" for one floating promise). */
const SUGGESTIONS_PER_RULE = 2;

export interface ProposeRequest {
  language: HealingLanguage;
  files: SourceFile[];
  focus: HealingFocus;
}

/** A patch as the fix loop produced it, before the tests and the scores. */
export interface Candidate {
  /** `fix:<rule>`, `suggest:<rule>:<suggestion id>` or `all-safe`. */
  key: string;
  title: string;
  rules: string[];
  safety: SafetyClass;
  /** The changed files, before and after. */
  before: SourceFile[];
  after: SourceFile[];
  passes: number;
  stopped: string;
  parse_ok: boolean;
  diagnostics_before: number;
  diagnostics_after: number;
  targeted_before: number;
  targeted_after: number;
  resolved: IssueRef[];
  introduced: IssueRef[];
  /** TypeScript/JavaScript: facts of both versions of each changed file (Python's come from `python3`, outside the worker). */
  facts: Record<string, { before: CodeFacts; after: CodeFacts }> | null;
}

interface Group {
  key: string;
  title: string;
  rules: Set<string>;
  choose: (f: Finding) => FixOption | undefined;
  priority: number;
}

const ref = (f: Finding): IssueRef => ({ rule: f.rule, file: f.file, line: f.line, message: f.message, severity: f.severity });
const findingKey = (f: Finding) => `${f.rule}\u0000${f.file}\u0000${f.message}`;

/** Findings of `a` that `b` lacks, counted as a multiset (by rule, file and message: offsets move). */
function minus(a: readonly Finding[], b: readonly Finding[]): Finding[] {
  const counts = new Map<string, number>();
  for (const f of b) counts.set(findingKey(f), (counts.get(findingKey(f)) ?? 0) + 1);
  const out: Finding[] = [];
  for (const f of a) {
    const k = findingKey(f);
    const n = counts.get(k) ?? 0;
    if (n > 0) counts.set(k, n - 1);
    else out.push(f);
  }
  return out;
}

/** The analysers of every language, created on first use and kept (one engine per worker thread). */
export class AnalysisEngine {
  readonly #registry = ts.createDocumentRegistry();
  readonly #analysers = new Map<HealingLanguage, LanguageAnalyser>();

  analyser(language: HealingLanguage): LanguageAnalyser {
    let analyser = this.#analysers.get(language);
    if (!analyser) {
      analyser = language === 'python' ? createRuffAnalyser() : createScriptAnalyser(language, this.#registry);
      this.#analysers.set(language, analyser);
    }
    return analyser;
  }

  /** Loads and exercises every analyser once (Ruff's WebAssembly, the compiler with its libraries, ESLint's rules). */
  warm(): { language: HealingLanguage; ms: number }[] {
    return (['python', 'typescript', 'javascript'] as const).map((language) => {
      const started = performance.now();
      this.analyser(language).warm();
      return { language, ms: performance.now() - started };
    });
  }

  analyse(request: AnalyseRequest): AnalyseResult {
    return this.analyser(request.language).analyse(request);
  }

  /** Builds candidate patches: one per fixable rule, one of all safe fixes, and one per suggestion kind, each through the fix loop. */
  propose(request: ProposeRequest): { before: AnalyseResult; candidates: Candidate[] } {
    const analyser = this.analyser(request.language);
    const analyse = (files: Map<string, string>) => analyser.analyse({ language: request.language, files: toFiles(files), focus: request.focus });
    const original = fileMap(request.files);
    const before = analyse(original);
    const candidates: Candidate[] = [];
    const seen = new Set<string>();
    for (const group of groups(before.findings).slice(0, MAX_CANDIDATES)) {
      const loop = fixLoop(analyse, original, before, group.choose);
      if (!loop.applied.length) continue;
      const changed = [...loop.files].filter(([path, text]) => original.get(path) !== text);
      const key = changed.map(([p, t]) => `${p}\u0000${t}`).join('\u0001');
      if (!changed.length || seen.has(key)) continue;
      seen.add(key);
      const targetedBefore = before.findings.filter((f) => group.rules.has(f.rule));
      const targetedAfter = loop.result.findings.filter((f) => group.rules.has(f.rule));
      const beforeFiles = changed.map(([path]) => ({ path, content: original.get(path) ?? '' }));
      const afterFiles = changed.map(([path, content]) => ({ path, content }));
      candidates.push({
        key: group.key,
        title: group.title,
        rules: [...group.rules].sort(),
        safety: appliedSafety(loop.applied),
        before: beforeFiles,
        after: afterFiles,
        passes: loop.passes,
        stopped: loop.stopped,
        parse_ok: loop.result.parse_ok,
        diagnostics_before: before.findings.length,
        diagnostics_after: loop.result.findings.length,
        targeted_before: targetedBefore.length,
        targeted_after: targetedAfter.length,
        resolved: minus(before.findings, loop.result.findings).map(ref),
        introduced: minus(loop.result.findings, before.findings).map(ref),
        facts: request.language === 'python' ? null : Object.fromEntries(changed.map(([path, content]) => [path, { before: tsFacts(path, original.get(path) ?? ''), after: tsFacts(path, content) }])),
      });
    }
    return { before, candidates };
  }

  /**
   * Prepares TypeScript/JavaScript for `node --test`: TypeScript transpiled to JavaScript (`.ts`/`.tsx` → `.js`, `.mts` →
   * `.mjs`, `.cts` → `.cjs`), JavaScript unchanged; `esm` when any file is an ES module (the run then declares `"type": "module"`).
   */
  transpile(files: readonly SourceFile[]): { files: SourceFile[]; esm: boolean } {
    let esm = false;
    const out = files.flatMap((f) => {
      const isTs = /\.(ts|tsx|mts|cts)$/.test(f.path) && !f.path.endsWith('.d.ts');
      const kind = /\.tsx$/.test(f.path) ? ts.ScriptKind.TSX : /\.jsx$/.test(f.path) ? ts.ScriptKind.JSX : isTs ? ts.ScriptKind.TS : ts.ScriptKind.JS;
      const sf = ts.createSourceFile(f.path, f.content, ts.ScriptTarget.Latest, false, kind);
      if (ts.isExternalModule(sf) && !/\.(cjs|cts)$/.test(f.path)) esm = true;
      if (f.path.endsWith('.d.ts')) return [];
      if (!isTs) return [f];
      const js = ts.transpileModule(f.content, { fileName: f.path, compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, jsx: ts.JsxEmit.ReactJSX, rewriteRelativeImportExtensions: true, verbatimModuleSyntax: false } });
      return [{ path: f.path.replace(/\.mts$/, '.mjs').replace(/\.cts$/, '.cjs').replace(/\.tsx?$/, '.js'), content: js.outputText }];
    });
    return { files: out, esm };
  }

  /** The node kinds of each file in pre-order (TypeScript/JavaScript; Python's come from `python3`). */
  kinds(files: readonly SourceFile[]): Record<string, string[]> {
    return Object.fromEntries(files.map((f) => [f.path, tsFacts(f.path, f.content).kinds]));
  }
}

/** The candidate groups of a diagnosis, most valuable first: errors before warnings, safe before unsafe, more findings first. */
function groups(findings: readonly Finding[]): Group[] {
  const byRule = new Map<string, Finding[]>();
  for (const f of findings) if (f.fixes.length) byRule.set(f.rule, [...(byRule.get(f.rule) ?? []), f]);
  const out: Group[] = [];
  const severityWeight = { error: 0, warning: 1, info: 2 } as const;
  const safeRules = new Set<string>();
  for (const [rule, list] of byRule) {
    const severity = Math.min(...list.map((f) => severityWeight[f.severity]));
    const primary = list.flatMap((f) => f.fixes.filter((o) => o.kind !== 'suggestion'));
    if (primary.length) {
      const safety = appliedSafety(primary);
      if (safety === 'safe') safeRules.add(rule);
      out.push({
        key: `fix:${rule}`,
        title: `${primary[0]?.description ?? `Fix ${rule}`}${list.length > 1 ? ` (${rule}, ${list.length} findings)` : ` (${rule})`}`,
        rules: new Set([rule]),
        choose: (f) => (f.rule === rule ? f.fixes.find((o) => o.kind !== 'suggestion') : undefined),
        priority: severity * 10 + (safety === 'safe' ? 0 : 3) - Math.min(2, list.length / 10),
      });
    }
    const suggestionIds = [...new Set(list.flatMap((f) => f.fixes.filter((o) => o.kind === 'suggestion').map((o) => o.id)))].slice(0, SUGGESTIONS_PER_RULE);
    for (const id of suggestionIds) {
      const sample = list.flatMap((f) => f.fixes).find((o) => o.id === id);
      out.push({
        key: `suggest:${rule}:${id}`,
        title: `${sample?.description ?? id} (${rule}, suggestion)`,
        rules: new Set([rule]),
        choose: (f) => (f.rule === rule ? f.fixes.find((o) => o.id === id) : undefined),
        priority: severity * 10 + 6,
      });
    }
  }
  if (safeRules.size > 1) {
    out.push({
      key: 'all-safe',
      title: `All safe fixes (${[...safeRules].sort().join(', ')})`,
      rules: safeRules,
      choose: (f) => (safeRules.has(f.rule) ? f.fixes.find((o) => o.kind !== 'suggestion' && o.safety === 'safe') : undefined),
      priority: -1,
    });
  }
  return out.sort((a, b) => a.priority - b.priority);
}
