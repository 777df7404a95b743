import type { ScoreWindow, Virtue, VirtueName } from '@maximus/contracts';
import { finish, input, meanOf, ratio, type OutcomeAggregates, type Scored, type ScoreSpec } from './scores.js';

interface VirtueDefinition extends ScoreSpec<VirtueName> {
  compute(outcomes: OutcomeAggregates): Scored;
}

const thresholds = { healthy: 0.8, warning: 0.6 };

/** The three virtues (docs/spiritual.md explains each). */
export const VIRTUES: readonly VirtueDefinition[] = [
  {
    name: 'sophia',
    label: 'sophia (wisdom)',
    metric: 'Interventions approved rather than deferred past their deadline, and precedents found for new cases',
    formula: 'mean(approvals / (approvals + deferrals), searches_with_precedents / precedent_searches) over the parts with data; deferrals = automatic escalations + expiries',
    window: 'outcomes',
    thresholds,
    compute: (o) => {
      const deferrals = o.auto_escalations + o.expiries;
      const approvedShare = ratio(o.approvals, o.approvals + deferrals);
      const precedentShare = ratio(o.precedent_searches_found, o.precedent_searches);
      return {
        score: meanOf([approvedShare, precedentShare]),
        inputs: [
          input('approvals', o.approvals, 'decisions', 'decisions approved (by people or by FULL automation)'),
          input('deferrals', deferrals, 'decisions', 'SLA deadlines that passed without a decision: automatic escalations and expiries'),
          input('approved_share', approvedShare, 'ratio', 'approvals / (approvals + deferrals)'),
          input('precedent_searches', o.precedent_searches, 'searches', 'precedent look-ups for new diagnoses (penelope.precedents.searched)'),
          input('searches_with_precedents', o.precedent_searches_found, 'searches', '…that found at least one similar past case'),
          input('precedent_share', precedentShare, 'ratio', 'searches_with_precedents / precedent_searches'),
        ],
        no_data_reason: 'no decision was approved or deferred and no precedent was searched in the window',
      };
    },
  },
  {
    name: 'praotes',
    label: 'praotes (meekness)',
    metric: 'Small, reversible patches: the size distribution and reversibility of proposed patches',
    formula: '(mean(max(0, 1 − lines_changed / 25)) + mean(reversibility)) / 2 over proposed patches (each part alone when the other is missing)',
    window: 'outcomes',
    thresholds,
    compute: (o) => ({
      score: meanOf([o.patch_size_score, o.patch_reversibility]),
      inputs: [
        input('proposed_patches', o.patches_proposed, 'patches', 'patches proposed (penelope.patch.proposed)'),
        input('size_score', o.patch_size_score, 'ratio', 'mean of max(0, 1 − lines_changed / 25)'),
        input('mean_reversibility', o.patch_reversibility, 'ratio', 'mean reversibility of the patches'),
        input('lines_changed_p50', o.patch_lines_p50, 'lines', 'median lines changed'),
        input('lines_changed_p90', o.patch_lines_p90, 'lines', '90th percentile of lines changed'),
        input('lines_changed_max', o.patch_lines_max, 'lines', 'largest patch'),
        input('functions_modified_p50', o.patch_functions_p50, 'functions', 'median functions modified'),
        input('breaking_changes', o.patches_breaking, 'patches', 'patches with a breaking change (mansidão 0: a person must review)'),
      ],
      no_data_reason: 'no patch was proposed in the window',
    }),
  },
  {
    name: 'tapeinophrosyne',
    label: 'tapeinophrosyne (humility)',
    metric: 'Autonomy only where it works, escalation where a person is needed: FULL-automation outcomes, and escalations a person then decided',
    formula: 'mean(autonomous_executed / (autonomous_executed + autonomous_failed), escalations_decided / (escalations_decided + escalations_expired)) over the parts with data',
    window: 'outcomes',
    thresholds,
    compute: (o) => {
      const justified = ratio(o.autonomous_executed, o.autonomous_executed + o.autonomous_failed);
      const correct = ratio(o.escalations_decided_by_human, o.escalations_decided_by_human + o.escalations_expired);
      return {
        score: meanOf([justified, correct]),
        inputs: [
          input('autonomous_actions', o.autonomous, 'decisions', 'decisions FULL automation approved and ran without a person'),
          input('escalations', o.escalated, 'decisions', 'decisions escalated (by a person or at an SLA deadline)'),
          input('escalation_share', ratio(o.escalated, o.escalated + o.autonomous), 'ratio', 'escalations / (escalations + autonomous_actions)'),
          input('autonomous_executed', o.autonomous_executed, 'decisions', 'FULL-automation decisions executed successfully'),
          input('autonomous_failed', o.autonomous_failed, 'decisions', 'FULL-automation decisions whose execution failed'),
          input('escalations_decided', o.escalations_decided_by_human, 'decisions', 'escalated decisions a person then approved or rejected (correct escalations)'),
          input('escalations_expired', o.escalations_expired, 'decisions', 'escalated decisions that expired undecided'),
        ],
        no_data_reason: 'no FULL-automation execution finished and no escalated decision was settled in the window',
      };
    },
  },
];

export function computeVirtues(outcomes: OutcomeAggregates, windows: Record<'signals' | 'outcomes', ScoreWindow>): Virtue[] {
  return VIRTUES.map((definition) => finish(definition, definition.compute(outcomes), windows));
}
