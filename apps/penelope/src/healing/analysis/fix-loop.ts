import type { SafetyClass } from '@maximus/contracts';
import type { AnalyseResult, FileMap, Finding, FixOption } from './types.js';
import { applyEdits, editsConflict, type Edit } from './text.js';

/** At most this many fix passes (ESLint's and Ruff's own fix loops stop at 10 too). */
export const MAX_PASSES = 10;

export interface FixLoopResult {
  files: FileMap;
  result: AnalyseResult;
  passes: number;
  /** Fix options applied over all passes. */
  applied: FixOption[];
  /** Why the loop ended. */
  stopped: 'clean' | 'max-passes' | 'syntax-error-reverted' | 'cycle';
}

/**
 * The fix loop: each pass applies the chosen fixes that do not overlap (or touch) one another — an option's edits all
 * or none, earliest first, as ESLint does — then analyses again, so that a fix skipped for overlapping is offered again
 * on the new text, with fresh offsets. A pass that makes the code stop parsing is reverted and ends the loop, so
 * overlapping fixes never produce broken code.
 */
export function fixLoop(
  analyse: (files: FileMap) => AnalyseResult,
  files: FileMap,
  initial: AnalyseResult,
  choose: (finding: Finding) => FixOption | undefined,
  maxPasses = MAX_PASSES,
): FixLoopResult {
  let current = files;
  let result = initial;
  const applied: FixOption[] = [];
  const seen = new Set([snapshot(current)]);
  for (let pass = 0; pass < maxPasses; pass++) {
    const options = result.findings
      .map(choose)
      .filter((o): o is FixOption => o !== undefined && o.edits.length > 0)
      .sort((a, b) => firstStart(a) - firstStart(b));
    const accepted: Edit[] = [];
    const chosen: FixOption[] = [];
    for (const option of options) {
      if (option.edits.some((e) => accepted.some((a) => editsConflict(a, e)))) continue;
      accepted.push(...option.edits);
      chosen.push(option);
    }
    if (!chosen.length) return { files: current, result, passes: pass, applied, stopped: 'clean' };
    const next = new Map(current);
    for (const [path, text] of current) {
      const edits = accepted.filter((e) => e.file === path);
      if (edits.length) next.set(path, applyEdits(text, edits));
    }
    const key = snapshot(next);
    if (seen.has(key)) return { files: current, result, passes: pass, applied, stopped: 'cycle' };
    seen.add(key);
    const nextResult = analyse(next);
    if (result.parse_ok && !nextResult.parse_ok) return { files: current, result, passes: pass, applied, stopped: 'syntax-error-reverted' };
    current = next;
    result = nextResult;
    applied.push(...chosen);
  }
  return { files: current, result, passes: maxPasses, applied, stopped: 'max-passes' };
}

function firstStart(option: FixOption): number {
  return Math.min(...option.edits.map((e) => e.start));
}

function snapshot(files: FileMap): string {
  return [...files].map(([p, t]) => `${p}\u0000${t}`).join('\u0001');
}

/** The class of a set of applied options: the least safe. */
export function appliedSafety(options: readonly FixOption[]): SafetyClass {
  if (options.some((o) => o.safety === 'suggestion-only')) return 'suggestion-only';
  if (options.some((o) => o.safety === 'unsafe')) return 'unsafe';
  return 'safe';
}
