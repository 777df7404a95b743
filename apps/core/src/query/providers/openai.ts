import type OpenAI from 'openai';
import type { ResolvedConfig } from '@maximus/kit/config';
import { CoreErrors } from '../../errors.js';
import { providerCall } from './errors.js';
import { MAX_TOOL_ROUNDS, systemPrompt, userPrompt, type CompletionInput, type CompletionOutput, type Provider, type ProviderInput, type ProviderOutput } from './types.js';

type Llm = ResolvedConfig['llm'];

/**
 * Any OpenAI-compatible chat-completions server (OpenAI, vLLM, Ollama, llama.cpp) through the official `openai`
 * SDK (loaded on first use): tools through function calling, streaming through `chat.completions.stream()`.
 */
export async function createOpenAIProvider(llm: Llm): Promise<Provider> {
  const sdk = await import('openai');
  // A local server often needs no key; the SDK wants one all the same.
  const client = new sdk.OpenAI({ apiKey: llm.apiKey ?? 'none', ...(llm.baseUrl ? { baseURL: llm.baseUrl } : {}), timeout: llm.timeoutMs, maxRetries: 0 });
  const model = llm.model ?? '';
  const options = { timeoutMs: llm.timeoutMs, apiKey: llm.apiKey };

  return {
    name: 'openai',
    model,
    async complete(input: CompletionInput): Promise<CompletionOutput> {
      const completion: OpenAI.ChatCompletion = await providerCall('openai', sdk, { ...options, signal: input.signal }, (signal) =>
        client.chat.completions.create(
          { model, max_tokens: input.maxTokens, stream: false, messages: [{ role: 'system', content: input.system }, { role: 'user', content: input.prompt }] },
          { signal, timeout: options.timeoutMs },
        ),
      );
      const choice = Array.isArray(completion.choices) ? completion.choices[0] : undefined;
      if (!choice?.message) throw new CoreErrors.QueryUpstream('openai', 'bad response: the answer has no choices');
      return { text: choice.message.content ?? '', stopReason: choice.finish_reason ?? 'unknown' };
    },
    async answer(input: ProviderInput): Promise<ProviderOutput> {
      const tools = input.tools.definitions.map((t) => ({ type: 'function' as const, function: { name: t.name, description: t.description, parameters: t.input_schema } }));
      const messages: OpenAI.ChatCompletionMessageParam[] = [
        { role: 'system', content: systemPrompt(input.retrieved) },
        { role: 'user', content: userPrompt(input.query, input.context) },
      ];
      const texts: string[] = [];
      const raw: string[] = [];
      for (let round = 0; ; round++) {
        const params = { model, max_tokens: input.maxTokens, messages, tools, ...(round >= MAX_TOOL_ROUNDS ? { tool_choice: 'none' as const } : {}) };
        if (input.onDelta && texts.length) input.onDelta('\n\n');
        const completion: OpenAI.ChatCompletion = await providerCall('openai', sdk, options, async (signal): Promise<OpenAI.ChatCompletion> =>
          input.onDelta
            ? client.chat.completions.stream({ ...params, stream: true }, { signal }).on('content', (delta) => input.onDelta?.(delta)).finalChatCompletion()
            : client.chat.completions.create({ ...params, stream: false }, { signal }),
        );
        const choice = Array.isArray(completion.choices) ? completion.choices[0] : undefined;
        if (!choice?.message) throw new CoreErrors.QueryUpstream('openai', 'bad response: the answer has no choices');
        const message = choice.message;
        raw.push(JSON.stringify(message));
        if (message.content) texts.push(message.content);
        const calls = (message.tool_calls ?? []).flatMap((c) => (c.type === 'function' ? [c] : []));
        if (!calls.length || round >= MAX_TOOL_ROUNDS) {
          return { text: texts.join('\n\n'), raw: raw.join('\n'), stopReason: choice.finish_reason ?? 'unknown' };
        }
        messages.push({ role: 'assistant', content: message.content ?? null, tool_calls: calls });
        const results = await Promise.all(
          calls.map((c) => {
            let args: unknown;
            try {
              args = c.function.arguments ? JSON.parse(c.function.arguments) : {};
            } catch {
              args = { unparsable_arguments: c.function.arguments };
            }
            return input.tools.execute(c.function.name, args, c.id);
          }),
        );
        for (const r of results) {
          messages.push({ role: 'tool', tool_call_id: r.call_id, content: JSON.stringify(r.status === 'ok' ? r.output : { error: r.error, code: r.error_code }) });
        }
      }
    },
  };
}
