import type { CodedError } from '@maximus/kit/errors';
import { CoreErrors } from '../../errors.js';

/** The error classes of a provider's SDK (both official SDKs have the same four). */
export interface SdkErrorClasses {
  readonly APIError: abstract new (...args: never[]) => Error & { status: number | undefined; headers: Headers | undefined };
  readonly APIConnectionError: abstract new (...args: never[]) => Error;
  readonly APIConnectionTimeoutError: abstract new (...args: never[]) => Error;
  readonly APIUserAbortError: abstract new (...args: never[]) => Error;
}

const MAX_DETAIL = 300;

/** A message safe to show: never the key, never more than a line or two. */
function scrub(message: string, secret: string | undefined): string {
  let text = message.replace(/\s+/g, ' ').trim();
  if (secret) text = text.split(secret).join('[redacted]');
  text = text.replace(/\b(sk-[A-Za-z0-9_-]{8,}|Bearer\s+\S+)/g, '[redacted]');
  return text.length > MAX_DETAIL ? `${text.slice(0, MAX_DETAIL)}…` : text;
}

/** The system error code down the cause chain (`ECONNREFUSED`, `ENOTFOUND`, …), when there is one. */
function causeCode(error: unknown): string | undefined {
  for (let e = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z_]+$/.test(code)) return code;
  }
  return undefined;
}

function retryAfter(headers: Headers | undefined): number {
  const raw = headers?.get('retry-after');
  const seconds = raw === null || raw === undefined ? Number.NaN : Number(raw);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(3600, Math.ceil(seconds));
  const date = raw ? Date.parse(raw) : Number.NaN;
  return Number.isFinite(date) ? Math.min(3600, Math.max(1, Math.ceil((date - Date.now()) / 1000))) : 5;
}

/**
 * A provider's failure as a problem: timeout → 504; unreachable, refused, 429, 503, 529 → 503 with Retry-After;
 * any other status or a bad answer → 502. The message names the provider and never carries the API key.
 */
export function mapProviderError(error: unknown, provider: string, classes: SdkErrorClasses, options: { timedOut: boolean; timeoutMs: number; apiKey: string | undefined }): CodedError {
  if (options.timedOut || error instanceof classes.APIConnectionTimeoutError) return new CoreErrors.QueryTimeout(provider, String(options.timeoutMs));
  const message = scrub(error instanceof Error ? error.message : String(error), options.apiKey);
  if (error instanceof classes.APIConnectionError) {
    const mapped = new CoreErrors.QueryUnavailable(provider, scrub(causeCode(error) ?? message, options.apiKey)) as CodedError;
    mapped.retryAfterSeconds = 5;
    return mapped;
  }
  if (error instanceof classes.APIError && error.status !== undefined) {
    const status = error.status;
    if (status === 429 || status === 503 || status === 529) {
      const mapped = new CoreErrors.QueryUnavailable(provider, `it answered ${status}${status === 429 ? ' (rate limited)' : ''}: ${message}`) as CodedError;
      mapped.retryAfterSeconds = retryAfter(error.headers);
      return mapped;
    }
    if (status === 401 || status === 403) return new CoreErrors.QueryUpstream(provider, `it refused the credentials (${status}): check MAXIMUS_LLM_API_KEY`);
    return new CoreErrors.QueryUpstream(provider, `it answered ${status}: ${message}`);
  }
  if (error instanceof classes.APIUserAbortError) return new CoreErrors.QueryTimeout(provider, String(options.timeoutMs));
  return new CoreErrors.QueryUpstream(provider, `bad response: ${message}`);
}

/** Runs one provider call under the query's deadline (and the caller's `signal`, when given), mapping every failure. */
export async function providerCall<T>(
  provider: string,
  classes: SdkErrorClasses,
  options: { timeoutMs: number; apiKey: string | undefined; signal?: AbortSignal | undefined },
  call: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, options.timeoutMs);
  const abort = () => controller.abort();
  if (options.signal?.aborted) controller.abort();
  else options.signal?.addEventListener('abort', abort, { once: true });
  try {
    return await call(controller.signal);
  } catch (error) {
    throw mapProviderError(error, provider, classes, { ...options, timedOut });
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', abort);
  }
}
