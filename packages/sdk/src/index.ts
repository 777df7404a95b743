/**
 * `@maximus/sdk`: the TypeScript client of the MAXIMUS gateway.
 * @example
 * import Maximus, { RateLimitError } from '@maximus/sdk';
 * const client = new Maximus(); // MAXIMUS_URL, MAXIMUS_API_KEY, MAXIMUS_TOKEN
 * const health = await client.health();
 */
import { Maximus } from './client.js';

export { Maximus };
export default Maximus;
export {
  DEFAULTS,
  SDK_ENV_VARS,
  type ClientOptions,
  type ResolvedClientOptions,
  type RetryOptions,
  type ResolvedRetryOptions,
  type JitterMode,
  type RetryBudgetOptions,
  type ResolvedRetryBudgetOptions,
  type CircuitBreakerOptions,
  type ResolvedCircuitBreakerOptions,
  type CacheOptions,
  type ResolvedCacheOptions,
  type CachePolicy,
  type CacheRule,
  type RedisLike,
  type BatchingOptions,
  type ResolvedBatchingOptions,
  type MetricsOptions,
  type MetricsRegistryLike,
  type MetricLike,
  type TracingOptions,
  type TlsOptions,
} from './core/options.js';
export { VERSION, type HttpMethod, type RequestOptions, type RequestParams } from './core/request.js';
export { APIPromise, type APIResponse, type ResponseInfo } from './core/api-promise.js';
export { APIResource } from './core/resource.js';
export { CursorPager } from './core/pagination.js';
export { openEventStream, resumeEventStream, SseParser, type SseMessage, type EventStreamParams, type ResumableStreamParams } from './core/streaming.js';
export type { ClientHooks, RequestEvent, ResponseEvent, RetryEvent, ErrorEvent } from './core/hooks.js';
export type { BreakerSnapshot, BreakerState } from './core/breaker.js';
export type { CacheStats, CacheInfo, CacheSource } from './core/cache.js';
export type { CoalescerStats } from './core/coalesce.js';
export { parseRetryAfter } from './core/headers.js';
export { SDK_ROUTES, routeTemplate, type SdkRoute } from './routes.js';
export {
  SDK_ERROR_CODES,
  type SdkErrorCode,
  type MaximusErrorOptions,
  type ResponseHeaders,
  MaximusError,
  APIError,
  BadRequestError,
  AuthenticationError,
  PermissionDeniedError,
  NotFoundError,
  ConflictError,
  UnprocessableEntityError,
  RateLimitError,
  InternalServerError,
  ServiceUnavailableError,
  ConnectionError,
  TimeoutError,
  StreamIdleTimeoutError,
  APIUserAbortError,
  CircuitOpenError,
} from './errors.js';
export { Health, Keys, Tokens, Whoami } from './resources/index.js';
export { Governance, GovernanceDecisions, DecisionPager, type DecisionListParams, type GovernanceStreamEvent, type GovernanceStreamParams } from './resources/governance.js';
export { Evidence, Ledger, Audit, Forensics, type LedgerConsistencyParams, type LedgerEntriesParams, type AuditTrailParams } from './resources/evidence.js';
export { Events, Services, type StreamEvent, type EventSubscribeParams } from './resources/events.js';
export { Healing, HealingPatches, HealingHistoryPager, Wisdom, type HealingHistoryParams } from './resources/healing.js';
export { Query, QueryStream, type QueryFunction, type QueryCreateParams, type QueryStreamEvent, type QueryStreamOptions } from './resources/query.js';
export {
  Consciousness,
  Safety,
  Tig,
  Arousal,
  Esgt,
  EsgtEvents,
  EsgtEventPager,
  type EsgtEventListParams,
  type ConsciousnessStreamEvent,
  type ConsciousnessStreamParams,
} from './resources/consciousness.js';
export { Spiritual } from './resources/spiritual.js';
