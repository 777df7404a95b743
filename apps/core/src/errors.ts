import { createError } from '@maximus/kit/errors';

/** core's error catalogue (docs/errors.md lists every code). */
export const CoreErrors = {
  UnknownAction: createError('CORE_ERR_GOVERNANCE_UNKNOWN_ACTION', 'Unknown action_type %s: GET /api/v1/governance/actions lists them', 400),
  DecisionNotFound: createError('CORE_ERR_GOVERNANCE_DECISION_NOT_FOUND', 'No decision with id %s', 404),
  NotPending: createError('CORE_ERR_GOVERNANCE_NOT_PENDING', 'Decision %s is %s: it takes no more votes or transitions', 409),
  AlreadyVoted: createError('CORE_ERR_GOVERNANCE_ALREADY_VOTED', '%s has already voted on decision %s', 409),
  NoAuthority: createError('CORE_ERR_GOVERNANCE_NO_AUTHORITY', 'Role %s may not decide a %s decision at the %s tier (operators decide LOW/MEDIUM, admins all)', 403),
  Beneficiary: createError('CORE_ERR_GOVERNANCE_BENEFICIARY_VOTE', '%s proposed this %s decision (or it was proposed for them): they cannot count toward its quorum', 403),
  CancelForbidden: createError('CORE_ERR_GOVERNANCE_CANCEL_FORBIDDEN', 'Only the proposer (%s) or an admin may cancel decision %s', 403),
  AlreadyEscalated: createError('CORE_ERR_GOVERNANCE_ALREADY_ESCALATED', 'Decision %s is already at the admin tier', 409),
  CursorInvalid: createError('CORE_ERR_GOVERNANCE_CURSOR_INVALID', 'The cursor is not one this API returned', 400),
  ShutdownPending: createError('CORE_ERR_SAFETY_SHUTDOWN_PENDING', 'An emergency shutdown is already requested (decision %s)', 409),
  AlreadyShutDown: createError('CORE_ERR_SAFETY_ALREADY_SHUT_DOWN', 'The platform is already shut down (since %s)', 409),
  NotShutDown: createError('CORE_ERR_SAFETY_NOT_SHUT_DOWN', 'The platform is not shut down: nothing to resume', 409),
  EsgtEventNotFound: createError('CORE_ERR_ESGT_EVENT_NOT_FOUND', 'No ignition attempt with id %s', 404),
  /** For the consciousness routes: thrown while the kill switch holds, which only an admin lifts: not retryable. */
  ShutDown: createError('CORE_ERR_SAFETY_SHUT_DOWN', 'The emergency shutdown is in force (%s): ignitions and modulations are refused until an admin resumes', 503, { retryable: false }),
  /** The query provider answered with a 5xx, refused our credentials, or sent something that is not a valid answer. */
  QueryUpstream: createError('CORE_ERR_QUERY_UPSTREAM_FAILED', 'The %s provider failed: %s', 502),
  /** The provider could not be reached, refused the connection, or is rate limiting us (429). */
  QueryUnavailable: createError('CORE_ERR_QUERY_PROVIDER_UNAVAILABLE', 'The %s provider is unavailable: %s', 503),
  QueryTimeout: createError('CORE_ERR_QUERY_PROVIDER_TIMEOUT', 'The %s provider did not answer within %s ms', 504),
  /** A route that needs a language model (propose-fix) on a platform whose provider is `local`. */
  QueryNoModel: createError('CORE_ERR_QUERY_NO_MODEL', 'No language model is configured (MAXIMUS_LLM_PROVIDER=%s): %s needs anthropic or openai', 409),
  /** The model answered, but not with a usable fix: unparsable, a file it was not given, or no change at all. */
  QueryFixInvalid: createError('CORE_ERR_QUERY_FIX_INVALID', 'The %s model did not answer with a usable fix: %s', 502),
  /** The screening stage (ADW) refused the query. */
  QueryScreened: createError('CORE_ERR_QUERY_SCREENED', 'The query was refused by screening: %s', 422),
} as const;

/** A 400 in the kit's validation shape: `errors: [{pointer, message}]` rooted at `/body`. */
export function paramsValidationError(issues: readonly { path: string; message: string }[], at = '/params'): Error {
  const error = new Error(issues.map((i) => `/body${at}${i.path} ${i.message}`).join('; ')) as Error & {
    statusCode: number;
    validation: { instancePath: string; keyword: string; message: string; params: Record<string, unknown> }[];
    validationContext: string;
  };
  error.statusCode = 400;
  error.validationContext = 'body';
  error.validation = issues.map((i) => ({ instancePath: `${at}${i.path}`, keyword: 'schema', message: i.message, params: {} }));
  return error;
}
