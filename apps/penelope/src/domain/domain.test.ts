import { describe, expect, it } from 'vitest';
import type { Mansidao, TestRun } from '@maximus/contracts';
import { applyRiskFactors } from './apply-risk.js';
import { patchConfidence, testVerdict, verificationReasons } from './confidence.js';
import type { CodeFacts } from './facts.js';
import { breakingChanges, changedLines, measureMansidao } from './mansidao.js';
import { applyTime, isRestDay, nextMonday } from './sabbath.js';
import { caseSimilarity, jaccard, shapeSketch, sketchSimilarity } from './similarity.js';

const facts = (over: Partial<CodeFacts> = {}): CodeFacts => ({ parse_ok: true, functions: [], statements: [], public_api: [], ...over });
const stmt = (start: number, end: number, over: Partial<CodeFacts['statements'][number]> = {}) => ({ start_line: start, end_line: end, depth: 0, effectful: false, declaration: false, unreachable: false, text: `s${start}`, ...over });

describe('mansidão', () => {
  it('counts removed and added lines from the diff', () => {
    expect(changedLines('a\nb\nc\n', 'a\nc\n')).toEqual({ removed: [2], added: [] });
    expect(changedLines('a\nb\n', 'a\nB\nx\n')).toEqual({ removed: [2], added: [2, 3] });
  });

  it('scores a one-line import removal by the formula, within the limits', () => {
    const before = facts({ statements: [stmt(1, 1, { text: 'import os' }), stmt(2, 2)] });
    const m = measureMansidao([{ path: 'a.py', before: 'import os\nx = 1\n', after: 'x = 1\n', beforeFacts: before, afterFacts: facts({ statements: [stmt(1, 1)] }) }]);
    expect(m).toMatchObject({ lines_changed: 1, functions_modified: 0, reversibility: 1, breaking_change: false, within_limits: true });
    expect(m.score).toBeCloseTo(0.3 * (1 - 1 / 25) + 0.3 * 1 + 0.2 * 1 + 0.2, 6);
  });

  it('lowers reversibility for deleted effectful statements (not for unreachable ones) and counts functions from the AST', () => {
    const fn = { name: 'f', start_line: 1, end_line: 3 };
    const before = facts({ functions: [fn], statements: [stmt(2, 2, { depth: 1, text: 'return 1' }), stmt(3, 3, { depth: 1, effectful: true, text: 'print(2)' })] });
    const after = facts({ functions: [{ name: 'f', start_line: 1, end_line: 2 }], statements: [stmt(2, 2, { depth: 1, text: 'return 1' })] });
    const src = 'def f():\n    return 1\n    print(2)\n';
    const reachable = measureMansidao([{ path: 'a.py', before: src, after: 'def f():\n    return 1\n', beforeFacts: before, afterFacts: after }]);
    expect(reachable.reversibility).toBe(0.5);
    expect(reachable.functions).toEqual(['f']);
    expect(reachable.within_limits).toBe(false);
    before.statements[1]!.unreachable = true;
    const dead = measureMansidao([{ path: 'a.py', before: src, after: 'def f():\n    return 1\n', beforeFacts: before, afterFacts: after }]);
    expect(dead.reversibility).toBe(1);
  });

  it('a breaking change scores 0 and requires a person: removed, renamed, changed signature, removed route', () => {
    const api = (list: CodeFacts['public_api']) => facts({ public_api: list });
    expect(breakingChanges(api([{ kind: 'function', name: 'f', signature: '(a, b)' }]), api([{ kind: 'function', name: 'f', signature: '(a)' }]))).toEqual(['changed signature of function f: (a, b) → (a)']);
    expect(breakingChanges(api([{ kind: 'function', name: 'f', signature: '(a)' }]), api([{ kind: 'function', name: 'g', signature: '(a)' }]))).toEqual(['renamed function f → g']);
    expect(breakingChanges(api([{ kind: 'route', name: 'GET /x', signature: '' }]), api([]))).toEqual(['removed public route GET /x']);
    const m = measureMansidao([{ path: 'a.ts', before: 'export function f(a, b) {}\n', after: 'export function f(a) {}\n', beforeFacts: api([{ kind: 'function', name: 'f', signature: '(a, b)' }]), afterFacts: api([{ kind: 'function', name: 'f', signature: '(a)' }]) }]);
    expect(m).toMatchObject({ score: 0, breaking_change: true, requires_human_review: true, within_limits: false });
  });

  it('without a syntax tree nothing is assumed: not measured, a person reviews', () => {
    const m = measureMansidao([{ path: 'a.py', before: 'x\n', after: 'y\n', beforeFacts: null, afterFacts: null }]);
    expect(m.requires_human_review).toBe(true);
    expect(m.breaking_changes[0]).toMatch(/not measured/);
  });
});

describe('confidence and verification', () => {
  const run = (ok: boolean, passed: number, failed: number): TestRun => ({ runner: 'pytest', ok, passed, failed, total: passed + failed, timed_out: false, duration_ms: 1, output_tail: '' });
  const base = { safety: 'safe' as const, parseOk: true, targetedBefore: 2, resolved: 2, introducedErrors: 0, introducedOther: 0, testsBaseline: null, tests: null };

  it('follows the documented formula', () => {
    expect(patchConfidence(base)).toBe(0.855); // 0.95 · 1 · 0.9 (no tests)
    expect(patchConfidence({ ...base, resolved: 1, safety: 'unsafe' })).toBe(0.3375); // 0.75 · 0.5 · 0.9
    expect(patchConfidence({ ...base, introducedErrors: 1, introducedOther: 1, testsBaseline: run(true, 2, 0), tests: run(true, 2, 0) })).toBe(0.722); // 0.95 · 0.8 · 0.95
    expect(patchConfidence({ ...base, parseOk: false })).toBe(0);
  });

  it('rejects a patch that breaks tests, accepts one that fixes failing tests', () => {
    expect(testVerdict(run(true, 2, 0), run(false, 1, 1))).toBe('broken');
    expect(testVerdict(run(false, 1, 1), run(true, 2, 0))).toBe('passed');
    expect(testVerdict(run(false, 1, 1), run(false, 1, 1))).toBe('undecided');
    expect(verificationReasons({ ...base, testsBaseline: run(true, 2, 0), tests: run(false, 1, 1) })).toEqual(['tests fail after the patch']);
    expect(verificationReasons({ ...base, resolved: 0 })).toEqual(['no targeted finding is resolved']);
  });
});

describe('Sabbath mode', () => {
  it('holds Saturday and Sunday (UTC) until Monday 00:00 UTC', () => {
    const saturday = new Date('2026-01-03T10:00:00Z');
    const sunday = new Date('2026-01-04T23:59:59Z');
    const monday = new Date('2026-01-05T00:00:00Z');
    expect(isRestDay(saturday) && isRestDay(sunday)).toBe(true);
    expect(isRestDay(monday)).toBe(false);
    expect(nextMonday(saturday).toISOString()).toBe('2026-01-05T00:00:00.000Z');
    expect(applyTime(sunday, true).toISOString()).toBe('2026-01-05T00:00:00.000Z');
    expect(applyTime(sunday, false)).toEqual(sunday);
    expect(applyTime(new Date('2026-01-07T12:00:00Z'), true).toISOString()).toBe('2026-01-07T12:00:00.000Z');
  });
});

describe('precedent similarity', () => {
  it('weighs rules, file names and code shape', () => {
    expect(jaccard(['a', 'b'], ['b', 'c'])).toBeCloseTo(1 / 3);
    const shape = shapeSketch(['FunctionDef', 'If', 'Compare', 'Return', 'Name', 'Return']);
    expect(sketchSimilarity(shape, shape)).toBe(1);
    expect(sketchSimilarity(shape, shapeSketch(['ClassDef', 'Assign', 'Call', 'Name', 'Attribute']))).toBe(0);
    const same = caseSimilarity({ rules: ['F401'], files: ['a/util.py'], shape }, { rules: ['F401'], files: ['b/util.py'], shape });
    expect(same).toEqual({ similarity: 1, components: { rules: 1, files: 1, shape: 1 } });
    expect(caseSimilarity({ rules: ['F401'], files: ['x.py'], shape }, { rules: ['E711'], files: ['y.py'], shape: [] }).similarity).toBe(0);
  });
});

describe('apply_patch risk factors', () => {
  it('grow with the safety class, the size and a lower mansidão', () => {
    const m = (over: Partial<Mansidao>): Mansidao => ({ score: 0.9, lines_changed: 2, functions_modified: 1, functions: [], reversibility: 1, breaking_change: false, breaking_changes: [], within_limits: true, requires_human_review: false, ...over });
    const gentle = applyRiskFactors({ safety: 'safe', mansidao: m({}), workspace: false, security: false });
    const rough = applyRiskFactors({ safety: 'unsafe', mansidao: m({ score: 0, lines_changed: 80, breaking_change: true }), workspace: true, security: true });
    expect(gentle).toEqual({ threat: 0.1, asset: 0.1, business: 0.04, action: 0.2, compliance: 0.1, environment: 0.1 });
    expect(rough).toEqual({ threat: 0.3, asset: 0.4, business: 1, action: 0.8, compliance: 0.1, environment: 1 });
  });
});
