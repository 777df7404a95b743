import { describe, expect, it } from 'vitest';
import {
  APIError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  InternalServerError,
  MaximusError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  ServiceUnavailableError,
  UnprocessableEntityError,
} from './errors.js';

const problem = (status: number, extra: Record<string, unknown> = {}) => ({
  type: 'urn:maximus:error:X',
  title: 'Error',
  status,
  detail: 'it failed',
  code: 'CORE_ERR_SOMETHING_FAILED',
  request_id: 'req-1',
  ...extra,
});

describe('APIError.generate', () => {
  it.each([
    [400, BadRequestError],
    [401, AuthenticationError],
    [403, PermissionDeniedError],
    [404, NotFoundError],
    [409, ConflictError],
    [422, UnprocessableEntityError],
    [429, RateLimitError],
    [500, InternalServerError],
    [502, InternalServerError],
    [503, ServiceUnavailableError],
  ])('maps %i to %o', (status, type) => {
    const error = APIError.generate(status, problem(status));
    expect(error).toBeInstanceOf(type);
    expect(error).toBeInstanceOf(APIError);
    expect(error).toBeInstanceOf(MaximusError);
    expect(error).toMatchObject({ status, code: 'CORE_ERR_SOMETHING_FAILED', requestId: 'req-1', name: type.name });
    expect(error.message).toBe(`${status} CORE_ERR_SOMETHING_FAILED: it failed`);
  });

  it('keeps 503 an InternalServerError, and other 4xx plain APIErrors', () => {
    expect(APIError.generate(503, problem(503))).toBeInstanceOf(InternalServerError);
    const teapot = APIError.generate(418, problem(418));
    expect(teapot.constructor).toBe(APIError);
  });

  it('reads the request id from the headers and names the status when there is no problem body', () => {
    const cause = new Error('underlying');
    const error = APIError.generate(502, '<html>Bad gateway</html>', { 'x-request-id': 'req-h' }, cause);
    expect(error).toMatchObject({ status: 502, code: 'SDK_ERR_HTTP_UNEXPECTED_STATUS', requestId: 'req-h', problem: undefined, cause });
    expect(error.message).toContain('<html>Bad gateway</html>');
  });

  it('exposes the validation issues of a 400 as errors', () => {
    const errors = [{ pointer: '/body/limit', message: 'must be <= 100' }];
    expect((APIError.generate(400, problem(400, { errors })) as BadRequestError).errors).toEqual(errors);
    expect((APIError.generate(400, problem(400)) as BadRequestError).errors).toEqual([]);
  });

  it('gives a 429 the wait the server asked for', () => {
    expect(APIError.generate(429, problem(429), { 'retry-after': '3' })).toBeInstanceOf(RateLimitError);
    expect(APIError.generate(429, problem(429), { 'retry-after': '3' }).retryAfterMs).toBe(3_000);
    expect(APIError.generate(429, problem(429)).retryAfterMs).toBeUndefined();
    expect(APIError.generate(503, problem(503), { 'retry-after-ms': '250' }).retryAfterMs).toBe(250);
  });
});
