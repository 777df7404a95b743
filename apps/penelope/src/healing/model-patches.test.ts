import { describe, expect, it } from 'vitest';
import { AnalysisEngine } from './analysis/engine.js';
import { NO_MODEL_TTL_MS, NoModelMemo } from './model-patches.js';

const UTIL = 'import os\n\n\ndef first(items):\n    if items == None:\n        return None\n    return items[0]\n';

describe('core\'s "no language model" answer', () => {
  it('is believed for 5 minutes, then core is asked again', () => {
    const clock = { t: 1_000_000, now: () => clock.t };
    const memo = new NoModelMemo(clock);
    expect(memo.current()).toBeUndefined();
    memo.remember('CORE_ERR_QUERY_NO_MODEL: none');
    expect(memo.current()).toEqual({ reason: 'CORE_ERR_QUERY_NO_MODEL: none', until: new Date(1_000_000 + NO_MODEL_TTL_MS) });
    clock.t += NO_MODEL_TTL_MS - 1;
    expect(memo.current()).toBeDefined();
    clock.t += 1;
    expect(memo.current()).toBeUndefined();
  });
});

describe('a model\'s files measured as a candidate (the analysers run on both versions)', () => {
  const engine = new AnalysisEngine();
  const files = [{ path: 'app/util.py', content: UTIL }, { path: 'app/other.py', content: 'x = 1\n' }];

  it('finds what the change resolved and introduced, and keeps only the files it changed', () => {
    const fixed = UTIL.replace('items == None', 'items is None');
    const candidate = engine.assess({ language: 'python', files, focus: 'all', proposed: [{ path: 'app/util.py', content: fixed }, { path: 'app/other.py', content: 'x = 1\n' }], rules: ['E711', 'F401'], key: 'model', title: 'Model patch', safety: 'suggestion-only' });
    expect(candidate).toMatchObject({ key: 'model', rules: ['E711', 'F401'], safety: 'suggestion-only', parse_ok: true, passes: 1, diagnostics_before: 2, diagnostics_after: 1, targeted_before: 2, targeted_after: 1, facts: null });
    expect(candidate.before).toEqual([{ path: 'app/util.py', content: UTIL }]);
    expect(candidate.after).toEqual([{ path: 'app/util.py', content: fixed }]);
    expect(candidate.resolved.map((r) => r.rule)).toEqual(['E711']);
    expect(candidate.introduced).toEqual([]);
  });

  it('reports code that no longer parses, and what it broke', () => {
    const candidate = engine.assess({ language: 'python', files, focus: 'all', proposed: [{ path: 'app/util.py', content: 'def first(items:\n' }], key: 'model', title: 'Model patch', safety: 'suggestion-only' });
    expect(candidate.parse_ok).toBe(false);
    expect(candidate.rules).toEqual(['E711', 'F401']);
    expect(candidate.introduced.length).toBeGreaterThan(0);
  });

  it('measures TypeScript with the facts of both versions', () => {
    const ts = [{ path: 'a.ts', content: 'export function f(x: number) {\n  if (x == 1) return 1;\n  return 2;\n}\n' }];
    const candidate = engine.assess({ language: 'typescript', files: ts, focus: 'all', proposed: [{ path: 'a.ts', content: ts[0]!.content.replace('==', '===') }], key: 'model', title: 'Model patch', safety: 'suggestion-only' });
    expect(candidate.resolved.map((r) => r.rule)).toContain('eqeqeq');
    expect(Object.keys(candidate.facts ?? {})).toEqual(['a.ts']);
  });
});
