import { describe, expect, it } from 'vitest';
import { automationLevel, riskLevel, riskScore, RISK_WEIGHTS } from './risk.js';
import { diffParams, isExcludedBeneficiary, mayDecide } from './policy.js';

describe('risk evaluation', () => {
  it('weights sum to 1 and bound the score to [0, 1]', () => {
    expect(Object.values(RISK_WEIGHTS).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 10);
    expect(riskScore({ threat: 1, asset: 1, business: 1, action: 1, compliance: 1, environment: 1 })).toBe(1);
    expect(riskScore({ threat: 1, asset: 0, business: 0, action: 0, compliance: 0, environment: 0 })).toBe(0.3);
  });
  it.each([
    [0.2999, 'LOW'], [0.3, 'MEDIUM'], [0.4999, 'MEDIUM'], [0.5, 'HIGH'], [0.7499, 'HIGH'], [0.75, 'CRITICAL'],
  ] as const)('score %s → %s', (score, level) => expect(riskLevel(score)).toBe(level));
  it('chooses automation by risk then confidence, never more automated than the action allows', () => {
    expect(automationLevel('CRITICAL', 1, 'FULL').level).toBe('MANUAL');
    expect(automationLevel('HIGH', 1, 'FULL').level).toBe('SUPERVISED');
    expect(automationLevel('LOW', 0.99, 'FULL').level).toBe('FULL');
    expect(automationLevel('MEDIUM', 0.8, 'FULL').level).toBe('SUPERVISED');
    expect(automationLevel('LOW', 0.6, 'FULL').level).toBe('ADVISORY');
    expect(automationLevel('LOW', 0.59, 'FULL').level).toBe('MANUAL');
    expect(automationLevel('LOW', 1, 'SUPERVISED')).toMatchObject({ level: 'SUPERVISED', rule: expect.stringContaining('minimum') });
    expect(automationLevel('LOW', 0.1, 'SUPERVISED').level).toBe('MANUAL');
  });
});

describe('authority and quorum', () => {
  it('operators decide at the operator tier only; admins always', () => {
    expect(mayDecide({ id: 'a', role: 'operator' }, 'operator')).toBe(true);
    expect(mayDecide({ id: 'a', role: 'operator' }, 'admin')).toBe(false);
    expect(mayDecide({ id: 'a', role: 'readonly' }, 'operator')).toBe(false);
    expect(mayDecide({ id: 'a', role: 'admin' }, 'admin')).toBe(true);
  });
  it('excludes the beneficiary from HIGH/CRITICAL quorums only', () => {
    expect(isExcludedBeneficiary({ id: 'u', role: 'admin' }, 'u', 'HIGH')).toBe(true);
    expect(isExcludedBeneficiary({ id: 'u', role: 'admin' }, 'u', 'MEDIUM')).toBe(false);
  });
  it('diffs params as JSON Pointer changes', () => {
    expect(diffParams({ a: 1, b: { c: 2 } }, { a: 1, b: { c: 3 }, d: 'x' })).toEqual([{ path: '/b/c', from: 2, to: 3 }, { path: '/d', from: null, to: 'x' }]);
  });
});
