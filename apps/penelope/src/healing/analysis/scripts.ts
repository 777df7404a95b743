import ts from 'typescript';
import type { Linter } from 'eslint';
import type { AnalyseRequest, AnalyseResult, Finding, FixOption, LanguageAnalyser } from './types.js';
import { EslintRunner } from './eslint.js';
import { LineIndex } from './text.js';
import { scriptWarmCorpus, WARM_PASSES } from './warm-corpus.js';
import { eslintRule, matchesFocus, TS_ENVIRONMENT, tsCodefixSafety, tsRule } from './rules.js';
import { codeFixEdits, diagnosticCategory, TsProject, virtualPath } from './typescript.js';

/** Most TypeScript diagnostics per analysis for which code fixes are computed (each asks the language service). */
const CODEFIX_BUDGET = 300;

/** The same finding from both analysers: TypeScript's code ↔ ESLint's rules. */
const SAME_FINDING: Record<number, readonly string[]> = {
  6133: ['no-unused-vars', '@typescript-eslint/no-unused-vars'],
  6138: ['no-unused-vars', '@typescript-eslint/no-unused-vars'],
  6192: ['no-unused-vars', '@typescript-eslint/no-unused-vars'],
  6196: ['no-unused-vars', '@typescript-eslint/no-unused-vars'],
  6198: ['no-unused-vars', '@typescript-eslint/no-unused-vars'],
  6205: ['no-unused-vars', '@typescript-eslint/no-unused-vars'],
  7027: ['no-unreachable'],
  7028: ['no-unused-labels'],
  2304: ['no-undef'],
  1117: ['no-dupe-keys'],
  2300: ['no-dupe-keys', 'no-dupe-class-members'],
  2588: ['no-const-assign'],
  2630: ['no-func-assign'],
};

/**
 * TypeScript and JavaScript: the compiler's diagnostics (with its code fixes) and ESLint's messages (with their fixes
 * and suggestions), one warm language service and one linter per language.
 */
export function createScriptAnalyser(language: 'typescript' | 'javascript', registry: ts.DocumentRegistry): LanguageAnalyser & { project: TsProject } {
  const project = new TsProject(language, registry);
  const eslint = new EslintRunner(language);
  const versions = [
    { name: 'typescript', version: ts.version },
    { name: 'eslint', version: eslint.version },
  ];

  function tsFindings(request: AnalyseRequest): { findings: Finding[]; parseOk: boolean } {
    const findings: Finding[] = [];
    let parseOk = true;
    let budget = CODEFIX_BUDGET;
    for (const file of request.files) {
      const index = new LineIndex(file.content);
      const { syntactic, semantic } = project.diagnostics(file.path);
      if (syntactic.length) parseOk = false;
      for (const d of [...syntactic, ...semantic]) {
        if (TS_ENVIRONMENT.has(d.code) || d.file?.fileName !== virtualPath(file.path)) continue;
        const info = tsRule(d.code, diagnosticCategory(d.category));
        if (!matchesFocus(request.focus, info)) continue;
        const start = d.start ?? 0;
        const end = start + (d.length ?? 0);
        const from = index.positionAt(start);
        const to = index.positionAt(end);
        const fixes: FixOption[] = [];
        if (budget > 0 && !syntactic.length) {
          budget--;
          for (const fix of project.codeFixes(file.path, d)) {
            const safety = tsCodefixSafety(fix.fixName, fix.description);
            if (!safety || fix.commands?.length) continue;
            const edits = codeFixEdits(fix);
            if (edits.length) fixes.push({ kind: 'codefix', id: fix.fixName, safety, description: fix.description, edits });
          }
        }
        findings.push({
          rule: `TS${d.code}`,
          source: 'typescript',
          message: ts.flattenDiagnosticMessageText(d.messageText, '\n'),
          ...info,
          file: file.path,
          start,
          end,
          line: from.line,
          column: from.column,
          end_line: to.line,
          end_column: to.column,
          fixes: fixes.sort((a, b) => rank(a) - rank(b)),
          also_reported_by: [],
        });
      }
    }
    return { findings, parseOk };
  }

  function eslintFindings(request: AnalyseRequest, program: ts.Program): Finding[] {
    const findings: Finding[] = [];
    for (const file of request.files) {
      const index = new LineIndex(file.content);
      let messages: Linter.LintMessage[];
      try {
        messages = eslint.verify(virtualPath(file.path), file.content, program);
      } catch (error) {
        // A parser or rule crash on unusual input loses ESLint's view of this file, not the analysis.
        messages = [{ ruleId: 'eslint', message: `ESLint could not analyse this file: ${(error as Error).message.split('\n')[0] ?? ''}`, line: 1, column: 1, severity: 1 }];
      }
      for (const m of messages) {
        if (m.fatal || !m.ruleId) continue; // parse errors: the compiler reports them
        const info = eslintRule(m.ruleId, eslint.ruleTypes.get(m.ruleId));
        if (!matchesFocus(request.focus, info)) continue;
        const start = index.offsetAt(m.line, m.column);
        const end = index.offsetAt(m.endLine ?? m.line, m.endColumn ?? m.column);
        const fixes: FixOption[] = [];
        if (m.fix) fixes.push({ kind: 'fix', id: m.ruleId, safety: 'safe', description: `Fix ${m.ruleId}`, edits: [{ file: file.path, start: m.fix.range[0], end: m.fix.range[1], text: m.fix.text }] });
        for (const s of m.suggestions ?? []) {
          fixes.push({ kind: 'suggestion', id: s.messageId ?? s.desc, safety: 'suggestion-only', description: s.desc, edits: [{ file: file.path, start: s.fix.range[0], end: s.fix.range[1], text: s.fix.text }] });
        }
        findings.push({
          rule: m.ruleId,
          source: 'eslint',
          message: m.message,
          ...info,
          file: file.path,
          start,
          end,
          line: m.line,
          column: m.column,
          end_line: m.endLine ?? m.line,
          end_column: m.endColumn ?? m.column,
          fixes,
          also_reported_by: [],
        });
      }
    }
    return findings;
  }

  return {
    project,
    versions,
    warm() {
      const corpus = scriptWarmCorpus(language);
      const path = language === 'typescript' ? 'warm.ts' : 'warm.js';
      for (let pass = 0; pass < WARM_PASSES; pass++) this.analyse({ language, files: [{ path, content: `${corpus}// warm-up pass ${pass}\n` }], focus: 'all' });
      project.setFiles([]);
    },
    analyse(request: AnalyseRequest): AnalyseResult {
      const started = performance.now();
      project.setFiles(request.files);
      const program = project.program();
      const { findings, parseOk } = tsFindings(request);
      const lint = parseOk ? eslintFindings(request, program) : [];
      return { findings: merge(findings, lint), parse_ok: parseOk, analysers: versions, analysis_ms: performance.now() - started };
    },
  };
}

/** Fix options best first: fixes, code fixes, then suggestions; safe before unsafe. */
function rank(fix: FixOption): number {
  const kind = fix.kind === 'suggestion' ? 2 : 0;
  return kind + (fix.safety === 'safe' ? 0 : fix.safety === 'unsafe' ? 1 : 2) * 0.1;
}

/** Merges ESLint findings that repeat a TypeScript one (same file, same line, a rule listed as the same finding). */
function merge(tsFindings: Finding[], lint: Finding[]): Finding[] {
  const out = [...tsFindings];
  for (const f of lint) {
    const twin = out.find((t) => t.source === 'typescript' && t.file === f.file && t.line === f.line && (SAME_FINDING[Number(t.rule.slice(2))] ?? []).includes(f.rule));
    if (!twin) {
      out.push(f);
      continue;
    }
    twin.also_reported_by.push(f.rule);
    // The better fix wins: a TypeScript code fix usually; ESLint's when the compiler offers none.
    if (!twin.fixes.length || (f.fixes[0] && rank(f.fixes[0]) < rank(twin.fixes[0]!))) twin.fixes = [...f.fixes, ...twin.fixes].sort((a, b) => rank(a) - rank(b));
  }
  return out.sort((a, b) => (a.file === b.file ? a.start - b.start : a.file < b.file ? -1 : 1));
}
