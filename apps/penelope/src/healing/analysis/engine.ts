import ts from 'typescript';
import type { HealingFocus, HealingLanguage, IssueRef, SafetyClass, SourceFile } from '@maximus/contracts';
import type { CodeFacts } from '../../domain/facts.js';
import { appliedSafety, fixLoop } from './fix-loop.js';
import { createRuffAnalyser } from './ruff.js';
import { createScriptAnalyser } from './scripts.js';
import { tsFacts } from './ts-facts.js';
import { fileMap, toFiles, type AnalyseRequest, type AnalyseResult, type FileMap, type Finding, type FixOption, type LanguageAnalyser } from './types.js';

/** Most candidate patches built per diagnosis. */
export const MAX_CANDIDATES = 12;
/** Suggestions tried per rule (ESLint offers e.g. "add await" and "add void" for one floating promise). */
const SUGGESTIONS_PER_RULE = 2;

export interface ProposeRequest {
  language: HealingLanguage;
  files: SourceFile[];
  focus: HealingFocus;
}

/** Files changed elsewhere (a language model's fix), to be measured as a candidate like the fix loop's. */
export interface AssessRequest extends ProposeRequest {
  /** The proposed content of the files it changes (paths of `files`). */
  proposed: SourceFile[];
  key: string;
  title: string;
  /** The class to record until verification decides (the model patches' rule needs the tests). */
  safety: SafetyClass;
  /** The rules the change targets. @default every rule found in `files` */
  rules?: string[];
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
      const key = [...loop.files].filter(([path, text]) => original.get(path) !== text).map(([p, t]) => `${p}\u0000${t}`).join('\u0001');
      if (!key || seen.has(key)) continue;
      seen.add(key);
      candidates.push(measure(request.language, original, before, loop.files, loop.result, {
        key: group.key,
        title: group.title,
        rules: group.rules,
        safety: appliedSafety(loop.applied),
        passes: loop.passes,
        stopped: loop.stopped,
      }));
    }
    return { before, candidates };
  }

  /**
   * Measures files changed elsewhere (a language model's fix) as the fix loop's candidates are measured: both versions
   * analysed, the findings resolved and introduced, whether it parses, the facts of both versions (TypeScript/JavaScript).
   */
  assess(request: AssessRequest): Candidate {
    const analyser = this.analyser(request.language);
    const analyse = (files: Map<string, string>) => analyser.analyse({ language: request.language, files: toFiles(files), focus: request.focus });
    const original = fileMap(request.files);
    const before = analyse(original);
    const changed = new Map(original);
    for (const f of request.proposed) if (original.has(f.path)) changed.set(f.path, f.content);
    const rules = new Set(request.rules ?? before.findings.map((f) => f.rule));
    return measure(request.language, original, before, changed, analyse(changed), { key: request.key, title: request.title, rules, safety: request.safety, passes: 1, stopped: 'proposed' });
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

/** A changed version of the files as a candidate: the files it changes, before and after, and what the analysers say of each version. */
function measure(
  language: HealingLanguage,
  original: FileMap,
  before: AnalyseResult,
  files: FileMap,
  after: AnalyseResult,
  meta: { key: string; title: string; rules: ReadonlySet<string>; safety: SafetyClass; passes: number; stopped: string },
): Candidate {
  const changed = [...files].filter(([path, text]) => original.get(path) !== text);
  return {
    key: meta.key,
    title: meta.title,
    rules: [...meta.rules].sort(),
    safety: meta.safety,
    before: changed.map(([path]) => ({ path, content: original.get(path) ?? '' })),
    after: changed.map(([path, content]) => ({ path, content })),
    passes: meta.passes,
    stopped: meta.stopped,
    parse_ok: after.parse_ok,
    diagnostics_before: before.findings.length,
    diagnostics_after: after.findings.length,
    targeted_before: before.findings.filter((f) => meta.rules.has(f.rule)).length,
    targeted_after: after.findings.filter((f) => meta.rules.has(f.rule)).length,
    resolved: minus(before.findings, after.findings).map(ref),
    introduced: minus(after.findings, before.findings).map(ref),
    facts: language === 'python' ? null : Object.fromEntries(changed.map(([path, content]) => [path, { before: tsFacts(path, original.get(path) ?? ''), after: tsFacts(path, content) }])),
  };
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
