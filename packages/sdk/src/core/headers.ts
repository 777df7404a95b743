/**
 * Response headers as the SDK exposes them: lowercase names, as undici gives them.
 * @example
 * const headers: ResponseHeaders = (await client.health().withResponse()).response.headers;
 * console.log(headers['content-type']);
 */
export type ResponseHeaders = Readonly<Record<string, string | string[] | undefined>>;

/** The first value of a header (names are lowercase). */
export function headerValue(headers: ResponseHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Milliseconds a response asks the client to wait: `retry-after-ms` (milliseconds), else `Retry-After`
 * in seconds or as an HTTP date (RFC 9110 §10.2.3). Undefined when absent or unreadable; never negative.
 * @example
 * parseRetryAfter({ 'retry-after': '2' }); // 2000
 * parseRetryAfter({ 'retry-after': 'Wed, 21 Oct 2026 07:28:00 GMT' }, now); // ms from now to then, or 0
 */
export function parseRetryAfter(headers: ResponseHeaders, now: number = Date.now()): number | undefined {
  const ms = headerValue(headers, 'retry-after-ms')?.trim();
  if (ms) {
    const value = Number(ms);
    if (Number.isFinite(value)) return Math.max(0, value);
  }
  const raw = headerValue(headers, 'retry-after')?.trim();
  if (!raw) return undefined;
  if (/^\d+(\.\d+)?$/.test(raw)) return Number(raw) * 1000;
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
