import type { DecisionTier, RiskLevel } from '@maximus/contracts';

/** The caller as the rules see it. */
export interface Voter {
  readonly id: string;
  readonly role: 'admin' | 'operator' | 'readonly' | 'service';
}

export interface QuorumOptions {
  /** Distinct approvals a CRITICAL decision needs. @default 2 */
  readonly criticalQuorum: number;
  /** The principal a HIGH/CRITICAL decision was proposed for cannot vote on it. @default true */
  readonly excludeBeneficiary: boolean;
}

export const DEFAULT_QUORUM: QuorumOptions = { criticalQuorum: 2, excludeBeneficiary: true };

/** Operators decide LOW/MEDIUM decisions still at the operator tier; admins decide everything. */
export function mayDecide(voter: Voter, tier: DecisionTier): boolean {
  if (voter.role === 'admin') return true;
  return voter.role === 'operator' && tier === 'operator';
}

/** The tier a new decision starts at. */
export function initialTier(level: RiskLevel): DecisionTier {
  return level === 'LOW' || level === 'MEDIUM' ? 'operator' : 'admin';
}

export function approvalsRequired(level: RiskLevel, options: QuorumOptions = DEFAULT_QUORUM): number {
  return level === 'CRITICAL' ? options.criticalQuorum : 1;
}

/** True when the voter is the one the decision benefits and the rule forbids their vote at this risk. */
export function isExcludedBeneficiary(voter: Voter, onBehalfOf: string | null, level: RiskLevel, options: QuorumOptions = DEFAULT_QUORUM): boolean {
  return options.excludeBeneficiary && onBehalfOf === voter.id && (level === 'HIGH' || level === 'CRITICAL');
}

export type ParamsDiff = { path: string; from: unknown; to: unknown }[];

/** Top-level and nested changes between two JSON objects, as `{path, from, to}` with JSON Pointer paths. */
export function diffParams(before: unknown, after: unknown, path = ''): ParamsDiff {
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((key) => diffParams(before[key], after[key], `${path}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`));
  }
  return JSON.stringify(before) === JSON.stringify(after) ? [] : [{ path: path || '/', from: before ?? null, to: after ?? null }];
}
