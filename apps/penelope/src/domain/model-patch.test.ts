import { describe, expect, it } from 'vitest';
import { PROPOSE_FIX_LIMITS, type Issue, type TestRun } from '@maximus/contracts';
import { fixRequest, modelPatchTitle, modelSafety } from './model-patch.js';

const issue = (file: string, rule: string, severity: Issue['severity'], line = 1): Issue => ({
  rule, source: 'ruff', message: `${rule} message`, severity, category: 'correctness', file, line, column: 1, end_line: line, end_column: 2,
  fixable: false, fix_safety: null, fix_description: null, also_reported_by: [],
});
const run = (ok: boolean): TestRun => ({ runner: 'pytest', passed: ok ? 1 : 0, failed: ok ? 0 : 1, total: 1, ok, timed_out: false, duration_ms: 5, output_tail: '' });

describe('what PENELOPE asks of core\'s model', () => {
  it('sends the files that have issues, most errors first, with their issues (errors first)', () => {
    const files = [{ path: 'a.py', content: 'a\n' }, { path: 'b.py', content: 'b\n' }, { path: 'clean.py', content: 'c\n' }];
    const issues = [issue('a.py', 'F401', 'warning', 3), issue('b.py', 'F821', 'error', 2), issue('a.py', 'E711', 'warning', 1)];
    const request = fixRequest('python', files, issues);
    expect(request).toEqual({
      params: {
        language: 'python',
        files: [{ path: 'b.py', content: 'b\n' }, { path: 'a.py', content: 'a\n' }],
        issues: [
          { rule: 'F821', message: 'F821 message', line: 2, column: 1, file: 'b.py', severity: 'error' },
          { rule: 'E711', message: 'E711 message', line: 1, column: 1, file: 'a.py', severity: 'warning' },
          { rule: 'F401', message: 'F401 message', line: 3, column: 1, file: 'a.py', severity: 'warning' },
        ],
      },
    });
  });

  it('keeps within the route\'s bounds: files that do not fit are left out, and it says when none fits', () => {
    const big = 'x'.repeat(PROPOSE_FIX_LIMITS.totalChars - 10);
    const files = [{ path: 'big.py', content: big }, { path: 'small.py', content: 'y'.repeat(20) }, { path: 'tiny.py', content: 'z' }];
    const issues = [issue('big.py', 'F821', 'error'), issue('small.py', 'F401', 'warning'), issue('tiny.py', 'F401', 'warning')];
    const request = fixRequest('python', files, issues);
    expect('params' in request && request.params.files.map((f) => f.path)).toEqual(['big.py', 'tiny.py']);
    const many = Array.from({ length: PROPOSE_FIX_LIMITS.files + 3 }, (_, i) => ({ path: `m${i}.py`, content: 'x\n' }));
    const manyIssues = many.flatMap((f) => Array.from({ length: 30 }, (_, line) => issue(f.path, 'E501', 'info', line + 1)));
    const capped = fixRequest('python', many, manyIssues);
    expect('params' in capped && capped.params.files).toHaveLength(PROPOSE_FIX_LIMITS.files);
    expect('params' in capped && capped.params.issues).toHaveLength(PROPOSE_FIX_LIMITS.issues);
    const huge = [{ path: 'huge.py', content: 'x'.repeat(PROPOSE_FIX_LIMITS.totalChars + 1) }];
    expect(fixRequest('python', huge, [issue('huge.py', 'F821', 'error')])).toEqual({ skip: `not asked: huge.py, the smallest file with issues, has ${PROPOSE_FIX_LIMITS.totalChars + 1} characters; a model fix takes at most ${PROPOSE_FIX_LIMITS.totalChars}` });
  });

  it('never calls a model patch safe: unsafe only when given tests pass on it', () => {
    expect(modelSafety(run(true))).toBe('unsafe');
    expect(modelSafety(run(false))).toBe('suggestion-only');
    expect(modelSafety(null)).toBe('suggestion-only');
  });

  it('names the model in the title, and keeps it short', () => {
    expect(modelPatchTitle('openai', 'gpt-4o', 'Compare to None with `is`.', ['E711'])).toBe('Model patch (openai gpt-4o): Compare to None with `is`.');
    expect(modelPatchTitle('anthropic', 'claude', '', ['E711', 'F401'])).toBe('Model patch (anthropic claude): fixes E711, F401');
    const long = modelPatchTitle('openai', 'm', 'w'.repeat(500), []);
    expect(long).toHaveLength(200);
    expect(long.endsWith('…')).toBe(true);
  });
});
