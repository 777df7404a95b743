import { describe, expect, it } from 'vitest';
import { APIError, APIUserAbortError, ConnectionError, TimeoutError } from '../errors.js';
import { parseRetryAfter } from './headers.js';
import { DEFAULTS } from './options.js';
import { backoffDelay, fromTransportError, isRetryable, retryDelay } from './retry.js';

describe('backoffDelay', () => {
  it('draws from [0, min(maxDelayMs, baseDelayMs · 2^retry)]', () => {
    const options = { baseDelayMs: 100, maxDelayMs: 1_000, maxRetryAfterMs: 60_000, jitter: 'full' } as const;
    expect(backoffDelay(0, options, () => 0)).toBe(0);
    expect(backoffDelay(0, options, () => 0.5)).toBe(50);
    expect(backoffDelay(3, options, () => 0.5)).toBe(400);
    expect(backoffDelay(10, options, () => 0.5)).toBe(500); // capped at maxDelayMs
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  it.each([
    [{ 'retry-after-ms': '250' }, 250],
    [{ 'retry-after-ms': '250', 'retry-after': '9' }, 250],
    [{ 'retry-after': '2' }, 2_000],
    [{ 'retry-after': '0.5' }, 500],
    [{ 'retry-after': 'Thu, 01 Jan 2026 00:00:05 GMT' }, 5_000],
    [{ 'retry-after': 'Wed, 31 Dec 2025 23:59:00 GMT' }, 0],
    [{ 'retry-after': 'soon' }, undefined],
    [{}, undefined],
  ])('reads %o as %s ms', (headers, expected) => {
    expect(parseRetryAfter(headers, now)).toBe(expected);
  });
});

describe('retryDelay', () => {
  it('caps the server’s wait at maxRetryAfterMs', () => {
    const error = APIError.generate(429, {}, { 'retry-after': '120' });
    expect(retryDelay(error, 0, DEFAULTS.retry)).toBe(60_000);
  });
});

describe('isRetryable', () => {
  it.each([
    [408, true],
    [429, true],
    [500, true],
    [503, true],
    [400, false],
    [401, false],
    [404, false],
    [409, false],
    [422, false],
  ])('status %i → %s', (status, expected) => {
    expect(isRetryable(APIError.generate(status, {}))).toBe(expected);
  });

  it('retries connection errors and attempt timeouts, not deadlines or aborts', () => {
    expect(isRetryable(new ConnectionError('reset'))).toBe(true);
    expect(isRetryable(new TimeoutError('slow', 'SDK_ERR_REQUEST_TIMEOUT'))).toBe(true);
    expect(isRetryable(new TimeoutError('late', 'SDK_ERR_REQUEST_DEADLINE_EXCEEDED'))).toBe(false);
    expect(isRetryable(new APIUserAbortError())).toBe(false);
  });
});

describe('fromTransportError', () => {
  it('maps network codes to ConnectionError and keeps the cause', () => {
    const cause = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    const error = fromTransportError(cause, 1_000);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.cause).toBe(cause);
  });

  it('does not retry what undici refused to send', () => {
    const error = fromTransportError(Object.assign(new Error('invalid header'), { code: 'UND_ERR_INVALID_ARG' }), 1_000);
    expect(error.code).toBe('SDK_ERR_REQUEST_INVALID');
    expect(isRetryable(error)).toBe(false);
  });
});
