import type { QueryContext, ToolExecutionResult } from '@maximus/contracts';
import type { ContextItem } from './hooks.js';

/** What the reflection stage found in an answer. */
export interface Reflection {
  readonly notes: string[];
  /** 1 − the penalties of its findings, at least 0 (the confidence's `reflection` input). */
  readonly score: number;
  /** Sources the answer refers to / sources; 0 with no source (the confidence's `grounding` input). */
  readonly grounding: number;
}

/** Penalties of the findings (docs/query.md). */
export const REFLECTION_PENALTIES = { emptyAnswer: 1, unacknowledgedFailure: 0.25, codeNotAnalysed: 0.3, unbacked: 0.5 } as const;

const FAILURE_WORDS = /fail|error|unavailable|could not|couldn't|did not|didn't|not available|timed? ?out|no answer|refused/i;

/** Salient facts of a tool's output: its top-level keys, its short strings and its non-trivial numbers. */
export function factsOf(output: unknown): string[] {
  const facts = new Set<string>();
  const visit = (value: unknown, depth: number) => {
    if (facts.size >= 200 || depth > 6) return;
    if (typeof value === 'string' && value.length >= 3 && value.length <= 80) facts.add(value.toLowerCase());
    else if (typeof value === 'number' && Number.isFinite(value) && (Math.abs(value) >= 2 || !Number.isInteger(value))) {
      facts.add(String(value));
      if (!Number.isInteger(value)) facts.add(value.toFixed(2));
    } else if (Array.isArray(value)) for (const item of value) visit(item, depth + 1);
    else if (typeof value === 'object' && value !== null) {
      for (const [key, v] of Object.entries(value)) {
        if (depth === 0 && key.length >= 4) facts.add(key.toLowerCase().replaceAll('_', ' '));
        visit(v, depth + 1);
      }
    }
  };
  visit(output, 0);
  return [...facts];
}

const mentionsTool = (answer: string, tool: string) => answer.includes(tool.toLowerCase()) || answer.includes(tool.toLowerCase().replaceAll('_', ' '));

function refersTo(answer: string, result: ToolExecutionResult): boolean {
  return mentionsTool(answer, result.tool) || factsOf(result.output).some((fact) => answer.includes(fact) || answer.includes(fact.replaceAll(' ', '_')));
}

function refersToItem(answer: string, item: ContextItem): boolean {
  const words = [...new Set(item.text.toLowerCase().match(/[\p{L}\p{N}_]{5,}/gu) ?? [])].slice(0, 20);
  if (!words.length) return true;
  return words.filter((w) => answer.includes(w)).length / words.length >= 0.3;
}

/**
 * Looks at the answer against what the pipeline did: an empty answer, tool failures it does not own up to,
 * code sent but never analysed, a cut-off answer, and which sources (tool results, retrieved context) it uses.
 */
export function reflect(input: {
  answer: string;
  tools: readonly ToolExecutionResult[];
  retrieved: readonly ContextItem[];
  context: QueryContext | undefined;
  inlineCode: boolean;
  stopReason: string;
  stageNotes: readonly string[];
}): Reflection {
  const answer = input.answer.toLowerCase();
  const notes: string[] = [];
  let penalty = 0;
  if (!input.answer.trim()) {
    notes.push('The answer is empty.');
    penalty += REFLECTION_PENALTIES.emptyAnswer;
  }
  for (const failed of input.tools.filter((t) => t.status === 'error')) {
    notes.push(`Tool ${failed.tool} failed${failed.error_code ? ` (${failed.error_code})` : ''}: ${failed.error ?? 'no reason given'}.`);
    if (!(mentionsTool(answer, failed.tool) && FAILURE_WORDS.test(answer))) {
      notes.push(`The answer does not say that ${failed.tool} failed.`);
      penalty += REFLECTION_PENALTIES.unacknowledgedFailure;
    }
  }
  const codeSent = Boolean(input.context?.code || input.context?.files?.length || input.inlineCode);
  if (codeSent && !input.tools.some((t) => t.tool === 'diagnose_code')) {
    notes.push('Code was sent but not analysed: diagnose_code was not called.');
    penalty += REFLECTION_PENALTIES.codeNotAnalysed;
  }
  if (['max_tokens', 'length'].includes(input.stopReason)) notes.push(`The answer was cut off by the token limit (${input.stopReason}).`);
  if (['tool_use', 'tool_calls'].includes(input.stopReason)) notes.push('The provider still asked for tools when the tool rounds ran out.');
  const succeeded = input.tools.filter((t) => t.status === 'ok');
  const sources = succeeded.length + input.retrieved.length;
  const used = succeeded.filter((t) => refersTo(answer, t)).length + input.retrieved.filter((i) => refersToItem(answer, i)).length;
  const grounding = sources === 0 ? 0 : used / sources;
  if (sources === 0) {
    notes.push('No tool result or retrieved context backs this answer.');
    penalty += REFLECTION_PENALTIES.unbacked;
  }
  else if (used < sources) notes.push(`The answer refers to ${used} of its ${sources} sources.`);
  notes.push(...input.stageNotes);
  return { notes, score: Math.max(0, 1 - penalty), grounding };
}
