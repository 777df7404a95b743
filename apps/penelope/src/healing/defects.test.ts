import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { dispatch } from './analysis/dispatch.js';
import { AnalysisEngine } from './analysis/engine.js';
import type { EvaluateDeps } from './patches.js';
import { loadDefectCases, runDefectCase, summarise, type CaseOutcome } from './suite.js';

// The seeded-defect suite (fixtures/defects), run the way the service runs a diagnosis: analyse, fix loop, verify, score.
const cases = loadDefectCases(fileURLToPath(new URL('../../fixtures/defects', import.meta.url)));
const engine = new AnalysisEngine();
const deps: EvaluateDeps = { run: (op, payload) => Promise.resolve(dispatch(engine, op, payload)), testTimeoutMs: 30_000 };

describe('the seeded-defect suite', () => {
  it('has at least 30 Python and 30 TypeScript/JavaScript cases, each with its expected outcome', () => {
    expect(cases.filter((c) => c.language === 'python').length).toBeGreaterThanOrEqual(30);
    expect(cases.filter((c) => c.language !== 'python').length).toBeGreaterThanOrEqual(30);
    expect(cases.filter((c) => c.tests.length).length).toBeGreaterThanOrEqual(5);
    expect(cases.filter((c) => c.fix.kind === 'reject').length).toBeGreaterThanOrEqual(2);
  });

  it('detects every seeded defect, fixes ≥ 90% of the fixable ones, rejects the harmful patches, and accepts no broken patch', async () => {
    const outcomes: CaseOutcome[] = [];
    for (const c of cases) outcomes.push(await runDefectCase(deps, c));
    const summary = summarise(outcomes);
    expect(outcomes.filter((o) => !o.detected).map((o) => `${o.id}: missing ${o.missing.join(', ')}`)).toEqual([]);
    expect(summary.fix_rate, JSON.stringify(outcomes.filter((o) => o.expected === 'fix' && !o.met).map((o) => o.id))).toBeGreaterThanOrEqual(0.9);
    expect(summary.rejected_as_expected).toBe(summary.expected_rejections);
    expect(summary.broken_accepted).toBe(0);
    // A defect the analysers cannot fix gets no patch that claims to.
    for (const o of outcomes.filter((x) => x.expected === 'none')) expect(o.verified, o.id).toBe(0);
  }, 900_000);
});
