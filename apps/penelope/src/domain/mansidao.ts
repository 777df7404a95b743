import { structuredPatch } from 'diff';
import type { Mansidao } from '@maximus/contracts';
import type { CodeFacts, StatementFact } from './facts.js';

/** The limits of a gentle patch. */
export const MANSIDAO_LIMITS = { lines: 25, functions: 3, reversibility: 0.9 } as const;

/** One file a patch changes, with the facts of both versions (null: they could not be measured). */
export interface FileChange {
  path: string;
  before: string;
  after: string;
  beforeFacts: CodeFacts | null;
  afterFacts: CodeFacts | null;
}

/** Lines removed (numbered in the old text) and added (numbered in the new text), from a diff without context. */
export function changedLines(before: string, after: string): { removed: number[]; added: number[] } {
  const patch = structuredPatch('a', 'b', before, after, '', '', { context: 0 });
  const removed: number[] = [];
  const added: number[] = [];
  for (const hunk of patch.hunks) {
    let oldLine = hunk.oldStart;
    let newLine = hunk.newStart;
    for (const line of hunk.lines) {
      if (line.startsWith('-')) removed.push(oldLine++);
      else if (line.startsWith('+')) added.push(newLine++);
      else if (line.startsWith(' ')) {
        oldLine++;
        newLine++;
      }
    }
  }
  return { removed, added };
}

const round = (x: number) => Math.round(x * 10_000) / 10_000;

function innermost(functions: CodeFacts['functions'], line: number): string | undefined {
  let best: CodeFacts['functions'][number] | undefined;
  for (const f of functions) {
    if (f.start_line <= line && line <= f.end_line && (!best || f.end_line - f.start_line < best.end_line - best.start_line)) best = f;
  }
  return best?.name;
}

/** Outermost statements whose every line was removed and whose text does not reappear in the new version (moved code is not deleted). */
function deletedStatements(facts: CodeFacts, removed: Set<number>, afterTexts: Set<string>): StatementFact[] {
  const candidates = facts.statements
    .filter((s) => {
      for (let l = s.start_line; l <= s.end_line; l++) if (!removed.has(l)) return false;
      return !afterTexts.has(s.text);
    })
    .sort((a, b) => a.depth - b.depth);
  const chosen: StatementFact[] = [];
  for (const s of candidates) if (!chosen.some((c) => c.start_line <= s.start_line && s.end_line <= c.end_line)) chosen.push(s);
  return chosen;
}

/** Public surface changes: removed or renamed functions, classes, methods and routes; changed signatures. */
export function breakingChanges(before: CodeFacts, after: CodeFacts): string[] {
  const key = (i: CodeFacts['public_api'][number]) => `${i.kind} ${i.name}`;
  const afterByKey = new Map(after.public_api.map((i) => [key(i), i]));
  const beforeKeys = new Set(before.public_api.map(key));
  const added = after.public_api.filter((i) => !beforeKeys.has(key(i)));
  const out: string[] = [];
  for (const item of before.public_api) {
    const now = afterByKey.get(key(item));
    if (now) {
      if (now.signature !== item.signature) out.push(`changed signature of ${item.kind} ${item.name}: ${item.signature} → ${now.signature}`);
      continue;
    }
    const twin = item.kind === 'route' ? undefined : added.findIndex((a) => a.kind === item.kind && a.signature === item.signature);
    if (twin !== undefined && twin >= 0) {
      out.push(`renamed ${item.kind} ${item.name} → ${added[twin]!.name}`);
      added.splice(twin, 1);
    } else {
      out.push(`removed public ${item.kind} ${item.name}`);
    }
  }
  return out;
}

/**
 * Measures a patch (docs/healing.md, "Mansidão"):
 * - lines: removed + added lines of the diff;
 * - functions: distinct functions (innermost, from the AST) containing a removed line (old version) or an added line (new);
 * - reversibility = 1 − 0.5·(lines of deleted effectful statements / lines) − 0.5·(lines of deleted declarations / lines),
 *   counting outermost statements deleted outright (unreachable ones have no effect to lose);
 * - breaking: a removed or renamed public function, class, method or route, or a changed signature (from the AST);
 * - score = 0 when breaking, else 0.3·max(0, 1 − lines/25) + 0.3·reversibility + 0.2·max(0, 1 − functions/3) + 0.2.
 */
export function measureMansidao(changes: readonly FileChange[]): Mansidao {
  let lines = 0;
  let effectful = 0;
  let declarations = 0;
  const functions = new Set<string>();
  const breaking: string[] = [];
  const prefix = changes.length > 1;
  for (const change of changes) {
    const { removed, added } = changedLines(change.before, change.after);
    lines += removed.length + added.length;
    const { beforeFacts, afterFacts } = change;
    if (!beforeFacts || !afterFacts) {
      breaking.push(`${change.path}: not measured (no syntax tree for this language here)`);
      continue;
    }
    if (!afterFacts.parse_ok) breaking.push(`${change.path}: the patched file does not parse`);
    const name = (fn: string) => (prefix ? `${change.path}:${fn}` : fn);
    for (const l of removed) {
      const fn = innermost(beforeFacts.functions, l);
      if (fn) functions.add(name(fn));
    }
    for (const l of added) {
      const fn = innermost(afterFacts.functions, l);
      if (fn) functions.add(name(fn));
    }
    const afterTexts = new Set(afterFacts.statements.map((s) => s.text));
    for (const s of deletedStatements(beforeFacts, new Set(removed), afterTexts)) {
      const span = s.end_line - s.start_line + 1;
      if (s.declaration) declarations += span;
      else if (s.effectful && !s.unreachable) effectful += span;
    }
    if (beforeFacts.parse_ok && afterFacts.parse_ok) breaking.push(...breakingChanges(beforeFacts, afterFacts).map((b) => (prefix ? `${change.path}: ${b}` : b)));
  }
  const changed = Math.max(1, lines);
  const reversibility = round(Math.min(1, Math.max(0, 1 - 0.5 * (effectful / changed) - 0.5 * (declarations / changed))));
  const isBreaking = breaking.length > 0;
  const score = isBreaking
    ? 0
    : round(0.3 * Math.max(0, 1 - lines / MANSIDAO_LIMITS.lines) + 0.3 * reversibility + 0.2 * Math.max(0, 1 - functions.size / MANSIDAO_LIMITS.functions) + 0.2);
  return {
    score,
    lines_changed: lines,
    functions_modified: functions.size,
    functions: [...functions].sort(),
    reversibility,
    breaking_change: isBreaking,
    breaking_changes: breaking,
    within_limits: !isBreaking && lines <= MANSIDAO_LIMITS.lines && functions.size <= MANSIDAO_LIMITS.functions && reversibility >= MANSIDAO_LIMITS.reversibility,
    requires_human_review: isBreaking,
  };
}
