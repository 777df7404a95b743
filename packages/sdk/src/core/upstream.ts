import { SERVICE_NAMES } from '@maximus/contracts';

const SERVICES = new Set<string>(SERVICE_NAMES);

/**
 * The service a gateway path belongs to: its first segment when that names a service (`/core/...` → `core`),
 * else `gateway` (`/health`, `/api/v1/keys`).
 * @example
 * serviceOf('/eikos/api/v1/ledger/root'); // 'eikos'
 */
export function serviceOf(path: string): string {
  const end = path.indexOf('/', 1);
  const first = path.slice(1, end < 0 ? undefined : end);
  return SERVICES.has(first) ? first : 'gateway';
}

/**
 * The resource a path belongs to, for cache invalidation: `/<service>/api/<version>/<resource>` (or
 * `/api/<version>/<resource>` on the gateway); other paths are their own resource. A write to a path
 * invalidates every cached read under its resource.
 * @example
 * resourceOf('/core/api/v1/governance/decisions/7/approve'); // '/core/api/v1/governance'
 */
export function resourceOf(path: string): string {
  const segments = path.split('?', 1)[0]!.split('/');
  const api = segments.indexOf('api');
  if (api >= 1 && api <= 2 && segments.length > api + 2) return segments.slice(0, api + 3).join('/');
  return segments.slice(0, 2).join('/');
}
