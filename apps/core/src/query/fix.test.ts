import { describe, expect, it } from 'vitest';
import { PROPOSE_FIX_LIMITS, type ProposeFixParams } from '@maximus/contracts';
import { fenceFor, fixMaxTokens, fixParamsIssues, fixPrompt, MAX_FIX_TOKENS, parseFixAnswer } from './fix.js';

const UTIL = 'import os\n\n\ndef first(items):\n    if items == None:\n        return None\n    return items[0]\n';
const FIXED = UTIL.replace('items == None', 'items is None');
const given = [{ path: 'app/util.py', content: UTIL }, { path: 'app/other.py', content: 'x = 1\n' }];
const params: ProposeFixParams = {
  language: 'python',
  files: given,
  issues: [{ rule: 'E711', message: 'Comparison to `None` should be `cond is None`', line: 5, column: 14, file: 'app/util.py', severity: 'warning' }],
};

describe('the fix prompt', () => {
  it('lists the findings and gives each file whole in a fence its content cannot close', () => {
    const prompt = fixPrompt(params);
    expect(prompt).toContain('Language: python');
    expect(prompt).toContain('- E711 app/util.py:5:14 Comparison to `None` should be `cond is None` (warning)');
    expect(prompt).toContain(`File app/util.py:\n\`\`\`python\n${UTIL}\`\`\``);
    expect(prompt).toContain('File app/other.py:\n```python\nx = 1\n```');
    expect(fenceFor('no ticks')).toBe('```');
    expect(fenceFor('a ```` run of four')).toBe('`````');
    const tricky = fixPrompt({ ...params, files: [{ path: 'doc.py', content: '"""\n```\nexample\n```\n"""' }], issues: [{ rule: 'X', message: 'm', line: 1 }] });
    expect(tricky).toContain('File doc.py:\n````python\n"""\n```\nexample\n```\n"""\n````');
    expect(tricky).toContain('- X doc.py:1 m');
  });

  it('allows enough tokens for every file whole, within bounds', () => {
    expect(fixMaxTokens(params, 1024)).toBe(Math.ceil((UTIL.length + 6) / 3) + 1024);
    expect(fixMaxTokens(params, 4096)).toBe(4096);
    const largest = { ...params, files: [{ path: 'a.py', content: 'x'.repeat(PROPOSE_FIX_LIMITS.totalChars) }] };
    expect(fixMaxTokens(largest, 1024)).toBe(Math.ceil(PROPOSE_FIX_LIMITS.totalChars / 3) + 1024);
    expect(fixMaxTokens(largest, 1024)).toBeLessThanOrEqual(MAX_FIX_TOKENS);
    expect(fixMaxTokens({ ...largest, files: [{ path: 'a.py', content: 'x'.repeat(100_000) }] }, 1024)).toBe(MAX_FIX_TOKENS);
    expect(fixMaxTokens(largest, 32_000)).toBe(32_000);
  });

  it('names what the schema cannot check: the total size, a path given twice, a finding in no given file', () => {
    expect(fixParamsIssues(params)).toEqual([]);
    const big = { ...params, files: [{ path: 'a.py', content: 'x'.repeat(30_000) }, { path: 'b.py', content: 'y'.repeat(30_000) }], issues: [{ rule: 'X', message: 'm', line: 1, file: 'a.py' }] };
    expect(fixParamsIssues(big)).toEqual([{ path: '/files', message: expect.stringContaining('60000 characters of code: at most 40000') }]);
    const twice = { ...params, files: [given[0]!, given[0]!] };
    expect(fixParamsIssues(twice).map((i) => i.path)).toEqual(['/files/1/path']);
    const stray = { ...params, issues: [{ rule: 'X', message: 'm', line: 1, file: 'nope.py' }, { rule: 'Y', message: 'm', line: 1 }] };
    expect(fixParamsIssues(stray)).toEqual([
      { path: '/issues/0/file', message: 'nope.py is not one of the files given' },
      { path: '/issues/1/file', message: 'required when more than one file is given' },
    ]);
    expect(fixParamsIssues({ ...params, files: [given[0]!], issues: [{ rule: 'Y', message: 'm', line: 1 }] })).toEqual([]);
  });
});

describe('reading the model\'s answer', () => {
  const answer = (files: unknown, explanation = 'Compare to None with `is`.') => JSON.stringify({ files, explanation });

  it('takes a bare JSON object, one in a ```json fence, or one inside prose, and keeps only the files it changed', () => {
    const body = answer([{ path: 'app/util.py', content: FIXED }, { path: 'app/other.py', content: 'x = 1\n' }]);
    for (const text of [body, `\`\`\`json\n${body}\n\`\`\``, `Here is the fix:\n\n\`\`\`\n${body}\n\`\`\`\n\nHope it helps.`, `Sure! ${body} Done.`]) {
      expect(parseFixAnswer(text, given, 'stop')).toEqual({ fix: { files: [{ path: 'app/util.py', content: FIXED }], explanation: 'Compare to None with `is`.' } });
    }
  });

  it('reads file content that holds fences and braces of its own', () => {
    const content = 'DOC = """\n```\n{ not json }\n```\n"""\n';
    const parsed = parseFixAnswer(`\`\`\`json\n${answer([{ path: 'app/other.py', content }])}\n\`\`\``, given, 'end_turn');
    expect(parsed).toEqual({ fix: { files: [{ path: 'app/other.py', content }], explanation: 'Compare to None with `is`.' } });
  });

  it('restores a final newline the original had, and tidies the explanation', () => {
    const parsed = parseFixAnswer(answer([{ path: 'app/util.py', content: FIXED.trimEnd() }], '  Two\n  lines.  '), given, 'stop');
    expect(parsed).toEqual({ fix: { files: [{ path: 'app/util.py', content: FIXED }], explanation: 'Two lines.' } });
    expect(parseFixAnswer(JSON.stringify({ files: [{ path: 'app/util.py', content: FIXED }] }), given, 'stop')).toMatchObject({ fix: { explanation: '' } });
  });

  it('refuses an answer that does not parse, and says when it was cut off', () => {
    expect(parseFixAnswer('The code looks fine to me.', given, 'stop')).toEqual({ invalid: 'the answer is not the JSON object {files, explanation} asked for' });
    expect(parseFixAnswer('{"files": [{"path": "app/util.py", "content": "imp', given, 'length')).toEqual({ invalid: 'the answer was cut off at its token limit (stop reason length)' });
    expect(parseFixAnswer('  ', given, 'end_turn')).toEqual({ invalid: 'the answer is empty (stop reason end_turn)' });
    expect(parseFixAnswer('[1, 2]', given, 'stop')).toEqual({ invalid: 'the answer has no "files" list' });
    expect(parseFixAnswer('{"explanation": "x"}', given, 'stop')).toEqual({ invalid: 'the answer has no "files" list' });
    expect(parseFixAnswer(answer([{ path: 'app/util.py' }]), given, 'stop')).toEqual({ invalid: 'files[0] is not {path, content} with two strings' });
  });

  it('refuses a file it was not given, a file given twice, and an answer that changes nothing', () => {
    expect(parseFixAnswer(answer([{ path: '/etc/passwd', content: 'x' }]), given, 'stop')).toEqual({ invalid: 'it names a file it was not given: /etc/passwd' });
    expect(parseFixAnswer(answer([{ path: 'util.py', content: FIXED }]), given, 'stop')).toEqual({ invalid: 'it names a file it was not given: util.py' });
    expect(parseFixAnswer(answer([{ path: 'app/util.py', content: FIXED }, { path: 'app/util.py', content: FIXED }]), given, 'stop')).toEqual({ invalid: 'it gives app/util.py twice' });
    expect(parseFixAnswer(answer([{ path: 'app/util.py', content: UTIL }]), given, 'stop')).toEqual({ invalid: 'it changes nothing' });
    expect(parseFixAnswer(answer([]), given, 'stop')).toEqual({ invalid: 'it changes nothing' });
  });
});
