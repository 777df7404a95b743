import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { PROBLEM_CONTENT_TYPE, type Problem, type ValidationIssue } from '@maximus/contracts';
import { declaredErrors, KitErrors, type CodedError } from './index.js';

export interface ProblemOptions {
  /** Called once per answered error with its code (feeds `maximus_errors_total`). */
  onError?: (code: string, statusCode: number) => void;
}

interface AjvIssue {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

const escapePointer = (segment: string) => segment.replace(/~/g, '~0').replace(/\//g, '~1');

/** Turns Ajv's issues into `{pointer, message}` rooted at the request part (`/body/...`). */
function validationIssues(part: string, issues: readonly AjvIssue[]): ValidationIssue[] {
  return issues.map((issue) => {
    let pointer = `/${part}${issue.instancePath}`;
    const missing = issue.params.missingProperty ?? issue.params.additionalProperty;
    if (typeof missing === 'string') pointer += `/${escapePointer(missing)}`;
    let message = issue.message ?? issue.keyword;
    if (issue.keyword === 'additionalProperties') message = 'is not an allowed property';
    if (issue.keyword === 'required') message = 'is required';
    return { pointer, message };
  });
}

/** Maps Fastify's built-in errors onto the kit catalogue, so that every answer carries a stable code. */
function normalise(error: FastifyError): CodedError {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new KitErrors.BodyTooLarge(String(error.message.match(/\d+/)?.[0] ?? 'the limit'));
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new KitErrors.UnsupportedMediaType(String(error.message.split(': ').at(-1) ?? 'unknown'));
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new KitErrors.MalformedBody('JSON', 'the body is empty but the content type is application/json');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new KitErrors.MalformedBody('JSON', error.message);
    default:
      break;
  }
  if (error instanceof SyntaxError && error.statusCode === 400) return new KitErrors.MalformedBody('JSON', error.message);
  return error;
}

/** Builds the RFC 9457 body for an error. Messages of unexpected (5xx, uncoded) errors never reach the client. */
export function toProblem(raw: FastifyError | CodedError, requestId: string, instance?: string): Problem {
  const fe = raw as FastifyError;
  if (fe.validation) {
    const errors = validationIssues(fe.validationContext ?? 'body', fe.validation);
    const detail = errors.map((e) => `${e.pointer} ${e.message}`).join('; ');
    return problem(new KitErrors.Validation(detail), requestId, instance, errors);
  }
  const error = normalise(fe);
  const status = error.statusCode ?? 500;
  const known = typeof error.code === 'string' && /^[A-Z]+_ERR_/.test(error.code) && !error.code.startsWith('FST_ERR_');
  if (status >= 500 && !known) return problem(new KitErrors.Internal(), requestId, instance);
  if (!known) {
    // A Fastify error that has no kit equivalent (rare): keep its status, give it a generic stable code.
    const generic: CodedError = new KitErrors.RequestInvalid(error.message);
    generic.statusCode = status;
    return problem(generic, requestId, instance);
  }
  return problem(error, requestId, instance);
}

function problem(error: CodedError, requestId: string, instance?: string, errors?: ValidationIssue[]): Problem {
  const status = error.statusCode ?? 500;
  const body: Problem = {
    type: `urn:maximus:error:${error.code}`,
    title: titleFor(status),
    status,
    detail: error.message,
    code: error.code,
    request_id: requestId,
  };
  if (instance) body.instance = instance;
  if (errors) body.errors = errors;
  return body;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 408: 'Request Timeout',
  409: 'Conflict', 413: 'Content Too Large', 415: 'Unsupported Media Type', 422: 'Unprocessable Content', 429: 'Too Many Requests',
  500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout',
};
const titleFor = (status: number) => TITLES[status] ?? (status >= 500 ? 'Server Error' : 'Client Error');

/**
 * The one error handler: every error becomes `application/problem+json`; 503s carry `Retry-After`; a code declared
 * `retryable: false` carries `x-should-retry: false`.
 */
export function problemHandler(options: ProblemOptions = {}) {
  return function handleError(this: unknown, error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
    const body = toProblem(error, request.id, request.url.split('?')[0]);
    if (body.status >= 500) request.log.error({ err: error, code: body.code }, 'request failed');
    else request.log.info({ code: body.code, status: body.status }, body.detail);
    options.onError?.(body.code, body.status);
    const extra = (error as CodedError).headers;
    if (extra && body.status < 500) void reply.headers(extra);
    const retryAfter = (error as CodedError).retryAfterSeconds ?? (body.status === 503 ? 5 : undefined);
    if (retryAfter !== undefined) void reply.header('retry-after', String(retryAfter));
    if (declaredErrors().get(body.code)?.retryable === false) void reply.header('x-should-retry', 'false');
    return reply.code(body.status).type(PROBLEM_CONTENT_TYPE).send(body);
  };
}
