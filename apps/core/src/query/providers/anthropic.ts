import type Anthropic from '@anthropic-ai/sdk';
import type { ResolvedConfig } from '@maximus/kit/config';
import { CoreErrors } from '../../errors.js';
import { providerCall } from './errors.js';
import { MAX_TOOL_ROUNDS, systemPrompt, userPrompt, type CompletionInput, type CompletionOutput, type Provider, type ProviderInput, type ProviderOutput } from './types.js';

type Llm = ResolvedConfig['llm'];

/**
 * Anthropic's Messages API through the official SDK (`@anthropic-ai/sdk`, loaded on first use): tools through
 * `tool_use` / `tool_result` blocks, streaming through `messages.stream()` when the caller streams.
 */
export async function createAnthropicProvider(llm: Llm): Promise<Provider> {
  const sdk = await import('@anthropic-ai/sdk');
  const client = new sdk.Anthropic({
    apiKey: llm.apiKey ?? null,
    ...(llm.baseUrl ? { baseURL: llm.baseUrl } : {}),
    timeout: llm.timeoutMs,
    maxRetries: 0,
  });
  const model = llm.model ?? '';
  const options = { timeoutMs: llm.timeoutMs, apiKey: llm.apiKey };

  return {
    name: 'anthropic',
    model,
    async complete(input: CompletionInput): Promise<CompletionOutput> {
      const message: Anthropic.Message = await providerCall('anthropic', sdk, { ...options, signal: input.signal }, (signal) =>
        client.messages.create(
          { model, max_tokens: input.maxTokens, system: input.system, messages: [{ role: 'user', content: input.prompt }], stream: false },
          { signal, timeout: options.timeoutMs },
        ),
      );
      if (!Array.isArray(message.content)) throw new CoreErrors.QueryUpstream('anthropic', 'bad response: the answer has no content blocks');
      return { text: message.content.flatMap((b) => (b.type === 'text' ? [b.text] : [])).join(''), stopReason: message.stop_reason ?? 'unknown' };
    },
    async answer(input: ProviderInput): Promise<ProviderOutput> {
      const tools = input.tools.definitions.map((t) => ({ name: t.name, description: t.description, input_schema: t.input_schema }));
      const messages: Anthropic.MessageParam[] = [{ role: 'user', content: userPrompt(input.query, input.context) }];
      const texts: string[] = [];
      const raw: string[] = [];
      for (let round = 0; ; round++) {
        const params = {
          model,
          max_tokens: input.maxTokens,
          system: systemPrompt(input.retrieved),
          messages,
          tools,
          ...(round >= MAX_TOOL_ROUNDS ? { tool_choice: { type: 'none' as const } } : {}),
        };
        if (input.onDelta && texts.length) input.onDelta('\n\n');
        const message: Anthropic.Message = await providerCall('anthropic', sdk, options, async (signal): Promise<Anthropic.Message> =>
          input.onDelta
            ? client.messages.stream(params, { signal }).on('text', (delta) => input.onDelta?.(delta)).finalMessage()
            : client.messages.create({ ...params, stream: false }, { signal }),
        );
        if (!Array.isArray(message.content)) throw new CoreErrors.QueryUpstream('anthropic', 'bad response: the answer has no content blocks');
        raw.push(JSON.stringify(message.content));
        const text = message.content.flatMap((b) => (b.type === 'text' ? [b.text] : [])).join('');
        if (text) texts.push(text);
        const uses = message.content.flatMap((b) => (b.type === 'tool_use' ? [b] : []));
        if (message.stop_reason !== 'tool_use' || !uses.length || round >= MAX_TOOL_ROUNDS) {
          return { text: texts.join('\n\n'), raw: raw.join('\n'), stopReason: message.stop_reason ?? 'unknown' };
        }
        messages.push({ role: 'assistant', content: message.content });
        const results = await Promise.all(uses.map((u) => input.tools.execute(u.name, u.input, u.id)));
        messages.push({
          role: 'user',
          content: results.map((r) => ({
            type: 'tool_result' as const,
            tool_use_id: r.call_id,
            content: JSON.stringify(r.status === 'ok' ? r.output : { error: r.error, code: r.error_code }),
            ...(r.status === 'error' ? { is_error: true } : {}),
          })),
        });
      }
    },
  };
}
