import type { Mansidao, RiskFactors, SafetyClass } from '@maximus/contracts';

const ACTION_BY_CLASS: Readonly<Record<SafetyClass, number>> = { safe: 0.2, unsafe: 0.5, 'suggestion-only': 0.7 };

/**
 * Risk factors of an `apply_patch` decision (core weighs them; docs/healing.md):
 * threat 0.1 (a defect, not an attack; 0.3 when the patch fixes a security finding); asset 0.4 when files are written
 * into a workspace, 0.1 when the content is only recorded; business min(1, lines/50) (size); action by safety class
 * (safe 0.2, unsafe 0.5, suggestion-only 0.7) + 0.3 for a breaking change; compliance 0.1; environment 1 − mansidão.
 */
export function applyRiskFactors(input: { safety: SafetyClass; mansidao: Mansidao; workspace: boolean; security: boolean }): RiskFactors {
  const clamp = (x: number) => Math.round(Math.min(1, Math.max(0, x)) * 10_000) / 10_000;
  return {
    threat: input.security ? 0.3 : 0.1,
    asset: input.workspace ? 0.4 : 0.1,
    business: clamp(input.mansidao.lines_changed / 50),
    action: clamp(ACTION_BY_CLASS[input.safety] + (input.mansidao.breaking_change ? 0.3 : 0)),
    compliance: 0.1,
    environment: clamp(1 - input.mansidao.score),
  };
}
