import createFastifyError from '@fastify/error';

/**
 * A coded error of the kit's catalogue. `code` is stable (`KIT_ERR_<AREA>_<PROBLEM>`) and documented
 * in docs/errors.md; `statusCode` is the HTTP status the error handler answers with.
 */
export interface CodedError extends Error {
  code: string;
  statusCode?: number;
  /** Seconds a client should wait before retrying (sent as `Retry-After`). */
  retryAfterSeconds?: number;
  /** Extra response headers, e.g. `WWW-Authenticate` on a 401. */
  headers?: Record<string, string>;
}

export type CodedErrorConstructor = ReturnType<typeof createFastifyError>;

/** One code of the catalogue. */
export interface DeclaredError {
  template: string;
  statusCode: number;
  /**
   * false: a condition that lasts until someone acts (the kill switch), though its status (503) would say
   * "try again": answered with `x-should-retry: false`, which the SDK obeys. Unset: the status decides.
   */
  retryable?: false;
}

const catalogue = new Map<string, DeclaredError>();

/**
 * Declares an error of a package's catalogue: `createError(code, template, statusCode)`.
 * `template` takes `%s` placeholders, filled from the constructor's arguments.
 * @throws Error when the code is declared twice (codes are never reused).
 * @example
 * const NotFound = createError('KIT_ERR_HTTP_NOT_FOUND', 'Route %s %s not found', 404);
 * throw new NotFound('GET', '/nope');
 */
export function createError(code: string, template: string, statusCode: number, options: { retryable?: false } = {}): CodedErrorConstructor {
  if (!/^[A-Z]+_ERR_[A-Z0-9]+_[A-Z0-9_]+$/.test(code)) throw new Error(`error code ${code} is not of the form <PKG>_ERR_<AREA>_<PROBLEM>`);
  if (catalogue.has(code)) throw new Error(`error code ${code} is declared twice`);
  catalogue.set(code, { template, statusCode, ...options });
  return createFastifyError(code, template, statusCode);
}

/** Every code declared so far in this process (the tests tie it to docs/errors.md). */
export function declaredErrors(): ReadonlyMap<string, DeclaredError> {
  return catalogue;
}

export const KitErrors = {
  NotFound: createError('KIT_ERR_HTTP_NOT_FOUND', 'No route for %s %s', 404),
  Validation: createError('KIT_ERR_REQUEST_VALIDATION', '%s', 400),
  RequestInvalid: createError('KIT_ERR_REQUEST_INVALID', 'The request cannot be served: %s', 400),
  MalformedBody: createError('KIT_ERR_REQUEST_MALFORMED_BODY', 'The request body is not valid %s: %s', 400),
  BodyTooLarge: createError('KIT_ERR_REQUEST_BODY_TOO_LARGE', 'The request body is larger than %s bytes', 413),
  UnsupportedMediaType: createError('KIT_ERR_REQUEST_UNSUPPORTED_MEDIA_TYPE', 'Content type %s is not supported; send application/json', 415),
  Internal: createError('KIT_ERR_INTERNAL_ERROR', 'An internal error occurred; the request id identifies it in the logs', 500),
  DatabaseUnavailable: createError('KIT_ERR_DB_UNAVAILABLE', 'The database is unreachable: %s', 503),
  DatabaseTimeout: createError('KIT_ERR_DB_TIMEOUT', 'The database did not answer in time: %s', 503),
  CacheUnavailable: createError('KIT_ERR_CACHE_UNAVAILABLE', 'The cache is unreachable: %s', 503),
  BusUnavailable: createError('KIT_ERR_BUS_UNAVAILABLE', 'The bus is unreachable: %s', 503),
  MigrationChecksum: createError(
    'KIT_ERR_MIGRATION_CHECKSUM_MISMATCH',
    'Migration %s/%s was changed after it was applied (checksum %s in the database, %s on disk); never edit an applied migration, add a new one',
    500,
  ),
  MigrationUnknown: createError(
    'KIT_ERR_MIGRATION_UNKNOWN_VERSION',
    'The database has migration %s/%s applied, which this build does not know: it is older than the database',
    500,
  ),
  DataDirLocked: createError(
    'KIT_ERR_DATADIR_LOCKED',
    'The data directory %s is in use by another MAXIMUS process (pid %s); stop it, or choose another directory with MAXIMUS_DATA_DIR',
    500,
  ),
  ConfigInvalid: createError('KIT_ERR_CONFIG_INVALID', 'Configuration variable %s is invalid: %s', 500),
} as const;

export { toProblem, problemHandler, type ProblemOptions } from './problem.js';
