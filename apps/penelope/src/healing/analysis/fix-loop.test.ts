import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { pythonFacts, runProcess } from '../verify.js';
import { AnalysisEngine } from './engine.js';
import { fixLoop } from './fix-loop.js';
import { applyEdits, editsConflict } from './text.js';
import { fileMap, toFiles } from './types.js';

const content = readFileSync(new URL('../../../fixtures/overlap/nested_else.py', import.meta.url), 'utf8');
const engine = new AnalysisEngine();
const analyse = (files: Map<string, string>) => engine.analyse({ language: 'python', files: toFiles(files), focus: 'all' });

async function classify(source: string, args: [number | null, number][]): Promise<string> {
  const script = `${source}\nimport json\nprint(json.dumps([classify(v, l) for v, l in ${JSON.stringify(args).replaceAll('null', 'None')}]))\n`;
  const r = await runProcess('python3', ['-c', script], { cwd: process.cwd(), timeoutMs: 20_000 });
  if (r.missing) return 'python3 missing';
  return r.stdout.trim();
}

describe('the fix loop with overlapping multi-line fixes', () => {
  it('applies three nested, overlapping RET505 rewrites one pass at a time and never produces invalid code', async () => {
    const files = fileMap([{ path: 'nested_else.py', content }]);
    const before = analyse(files);
    const fixes = before.findings.filter((f) => f.rule === 'RET505');
    expect(fixes).toHaveLength(3);
    const edits = fixes.map((f) => f.fixes[0]!.edits[0]!);
    // Each rewrite spans several lines, and every one overlaps the others.
    for (const e of edits) expect(content.slice(e.start, e.end).split('\n').length).toBeGreaterThan(1);
    expect(editsConflict(edits[0]!, edits[1]!) && editsConflict(edits[1]!, edits[2]!) && editsConflict(edits[0]!, edits[2]!)).toBe(true);

    // Splicing them all in at once, shifting offsets as one does for disjoint edits, breaks the code...
    let naive = content;
    let delta = 0;
    for (const e of [...edits].sort((a, b) => a.start - b.start)) {
      naive = naive.slice(0, e.start + delta) + e.text + naive.slice(e.end + delta);
      delta += e.text.length - (e.end - e.start);
    }
    expect(analyse(fileMap([{ path: 'nested_else.py', content: naive }])).parse_ok).toBe(false);
    // ...and applying them back to front silently drops the inner rewrites.
    expect(analyse(fileMap([{ path: 'nested_else.py', content: applyEdits(content, edits) }])).findings.filter((f) => f.rule === 'RET505')).toHaveLength(2);

    // ...the loop takes one per pass, re-analysing in between.
    const loop = fixLoop(analyse, files, before, (f) => (f.rule === 'RET505' ? f.fixes[0] : undefined));
    expect(loop.passes).toBe(3);
    expect(loop.stopped).toBe('clean');
    expect(loop.result.parse_ok).toBe(true);
    expect(loop.result.findings.filter((f) => f.rule === 'RET505')).toHaveLength(0);
    const fixed = loop.files.get('nested_else.py')!;
    const facts = await pythonFacts([{ key: 'x', text: fixed }]);
    if (facts) expect(facts.x?.parse_ok).toBe(true);
    const inputs: [number | null, number][] = [[null, 5], [10, 5], [-3, 5], [2, 5]];
    expect(await classify(fixed, inputs)).toBe(await classify(content, inputs));
  }, 120_000);

  it('stops at 10 passes and reverts a pass that breaks parsing', () => {
    const files = fileMap([{ path: 'a.py', content: 'x = 1\n' }]);
    const start = analyse(files);
    let n = 0;
    // A fix that always applies (appends a line): the loop must stop at 10 passes.
    const grow = fixLoop(analyse, files, { ...start, findings: [] }, () => undefined);
    expect(grow.passes).toBe(0);
    const endless = fixLoop(
      (f) => ({ ...analyse(f), findings: [{ ...start.findings[0]!, rule: 'X', fixes: [{ kind: 'fix', id: 'X', safety: 'safe', description: 'grow', edits: [{ file: 'a.py', start: 0, end: 0, text: `y${n++} = 0\n` }] }] } as never] }),
      files,
      { ...start, findings: [{ rule: 'X', fixes: [{ kind: 'fix', id: 'X', safety: 'safe', description: 'grow', edits: [{ file: 'a.py', start: 0, end: 0, text: 'z = 0\n' }] }] } as never] },
      (f) => f.fixes[0],
    );
    expect(endless.passes).toBe(10);
    expect(endless.stopped).toBe('max-passes');
    const breaking = fixLoop(analyse, files, { ...start, findings: [{ rule: 'X', fixes: [{ kind: 'fix', id: 'X', safety: 'safe', description: 'break', edits: [{ file: 'a.py', start: 0, end: 0, text: 'def (:\n' }] }] } as never] }, (f) => f.fixes[0]);
    expect(breaking.stopped).toBe('syntax-error-reverted');
    expect(breaking.files.get('a.py')).toBe('x = 1\n');
  }, 60_000);
});
