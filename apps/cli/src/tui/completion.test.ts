import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SLASH_COMMANDS } from './commands/index.js';
import { completePath, completer, tokenize } from './completion.js';

describe('tokenize', () => {
  it('splits on whitespace and keeps quoted or escaped spaces inside a word', () => {
    expect(tokenize('/governance reject 0b6c  false positive ')).toEqual(['/governance', 'reject', '0b6c', 'false', 'positive']);
    expect(tokenize(`/analyze "my dir/a b.ts" 'x y' my\\ file`)).toEqual(['/analyze', 'my dir/a b.ts', 'x y', 'my file']);
    expect(tokenize('/heal ""')).toEqual(['/heal', '']);
  });
});

describe('completion', () => {
  const dir = mkdtempSync(join(tmpdir(), 'maximus-completion-'));
  mkdirSync(join(dir, 'reports'));
  writeFileSync(join(dir, 'alpha.ts'), '');
  writeFileSync(join(dir, 'alpha two.ts'), '');
  writeFileSync(join(dir, '.hidden'), '');
  writeFileSync(join(dir, 'reports', 'q3.md'), '');
  symlinkSync(join(dir, 'reports'), join(dir, 'linked'));

  it('completes paths: directories end with a slash, links to directories too, spaces are escaped, dot files only when asked', () => {
    expect(completePath('al', dir)).toEqual(['alpha.ts', 'alpha\\ two.ts']);
    expect(completePath('rep', dir)).toEqual(['reports/']);
    expect(completePath('lin', dir)).toEqual(['linked/']);
    expect(completePath('reports/', dir)).toEqual(['reports/q3.md']);
    expect(completePath('', dir)).not.toContain('.hidden');
    expect(completePath('.h', dir)).toEqual(['.hidden']);
    expect(completePath('nowhere/x', dir)).toEqual([]);
    expect(completePath(`${dir}/alpha\\ t`)).toEqual([`${dir}/alpha\\ two.ts`]);
  });

  it('completes slash commands, a unique one with its space when it takes arguments, then their arguments', () => {
    const complete = completer(SLASH_COMMANDS, new Map([['governance', ['0b6c1f', '0b6d22', '9a0000']]]));
    expect(complete('/he')).toEqual([['/health', '/heal', '/help'], '/he']);
    expect(complete('/gov')).toEqual([['/governance '], '/gov']);
    expect(complete('/spi')).toEqual([['/spiritual'], '/spi']);
    expect(complete('/governance ap')).toEqual([['approve'], 'ap']);
    expect(complete('/governance approve 0b6')).toEqual([['0b6c1f', '0b6d22'], '0b6']);
    expect(complete('/health x')).toEqual([[], 'x']);
    expect(complete('plain text')).toEqual([[], 'plain text']);
    const [paths, partial] = complete(`/analyze ${dir}/rep`);
    expect([paths, partial]).toEqual([[`${dir}/reports/`], `${dir}/rep`]);
  });
});
