import { APIError, MaximusError } from '@maximus/sdk';
import { ExitError } from './spec.js';

/** An SDK error as a one-line CLI message: the server's code and detail, and the request id to quote. */
export function describeApiError(error: unknown): ExitError {
  if (error instanceof ExitError) return error;
  if (error instanceof APIError) {
    const hint = error.status === 401 ? ' (set MAXIMUS_API_KEY or MAXIMUS_TOKEN, or run maximus up once to save the admin key)' : '';
    return new ExitError(`${error.status} ${error.code}: ${error.problem?.detail ?? error.message}${hint}${error.requestId ? ` [request ${error.requestId}]` : ''}`, 1, { cause: error });
  }
  if (error instanceof MaximusError) return new ExitError(`${error.code}: ${error.message}`, 2, { cause: error });
  return new ExitError(String((error as Error)?.message ?? error), 1, { cause: error });
}
