import { createError } from '@maximus/kit/errors';

export const GatewayErrors = {
  UpstreamUnavailable: createError('GATEWAY_ERR_UPSTREAM_UNAVAILABLE', 'Service %s is unreachable: %s', 503),
  UpstreamTimeout: createError('GATEWAY_ERR_UPSTREAM_TIMEOUT', 'Service %s did not answer within %s ms', 504),
  UpstreamFailed: createError('GATEWAY_ERR_UPSTREAM_FAILED', 'The connection to service %s failed: %s', 502),
} as const;
