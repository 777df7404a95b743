import type { SafetyClass, TestRun } from '@maximus/contracts';

/** The starting confidence of a patch by the safety class of its fixes. */
export const CONFIDENCE_BASE: Readonly<Record<SafetyClass, number>> = { safe: 0.95, unsafe: 0.75, 'suggestion-only': 0.55 };

export interface ConfidenceInputs {
  safety: SafetyClass;
  parseOk: boolean;
  targetedBefore: number;
  resolved: number;
  introducedErrors: number;
  introducedOther: number;
  testsBaseline: TestRun | null;
  tests: TestRun | null;
}

/** The tests' verdict on a patch: `passed`, `none` (no tests given), `undecided` (they failed before the patch too, and no more fail after), `broken`. */
export function testVerdict(baseline: TestRun | null, after: TestRun | null): 'passed' | 'none' | 'undecided' | 'broken' {
  if (!after) return 'none';
  if (after.ok) return 'passed';
  if (after.timed_out) return 'broken';
  if (baseline && !baseline.ok && after.failed <= baseline.failed && after.passed >= baseline.passed) return 'undecided';
  return 'broken';
}

const TEST_FACTOR = { passed: 1, none: 0.9, undecided: 0.8, broken: 0 } as const;

/**
 * confidence = base(safety class) · resolved/targeted · 0.8^(new errors) · 0.95^(other new findings) · tests factor
 * (passed 1, no tests 0.9, failing before and after 0.8, broken 0); 0 when the patched code does not parse.
 */
export function patchConfidence(input: ConfidenceInputs): number {
  if (!input.parseOk || input.targetedBefore === 0) return 0;
  const share = Math.min(1, input.resolved / input.targetedBefore);
  const value = CONFIDENCE_BASE[input.safety] * share * 0.8 ** input.introducedErrors * 0.95 ** input.introducedOther * TEST_FACTOR[testVerdict(input.testsBaseline, input.tests)];
  return Math.round(value * 10_000) / 10_000;
}

/** A patch is verified when it parses, resolves at least one targeted finding, adds no error, and breaks no test. */
export function verificationReasons(input: ConfidenceInputs): string[] {
  const reasons: string[] = [];
  if (!input.parseOk) reasons.push('the patched code does not parse');
  if (input.resolved === 0) reasons.push('no targeted finding is resolved');
  if (input.introducedErrors > 0) reasons.push(`${input.introducedErrors} new error(s) introduced`);
  const verdict = testVerdict(input.testsBaseline, input.tests);
  if (verdict === 'broken') reasons.push(input.tests?.timed_out ? 'the tests timed out' : 'tests fail after the patch');
  return reasons;
}
