import { Maximus } from '@maximus/sdk';
import type { CommandIO, OptionSpec } from './spec.js';
import { savedApiKey } from './credentials.js';

/** `--url` for commands that talk to the gateway. */
export const URL_OPTION: OptionSpec = { flags: '--url <url>', description: 'gateway URL (default: http://127.0.0.1:8000)', env: 'MAXIMUS_URL' };

export const DEFAULT_URL = 'http://127.0.0.1:8000';

/**
 * A client for the gateway at `--url` (or MAXIMUS_URL), with the key from MAXIMUS_API_KEY, MAXIMUS_TOKEN, or the
 * one `maximus up` saved for that gateway.
 */
export function gatewayClient(options: { url?: string }, io: CommandIO, overrides: ConstructorParameters<typeof Maximus>[0] = {}): { client: Maximus; url: string } {
  const url = options.url ?? io.env.MAXIMUS_URL ?? DEFAULT_URL;
  const apiKey = io.env.MAXIMUS_API_KEY || (io.env.MAXIMUS_TOKEN ? undefined : savedApiKey(io.env, url));
  return { client: new Maximus({ baseURL: url, ...(apiKey ? { apiKey } : {}), ...overrides }), url };
}
