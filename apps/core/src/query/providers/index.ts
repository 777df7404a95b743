import type { ResolvedConfig } from '@maximus/kit/config';
import { createAnthropicProvider } from './anthropic.js';
import { createLocalProvider } from './local.js';
import { createOpenAIProvider } from './openai.js';
import type { Provider } from './types.js';

export type { Provider, ProviderInput, ProviderOutput } from './types.js';

/** The provider MAXIMUS_LLM_PROVIDER names (the remote SDKs are loaded only when chosen). */
export function createProvider(llm: ResolvedConfig['llm']): Promise<Provider> {
  if (llm.provider === 'anthropic') return createAnthropicProvider(llm);
  if (llm.provider === 'openai') return createOpenAIProvider(llm);
  return Promise.resolve(createLocalProvider());
}
