import type { QueryContext, QueryProvider } from '@maximus/contracts';
import type { RetrievedContext } from '../hooks.js';
import type { ToolRunner } from '../tools.js';

/** What a provider gets for one query. */
export interface ProviderInput {
  readonly query: string;
  readonly context: QueryContext | undefined;
  readonly retrieved: RetrievedContext;
  readonly maxTokens: number;
  /** Runs the tools the answer needs and records each call. */
  readonly tools: ToolRunner;
  /** Set when the caller streams: the provider streams too and hands each piece of the answer here. */
  readonly onDelta?: (text: string) => void;
}

/** What a provider answers. */
export interface ProviderOutput {
  /** The answer, Markdown. */
  readonly text: string;
  /** Everything the provider produced, every turn, tool requests included. */
  readonly raw: string;
  /** How it ended: the provider's own stop reason (`end_turn`, `stop`, `max_tokens`, `length`, …), `complete` for local. */
  readonly stopReason: string;
}

/** One prompt for a plain completion: no tools, no streaming. */
export interface CompletionInput {
  readonly system: string;
  readonly prompt: string;
  readonly maxTokens: number;
  /** Aborts the call (the caller went away); the provider's own time limit (MAXIMUS_LLM_TIMEOUT_MS) still holds. */
  readonly signal?: AbortSignal;
}

export interface CompletionOutput {
  readonly text: string;
  /** The provider's stop reason (`end_turn`, `stop`, `max_tokens`, `length`, …). */
  readonly stopReason: string;
}

/** One way of answering a query (`local`, `anthropic`, `openai`). */
export interface Provider {
  readonly name: QueryProvider;
  /** The model asked; null for the local provider. */
  readonly model: string | null;
  answer(input: ProviderInput): Promise<ProviderOutput>;
  /**
   * A single prompt answered as text by the model (the remote providers only: local has no model). Failures are the
   * query's problems: 504 timeout, 503 unavailable, 502 upstream.
   */
  complete?(input: CompletionInput): Promise<CompletionOutput>;
}

/** Turns a remote provider may take asking for tools before it must answer. */
export const MAX_TOOL_ROUNDS = 4;

/** The system prompt of the remote providers. */
export function systemPrompt(retrieved: RetrievedContext): string {
  const context = retrieved.items.length
    ? `\n\nContext retrieved for this query:\n${retrieved.items.map((i) => `- (${i.source}) ${i.text}`).join('\n')}`
    : '';
  return (
    'You are MAXIMUS, the analyst of a self-hosted autonomous-operations platform with a human in the loop. ' +
    'Answer in Markdown. Use the tools for facts about the platform and for code analysis: call diagnose_code whenever code is given. ' +
    'Base the answer on the tool results, name the figures you use, and say plainly when a tool failed and what that leaves unknown.' +
    context
  );
}

/** The user turn: the question, then any code or files of the context. */
export function userPrompt(query: string, context: QueryContext | undefined): string {
  const parts = [query];
  if (context?.code) parts.push(`Code${context.language ? ` (${context.language})` : ''}:\n\`\`\`${context.language ?? ''}\n${context.code}\n\`\`\``);
  for (const file of context?.files ?? []) parts.push(`File ${file.path}:\n\`\`\`\n${file.content}\n\`\`\``);
  return parts.join('\n\n');
}
