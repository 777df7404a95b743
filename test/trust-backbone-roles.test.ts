import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { permissionFor } from '@maximus/gateway';
import { embeddedGateway, type TestGateway } from './gateway-helpers.js';

type Role = 'admin' | 'operator' | 'readonly';
const RANK: Record<Role, number> = { readonly: 1, operator: 2, admin: 3 };

// Every /api/ route that governance, the ledger and the bus serve, read from their own OpenAPI documents, called
// through the gateway by each role: allowed exactly when the permission table says so, never a 500.
describe('every trust-backbone endpoint through the gateway, by role', () => {
  let gateway: TestGateway;
  const keys: Partial<Record<Role, string>> = {};
  const routes: { method: string; path: string }[] = [];
  beforeAll(async () => {
    gateway = await embeddedGateway();
    keys.admin = gateway.adminKey;
    for (const role of ['operator', 'readonly'] as const) keys[role] = (await gateway.security.keys.create({ name: role, role, createdBy: null })).key;
    for (const service of ['core', 'eikos', 'hermes']) {
      const doc = (await gateway.app.inject({ method: 'GET', url: `/${service}/openapi.json` })).json<{ paths: Record<string, Record<string, unknown>> }>();
      for (const [path, operations] of Object.entries(doc.paths)) {
        if (!path.startsWith('/api/')) continue;
        for (const method of Object.keys(operations)) {
          if (method === 'head') continue;
          routes.push({ method: method.toUpperCase(), path: `/${service}${path.replace(/\{[^}]+\}/g, 'x0')}` });
        }
      }
    }
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it('finds the routes of governance, the ledger and the bus', () => {
    expect(routes.length).toBeGreaterThan(20);
    expect(routes).toEqual(expect.arrayContaining([{ method: 'POST', path: '/core/api/v1/governance/decisions' }, { method: 'GET', path: '/eikos/api/v1/ledger/root' }]));
  });

  it.each(['admin', 'operator', 'readonly'] as const)('%s is allowed exactly what the permission table allows, and nothing answers 500', async (role) => {
    const refused: string[] = [];
    const wronglyRefused: string[] = [];
    for (const { method, path } of routes) {
      if (path.endsWith('/stream') || path.endsWith('/subscribe') || path.endsWith('/ws')) continue; // long-lived streams: tested on their own
      const res = await gateway.app.inject({ method: method as 'GET', url: path, headers: { 'x-api-key': keys[role]! }, ...(method === 'GET' || method === 'DELETE' ? {} : { payload: {} }) });
      expect(res.statusCode, `${method} ${path}`).toBeLessThan(500);
      const allowed = RANK[role] >= RANK[permissionFor(method, path).role];
      if (!allowed && res.statusCode !== 403) refused.push(`${method} ${path} → ${res.statusCode}`);
      if (allowed && res.statusCode === 403 && res.json<{ code: string }>().code === 'GATEWAY_ERR_AUTH_FORBIDDEN') wronglyRefused.push(`${method} ${path}`);
    }
    expect(refused, 'routes the table forbids but that answered').toEqual([]);
    expect(wronglyRefused, 'routes the table allows but the gateway refused').toEqual([]);
  });
});
