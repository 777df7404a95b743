import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

/** Paths pino censors in every log line: credentials in headers, and any field that names a secret. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'req.headers["x-maximus-internal"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.secret',
  '*.token',
  '*.apiKey',
  '*.api_key',
  '*.privateKey',
  '*.databaseUrl',
  '*.redisUrl',
  '*.natsUrl',
];

export interface LoggerFactoryOptions {
  level?: string;
  /** Fields on every line, e.g. `{ service: 'core' }`. */
  base?: Record<string, unknown>;
  /** Where lines go; stdout by default. Tests pass a stream to read them. */
  destination?: NodeJS.WritableStream;
}

/** pino JSON to stdout, secrets redacted, ISO timestamps. */
export function createLogger(options: LoggerFactoryOptions = {}): Logger {
  const config: LoggerOptions = {
    level: options.level ?? 'info',
    base: { pid: process.pid, ...options.base },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
  return options.destination ? pino(config, options.destination) : pino(config);
}

/** A URL safe to print: credentials replaced by `***`. */
export function redactUrl(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.password) url.password = '***';
    if (url.username && url.password === '') url.username = '***';
    return url.toString();
  } catch {
    return '[unparseable URL]';
  }
}

/**
 * A function that removes the password of `url` from any text (error messages of drivers may echo it).
 * @example const scrub = passwordScrubber(redisUrl); log.warn({ reason: scrub(error.message) })
 */
export function passwordScrubber(url: string): (message: string) => string {
  let password: string | undefined;
  try {
    password = decodeURIComponent(new URL(url).password) || undefined;
  } catch {
    password = undefined;
  }
  return (message) => (password ? message.split(password).join('***') : message);
}
