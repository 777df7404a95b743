/**
 * The confidence of a query's answer, from what the pipeline measured (docs/query.md gives the formula):
 *
 *   confidence = 0.35·tool_success + 0.15·completion + 0.25·reflection + 0.25·grounding, clamped to [0, 1],
 *   and 0 when the answer is empty.
 *
 * Each input is in [0, 1]; the weights are positive, so the score rises with every input (a test checks it).
 */
export const CONFIDENCE_WEIGHTS = { tool_success: 0.35, completion: 0.15, reflection: 0.25, grounding: 0.25 } as const;

export interface ConfidenceInputs {
  /** Successful tool calls / tool calls; {@link NO_TOOL_SUCCESS} when no tool ran (no evidence either way). */
  readonly tool_success: number;
  /** From the provider's stop reason: {@link completionOf}. */
  readonly completion: number;
  /** 1 − the reflection's penalties (at least 0). */
  readonly reflection: number;
  /** Sources the answer refers to / sources (tool results and retrieved context); 0 when it had none. */
  readonly grounding: number;
}

/** tool_success when no tool ran: nothing failed, nothing was checked either. */
export const NO_TOOL_SUCCESS = 0.5;

const clamp = (x: number) => (Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0);

/** The score, rounded to 4 decimals. */
export function confidenceScore(inputs: ConfidenceInputs, answerEmpty = false): number {
  if (answerEmpty) return 0;
  const w = CONFIDENCE_WEIGHTS;
  const score = w.tool_success * clamp(inputs.tool_success) + w.completion * clamp(inputs.completion) + w.reflection * clamp(inputs.reflection) + w.grounding * clamp(inputs.grounding);
  return Math.round(clamp(score) * 10_000) / 10_000;
}

/** tool_success from the calls' outcomes. */
export function toolSuccess(ok: number, total: number): number {
  return total === 0 ? NO_TOOL_SUCCESS : ok / total;
}

/**
 * completion from the provider's stop reason: it finished on its own (1); it was cut off by the token limit, or
 * still asking for tools when the rounds ran out (0.5); it refused or was filtered (0); anything else (0.5).
 */
export function completionOf(stopReason: string): number {
  if (['end_turn', 'stop', 'stop_sequence', 'complete'].includes(stopReason)) return 1;
  if (['refusal', 'content_filter'].includes(stopReason)) return 0;
  return 0.5;
}
