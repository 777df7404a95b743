import { describe, expect, it } from 'vitest';
import { diagnoseRequests, guessLanguage, safePath } from './diagnose.js';

describe('diagnose_code requests (PENELOPE takes one language, code or files, 50 files, relative paths)', () => {
  it('guesses a snippet\'s language, and says it guessed', () => {
    expect(guessLanguage('def f(x):\n    return x\n')).toBe('python');
    expect(guessLanguage('import os\nos.system("ls")\n')).toBe('python');
    expect(guessLanguage('const x: number = 1;\n')).toBe('typescript');
    expect(guessLanguage('interface A { b: string }')).toBe('typescript');
    expect(guessLanguage('const x = require("fs");\n')).toBe('javascript');
    expect(diagnoseRequests({ code: 'def f(:' })).toEqual([{ language: 'python', code: 'def f(:', guessed: true }]);
    expect(diagnoseRequests({ code: 'x = 1', language: 'python' })).toEqual([{ language: 'python', code: 'x = 1', guessed: false }]);
  });

  it('groups files by language, in calls of at most 50, with safe relative paths', () => {
    const files = [
      ...Array.from({ length: 60 }, (_, i) => ({ path: `src/m${i}.ts`, content: 'export {}' })),
      { path: '/abs/dir/../tool.py', content: 'x = 1' },
      { path: 'lib\\win.js', content: 'var a' },
    ];
    const requests = diagnoseRequests({ files });
    expect(requests.map((r) => [r.language, r.files?.length])).toEqual([
      ['typescript', 50],
      ['typescript', 10],
      ['python', 1],
      ['javascript', 1],
    ]);
    expect(requests[2]?.files?.[0]?.path).toBe('abs/dir/tool.py');
    expect(requests[3]?.files?.[0]?.path).toBe('lib/win.js');
    expect(requests.every((r) => r.code === undefined)).toBe(true);
  });

  it('sends code and files as separate calls, never both in one', () => {
    const requests = diagnoseRequests({ code: 'x = 1', language: 'python', files: [{ path: 'a.py', content: 'y = 2' }] });
    expect(requests).toHaveLength(2);
    expect(requests.every((r) => (r.code === undefined) !== (r.files === undefined))).toBe(true);
  });

  it('keeps paths relative', () => {
    expect(safePath('../../etc/passwd', 'f')).toBe('etc/passwd');
    expect(safePath('C:\\x\\y.ts', 'f')).toBe('x/y.ts');
    expect(safePath('..', 'file1.py')).toBe('file1.py');
  });
});
