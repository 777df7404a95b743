import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { HealingLanguage, SourceFile } from '@maximus/contracts';
import { evaluateCandidate, testsOn, type EvaluateDeps } from './patches.js';
import { pythonFacts, runProcess } from './verify.js';

/**
 * The seeded-defect suite (apps/penelope/fixtures/defects/<language>/): each case is one file whose first line says what
 * is expected — `expect: detect=<rules> fix=<rule> | none | reject:<rule>[/<suggestion id>]` — with optional tests beside
 * it (`test_<case>.py`, `<case>.test.ts`, `<case>.test.cjs`…).
 */
export interface DefectCase {
  id: string;
  language: HealingLanguage;
  file: SourceFile;
  tests: SourceFile[];
  detect: string[];
  fix: { kind: 'fix'; rule: string } | { kind: 'none' } | { kind: 'reject'; rule: string; option: string | null };
}

const TEST_FILE = /^test_.*\.py$|\.test\.[cm]?[jt]s$/;

export function loadDefectCases(root: string): DefectCase[] {
  const cases: DefectCase[] = [];
  for (const language of ['python', 'typescript', 'javascript'] as const) {
    const dir = join(root, language);
    const names = readdirSync(dir).sort();
    for (const name of names.filter((n) => !TEST_FILE.test(n))) {
      const content = readFileSync(join(dir, name), 'utf8');
      const header = /expect:\s*detect=(\S+)\s+fix=(\S+)/.exec(content.split('\n')[0] ?? '');
      if (!header) throw new Error(`${language}/${name}: the first line must say "expect: detect=<rules> fix=<rule|none|reject:rule>"`);
      const stem = name.replace(/\.[^.]+$/, '');
      const ext = name.slice(stem.length);
      const tests = names.filter((n) => n === `test_${stem}.py` || n === `${stem}.test${ext}`).map((n) => ({ path: n, content: readFileSync(join(dir, n), 'utf8') }));
      const fixSpec = header[2]!;
      const [rule = '', option] = fixSpec.replace(/^reject:/, '').split(/\/(?=[a-zA-Z]+$)/);
      cases.push({
        id: `${language}/${stem}`,
        language,
        file: { path: name, content },
        tests,
        detect: header[1]!.split(','),
        fix: fixSpec === 'none' ? { kind: 'none' } : fixSpec.startsWith('reject:') ? { kind: 'reject', rule, option: option ?? null } : { kind: 'fix', rule: fixSpec },
      });
    }
  }
  return cases;
}

export interface CaseOutcome {
  id: string;
  language: HealingLanguage;
  expected: DefectCase['fix']['kind'];
  /** Every expected rule was reported. */
  detected: boolean;
  missing: string[];
  /** fix: a verified patch resolves every finding of the rule; reject: the named patch was proposed and rejected. */
  met: boolean;
  candidates: number;
  verified: number;
  /** Candidates that verification rejected. */
  rejections: number;
  /** Verified patches that an independent check finds broken (does not parse). Goal: 0. */
  brokenAccepted: number;
  analysis_ms: number;
}

/** An independent parse check of patched files: Python's `ast`, or `node --check` on the (transpiled) JavaScript. */
async function parses(deps: EvaluateDeps, language: HealingLanguage, files: SourceFile[]): Promise<boolean> {
  if (language === 'python') {
    const facts = await pythonFacts(files.map((f) => ({ key: f.path, text: f.content })));
    return facts ? files.every((f) => facts[f.path]?.parse_ok === true) : true;
  }
  const prepared = await deps.run('transpile', { files });
  const dir = await mkdtemp(join(tmpdir(), 'penelope-parse-'));
  try {
    if (prepared.esm) await writeFile(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
    for (const f of prepared.files) {
      await mkdir(dirname(join(dir, f.path)), { recursive: true });
      await writeFile(join(dir, f.path), f.content);
      const r = await runProcess(process.execPath, ['--check', f.path], { cwd: dir, timeoutMs: 30_000 });
      if (r.code !== 0) return false;
    }
    return true;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Runs one case the way the service does: analyse, propose through the fix loop, verify and score each candidate. */
export async function runDefectCase(deps: EvaluateDeps, c: DefectCase): Promise<CaseOutcome> {
  const analysis = await deps.run('analyse', { language: c.language, files: [c.file], focus: 'all' });
  const rules = new Set(analysis.findings.map((f) => f.rule));
  const missing = c.detect.filter((r) => !rules.has(r));
  const { candidates } = await deps.run('propose', { language: c.language, files: [c.file], focus: 'all' });
  const baseline = await testsOn(deps, c.language, [c.file], c.tests);
  let verified = 0;
  let rejections = 0;
  let broken = 0;
  let met = c.fix.kind === 'none';
  for (const candidate of candidates) {
    const evaluated = await evaluateCandidate(deps, c.language, [c.file], c.tests, baseline, candidate);
    if (evaluated.verified) {
      verified++;
      if (!(await parses(deps, c.language, candidate.after))) broken++;
    } else {
      rejections++;
    }
    const fix = c.fix;
    if (fix.kind === 'fix' && evaluated.verified && candidate.rules.includes(fix.rule)) {
      const before = analysis.findings.filter((f) => f.rule === fix.rule).length;
      const resolved = candidate.resolved.filter((r) => r.rule === fix.rule).length;
      if (before > 0 && resolved >= before) met = true;
    }
    if (fix.kind === 'reject' && candidate.rules.includes(fix.rule) && (!fix.option || candidate.key.endsWith(`:${fix.option}`)) && !evaluated.verified) met = true;
  }
  return { id: c.id, language: c.language, expected: c.fix.kind, detected: missing.length === 0, missing, met, candidates: candidates.length, verified, rejections, brokenAccepted: broken, analysis_ms: analysis.analysis_ms };
}

export interface SuiteSummary {
  cases: number;
  detected: number;
  fixable: number;
  fixed: number;
  fix_rate: number;
  expected_rejections: number;
  rejected_as_expected: number;
  verification_rejections: number;
  patches_verified: number;
  broken_accepted: number;
  false_fix_rate: number;
}

export function summarise(outcomes: readonly CaseOutcome[]): SuiteSummary {
  const fixable = outcomes.filter((o) => o.expected === 'fix');
  const rejects = outcomes.filter((o) => o.expected === 'reject');
  const verifiedTotal = outcomes.reduce((n, o) => n + o.verified, 0);
  const broken = outcomes.reduce((n, o) => n + o.brokenAccepted, 0);
  return {
    cases: outcomes.length,
    detected: outcomes.filter((o) => o.detected).length,
    fixable: fixable.length,
    fixed: fixable.filter((o) => o.met).length,
    fix_rate: fixable.length ? fixable.filter((o) => o.met).length / fixable.length : 0,
    expected_rejections: rejects.length,
    rejected_as_expected: rejects.filter((o) => o.met).length,
    verification_rejections: outcomes.reduce((n, o) => n + o.rejections, 0),
    patches_verified: verifiedTotal,
    broken_accepted: broken,
    false_fix_rate: verifiedTotal ? broken / verifiedTotal : 0,
  };
}
