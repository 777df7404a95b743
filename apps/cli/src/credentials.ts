import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/** `$XDG_CONFIG_HOME/maximus/credentials.json` (or `~/.config/…`), mode 0600: API keys by gateway URL. */
export function credentialsPath(env: Readonly<Record<string, string | undefined>>): string {
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'maximus', 'credentials.json');
}

interface Credentials {
  /** The gateway whose key serves any URL without one of its own. */
  default?: string;
  gateways: Record<string, { api_key: string; saved_at: string }>;
}

function read(path: string): Credentials {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Credentials;
  } catch {
    return { gateways: {} };
  }
}

const normalise = (url: string) => url.replace(/\/+$/, '');

/** Saves the key for `url` (and makes it the default); the file is created 0600 in a 0700 directory. */
export function saveApiKey(env: Readonly<Record<string, string | undefined>>, url: string, apiKey: string): string {
  const path = credentialsPath(env);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const credentials = read(path);
  credentials.gateways[normalise(url)] = { api_key: apiKey, saved_at: new Date().toISOString() };
  credentials.default = normalise(url);
  writeFileSync(path, JSON.stringify(credentials, null, 2) + '\n', { mode: 0o600 });
  chmodSync(path, 0o600);
  return path;
}

/** The saved key for `url`, else the default gateway's. */
export function savedApiKey(env: Readonly<Record<string, string | undefined>>, url: string): string | undefined {
  const credentials = read(credentialsPath(env));
  const own = credentials.gateways[normalise(url)];
  if (own) return own.api_key;
  return credentials.default ? credentials.gateways[credentials.default]?.api_key : undefined;
}
