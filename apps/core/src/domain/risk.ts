import type { AutomationLevel, RiskFactors, RiskLevel } from '@maximus/contracts';

/**
 * Weights of the risk factors (they sum to 1, so the score stays in [0, 1]):
 *
 * | factor      | weight | why                                                           |
 * |-------------|--------|---------------------------------------------------------------|
 * | threat      | 0.30   | how dangerous the situation the action answers is             |
 * | asset       | 0.20   | how valuable the systems or data the action touches are       |
 * | business    | 0.15   | impact on users and revenue if the action misfires            |
 * | action      | 0.15   | how disruptive / irreversible the action itself is            |
 * | compliance  | 0.10   | regulatory exposure                                            |
 * | environment | 0.10   | production vs staging, blast radius                           |
 */
export const RISK_WEIGHTS: Readonly<RiskFactors> = { threat: 0.3, asset: 0.2, business: 0.15, action: 0.15, compliance: 0.1, environment: 0.1 };

/** Σ weightᵢ · factorᵢ, rounded to 4 decimals (so the thresholds below are exact on the wire). */
export function riskScore(factors: RiskFactors): number {
  let score = 0;
  for (const key of Object.keys(RISK_WEIGHTS) as (keyof RiskFactors)[]) score += RISK_WEIGHTS[key] * factors[key];
  return Math.round(score * 10_000) / 10_000;
}

/** LOW < 0.30 ≤ MEDIUM < 0.50 ≤ HIGH < 0.75 ≤ CRITICAL. */
export function riskLevel(score: number): RiskLevel {
  if (score < 0.3) return 'LOW';
  if (score < 0.5) return 'MEDIUM';
  if (score < 0.75) return 'HIGH';
  return 'CRITICAL';
}

/** From most automated to least: a level "below" another involves a human more. */
export const AUTOMATION_ORDER: readonly AutomationLevel[] = ['FULL', 'SUPERVISED', 'ADVISORY', 'MANUAL'];

/**
 * The automation level and the rule that chose it: CRITICAL → MANUAL, HIGH → SUPERVISED, else by confidence
 * (≥ 0.99 FULL, ≥ 0.80 SUPERVISED, ≥ 0.60 ADVISORY, else MANUAL); never more automated than the action's minimum allows.
 */
export function automationLevel(level: RiskLevel, confidence: number, minimum: AutomationLevel): { level: AutomationLevel; rule: string } {
  let chosen: AutomationLevel;
  let rule: string;
  if (level === 'CRITICAL') [chosen, rule] = ['MANUAL', 'CRITICAL risk → MANUAL'];
  else if (level === 'HIGH') [chosen, rule] = ['SUPERVISED', 'HIGH risk → SUPERVISED'];
  else if (confidence >= 0.99) [chosen, rule] = ['FULL', `${level} risk, confidence ${confidence} ≥ 0.99 → FULL`];
  else if (confidence >= 0.8) [chosen, rule] = ['SUPERVISED', `${level} risk, confidence ${confidence} ≥ 0.80 → SUPERVISED`];
  else if (confidence >= 0.6) [chosen, rule] = ['ADVISORY', `${level} risk, confidence ${confidence} ≥ 0.60 → ADVISORY`];
  else [chosen, rule] = ['MANUAL', `${level} risk, confidence ${confidence} < 0.60 → MANUAL`];
  if (AUTOMATION_ORDER.indexOf(chosen) < AUTOMATION_ORDER.indexOf(minimum)) return { level: minimum, rule: `${rule}, raised to the action's minimum ${minimum}` };
  return { level: chosen, rule };
}

/** Minutes a pending decision waits before it escalates (then expires): LOW 30, MEDIUM 15, HIGH 10, CRITICAL 5. */
export const SLA_MINUTES: Readonly<Record<RiskLevel, number>> = { LOW: 30, MEDIUM: 15, HIGH: 10, CRITICAL: 5 };

export function slaMs(level: RiskLevel): number {
  return SLA_MINUTES[level] * 60_000;
}
