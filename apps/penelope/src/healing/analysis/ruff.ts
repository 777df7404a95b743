import { createRequire } from 'node:module';
import type * as RuffWasm from '@astral-sh/ruff-wasm-nodejs';
import type { AnalyseRequest, AnalyseResult, Finding, LanguageAnalyser } from './types.js';
import { LineIndex } from './text.js';
import { matchesFocus, RUFF_IGNORE, RUFF_SELECT, ruffFixSafety, ruffRule } from './rules.js';
import { pythonWarmCorpus, WARM_PASSES } from './warm-corpus.js';

type RuffModule = typeof RuffWasm;

/** What `Workspace.check` returns (ruff_wasm.d.ts's `Diagnostic`). */
type RuffDiagnostic = RuffWasm.Diagnostic;

const require = createRequire(import.meta.url);
/** PositionEncoding.Utf16: columns in UTF-16 code units, as JavaScript strings index them. */
const UTF16 = 1 as RuffWasm.PositionEncoding;

/**
 * Ruff (its WebAssembly build, `@astral-sh/ruff-wasm-nodejs`) for Python: one `Workspace` per worker, configured once
 * with the selected rules, reused for every file.
 */
export function createRuffAnalyser(): LanguageAnalyser {
  let ruff: RuffModule | undefined;
  let workspace: RuffWasm.Workspace | undefined;
  let version = 'not loaded';

  function load(): RuffWasm.Workspace {
    if (workspace) return workspace;
    ruff = require('@astral-sh/ruff-wasm-nodejs') as RuffModule;
    version = ruff.Workspace.version();
    workspace = new ruff.Workspace({ lint: { select: [...RUFF_SELECT], ignore: [...RUFF_IGNORE] } }, UTF16);
    return workspace;
  }

  return {
    get versions() {
      return [{ name: 'ruff', version }];
    },
    warm() {
      const corpus = pythonWarmCorpus();
      for (let pass = 0; pass < WARM_PASSES; pass++) this.analyse({ language: 'python', files: [{ path: 'warm.py', content: `${corpus}# warm-up pass ${pass}\n` }], focus: 'all' });
    },
    analyse(request: AnalyseRequest): AnalyseResult {
      const started = performance.now();
      const ws = load();
      const findings: Finding[] = [];
      let parseOk = true;
      for (const file of request.files) {
        const index = new LineIndex(file.content);
        const diagnostics = ws.check(file.content) as RuffDiagnostic[];
        for (const d of diagnostics) {
          const rule = d.code ?? 'invalid-syntax';
          if (rule === 'invalid-syntax') parseOk = false;
          const info = ruffRule(rule);
          if (!matchesFocus(request.focus, info)) continue;
          const start = index.offsetAt(d.start_location.row, d.start_location.column);
          const end = index.offsetAt(d.end_location.row, d.end_location.column);
          const finding: Finding = {
            rule,
            source: 'ruff',
            message: d.message,
            ...info,
            file: file.path,
            start,
            end,
            line: d.start_location.row,
            column: d.start_location.column,
            end_line: d.end_location.row,
            end_column: d.end_location.column,
            fixes: [],
            also_reported_by: [],
          };
          if (d.fix && d.fix.edits.length) {
            finding.fixes.push({
              kind: 'fix',
              id: rule,
              safety: ruffFixSafety(rule, file.path),
              description: d.fix.message ?? d.subDiagnostics.find((s) => String(s.severity) === 'help')?.message ?? `Fix ${rule}`,
              edits: d.fix.edits.map((e) => ({
                file: file.path,
                start: index.offsetAt(e.location.row, e.location.column),
                end: index.offsetAt(e.end_location.row, e.end_location.column),
                text: e.content ?? '',
              })),
            });
          }
          findings.push(finding);
        }
      }
      return { findings, parse_ok: parseOk, analysers: this.versions, analysis_ms: performance.now() - started };
    },
  };
}
