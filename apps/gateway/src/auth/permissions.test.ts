import { describe, expect, it } from 'vitest';
import { isMetrics, isPublic, permissionFor } from './permissions.js';

describe('the permission table', () => {
  it.each([
    ['GET', '/api/v1/keys', 'admin', 'write'],
    ['DELETE', '/api/v1/keys/abc', 'admin', 'write'],
    ['POST', '/api/v1/tokens', 'admin', 'write'],
    ['POST', '/core/api/v1/consciousness/safety/emergency-shutdown', 'admin', 'write'],
    ['POST', '/core/api/v1/query', 'operator', 'expensive'],
    ['POST', '/maba/api/v1/tasks/t1/execute', 'operator', 'expensive'],
    ['GET', '/core/api/v1/governance/decisions', 'readonly', 'read'],
    ['HEAD', '/eikos/api/v1/ledger/root', 'readonly', 'read'],
    ['POST', '/core/api/v1/governance/decisions/d1/approve', 'operator', 'write'],
    ['PATCH', '/thoth/api/v1/knowledge', 'operator', 'write'],
  ])('%s %s needs %s (%s)', (method, path, role, klass) => {
    expect(permissionFor(method, path)).toMatchObject({ role, class: klass });
  });

  it('treats a dot in a pattern literally', () => {
    expect(permissionFor('POST', '/core/api/v1/queryX').class).toBe('write');
  });

  it('knows the public routes', () => {
    for (const path of ['/health', '/ready', '/openapi.json', '/core/health', '/penelope/openapi.json', '/docs', '/docs/static/x.js', '/.well-known/jwks.json', '/metrics']) {
      expect(isPublic(path)).toBe(true);
    }
    for (const path of ['/api/v1/keys', '/core/api/v1/query', '/core/nope', '/healthz', '/core/api/v1/health']) expect(isPublic(path)).toBe(false);
    expect(isMetrics('/core/metrics')).toBe(true);
    expect(isMetrics('/core/api/metrics')).toBe(false);
  });
});
