import type { OptionSpec } from '../spec.js';

/** The listening options shared by `up` and `serve`. */
export function listenOptions(portDefault: string): OptionSpec[] {
  return [
    { flags: '--host <address>', description: 'address to listen on (loopback unless --insecure-http)', env: 'MAXIMUS_HOST' },
    { flags: '--port <port>', description: `port to listen on (default: ${portDefault})` },
    { flags: '--insecure-http', description: 'allow plain HTTP on a non-loopback address (no TLS yet)' },
  ];
}

/** `env` with the given overrides applied (undefined leaves a variable as it is). */
export function envWith(env: Readonly<Record<string, string | undefined>>, overrides: Record<string, string | undefined>) {
  const result: Record<string, string | undefined> = { ...env };
  for (const [key, value] of Object.entries(overrides)) if (value !== undefined) result[key] = value;
  return result;
}
