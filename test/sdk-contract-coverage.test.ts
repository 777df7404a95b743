import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVICE_NAMES } from '@maximus/contracts';
import { APIResource, Maximus, SDK_ROUTES } from '@maximus/sdk';
import { embeddedGateway, type TestGateway } from './gateway-helpers.js';

// Contract coverage: every route under /api/ in the OpenAPI documents the gateway serves (its own and each
// service's, fetched through it) must have an SDK method (a row of SDK_ROUTES, which test/sdk-routes.test.ts
// keeps honest) and a test that calls that method through the real gateway. The failures list the routes.

const root = new URL('..', import.meta.url).pathname;
const HONESTY_TEST = 'sdk-routes.test.ts'; // calls every method by construction: it does not count as coverage
/** How a test (or a helper it imports) starts the real gateway: the helpers of test/, `runEmbedded`, or the gateway's `build`. */
const STARTS_A_GATEWAY = /embeddedGateway\(|connectedGateway\(|runEmbedded\(|build\(\{ mode: '(embedded|connected)'/;

/** `GET /core/api/v1/governance/decisions/{}`: parameters unnamed, so that `{id}` and `:id` compare equal. */
const normal = (method: string, path: string) => `${method.toUpperCase()} ${path.replace(/\{[^}]+\}|:[^/]+/g, '{}')}`;

/**
 * The SDK methods (as `client` paths: `governance.decisions.retrieve`) called in the test files that run the
 * real gateway, found with the type checker: a call counts when its callee is a method declared by an SDK class,
 * whatever the receiver's name (`client.evidence.retrieve(…)`, `evidence.retrieve(…)` on a `new Evidence(client)`).
 */
function methodsCalledThroughTheGateway(): Map<string, Set<string>> {
  const dir = join(root, 'test');
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.test.ts') && f !== HONESTY_TEST)
    .map((f) => join(dir, f))
    .filter((f) => {
      const text = readFileSync(f, 'utf8');
      if (!text.includes('@maximus/sdk')) return false;
      // The test starts the real gateway itself, or through a helper of test/ that does.
      const helpers = [...text.matchAll(/from '\.\/([\w-]+)\.js'/g)].map((m) => join(dir, `${m[1]}.ts`)).filter((h) => existsSync(h));
      return [text, ...helpers.map((h) => readFileSync(h, 'utf8'))].some((t) => STARTS_A_GATEWAY.test(t));
    });
  const config = ts.getParsedCommandLineOfConfigFile(join(root, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} })!;
  const program = ts.createProgram(files, { ...config.options, noEmit: true });
  const checker = program.getTypeChecker();
  // Class name → its path on a client (`GovernanceDecisions` → `governance.decisions.`), from a live client.
  // `client.query` is a function with methods (`QueryFunction`), not a resource instance.
  const prefixes = new Map<string, string>([
    ['Maximus', ''],
    ['QueryFunction', 'query.'],
  ]);
  const probe = new Maximus({ baseURL: 'http://127.0.0.1:1' });
  const walk = (object: object, prefix: string) => {
    for (const [name, value] of Object.entries(object)) {
      if (value instanceof APIResource && !name.startsWith('_')) {
        prefixes.set(value.constructor.name, `${prefix}${name}.`);
        walk(value, `${prefix}${name}.`);
      }
    }
  };
  walk(probe, '');
  void probe.close();
  const sdkSources = join(root, 'packages/sdk/src');
  const called = new Map<string, Set<string>>();
  for (const file of files) {
    const source = program.getSourceFile(file)!;
    const visit = (node: ts.Node) => {
      if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
        const declaration = checker.getSymbolAtLocation(node.expression.name)?.declarations?.[0];
        const owner = declaration?.parent;
        const member = declaration && (ts.isMethodDeclaration(declaration) || ts.isPropertyDeclaration(declaration) || ts.isMethodSignature(declaration));
        const ownerName = owner && (ts.isClassDeclaration(owner) || ts.isInterfaceDeclaration(owner)) ? owner.name?.text : undefined;
        if (member && ownerName && declaration.getSourceFile().fileName.startsWith(sdkSources)) {
          const prefix = prefixes.get(ownerName);
          if (prefix !== undefined) {
            const method = `${prefix}${node.expression.name.text}`;
            if (!called.has(method)) called.set(method, new Set());
            called.get(method)!.add(file.slice(root.length));
          }
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return called;
}

describe('contract coverage: every /api/ route has an SDK method and a test through the real gateway', () => {
  let gateway: TestGateway;
  let client: Maximus;
  const routes = new Map<string, string>(); // normal form → as the document writes it
  beforeAll(async () => {
    gateway = await embeddedGateway();
    const url = await gateway.app.listen({ host: '127.0.0.1', port: 0 });
    client = new Maximus({ baseURL: url, apiKey: gateway.adminKey, token: null });
    for (const prefix of ['', ...SERVICE_NAMES.map((n) => `/${n}`)]) {
      const doc = await client.request<{ paths?: Record<string, Record<string, unknown>> }>({ method: 'GET', path: `${prefix}/openapi.json` });
      for (const [path, operations] of Object.entries(doc.paths ?? {})) {
        if (!path.includes('/api/')) continue;
        for (const method of Object.keys(operations)) {
          if (method === 'head' || method === 'parameters') continue;
          routes.set(normal(method, `${prefix}${path}`), `${method.toUpperCase()} ${prefix}${path}`);
        }
      }
    }
  });
  afterAll(async () => {
    await client?.close();
    await gateway?.close();
  });

  it('finds the routes of the gateway and of every service that has an API', () => {
    expect(routes.size).toBeGreaterThan(20);
    expect([...routes.values()]).toEqual(expect.arrayContaining(['POST /api/v1/keys', 'GET /eikos/api/v1/ledger/root', 'GET /core/api/v1/governance/decisions/{id}']));
  });

  it('has an SDK method (a row of SDK_ROUTES) for every route', () => {
    const rows = new Set(SDK_ROUTES.map((r) => normal(r.method, r.route)));
    const uncovered = [...routes].filter(([n]) => !rows.has(n)).map(([, shown]) => shown);
    expect(uncovered, `routes without an SDK method: add a resource method and its SDK_ROUTES row (packages/sdk/src/routes.ts)\n  ${uncovered.join('\n  ')}\n`).toEqual([]);
  });

  it('calls no route that the platform does not serve', () => {
    const stale = SDK_ROUTES.filter((r) => r.route.includes('/api/') && !routes.has(normal(r.method, r.route))).map((r) => `${r.method} ${r.route}`);
    expect(stale, `SDK_ROUTES rows with no such route in any OpenAPI document:\n  ${stale.join('\n  ')}\n`).toEqual([]);
  });

  it('has a test that calls each route’s SDK method through the real gateway', { timeout: 120_000 }, () => {
    const called = methodsCalledThroughTheGateway();
    const untested = SDK_ROUTES.filter((r) => routes.has(normal(r.method, r.route)) && !r.sdk.some((m) => called.has(m))).map((r) => `${r.method} ${r.route} (${r.sdk.join(', ')})`);
    expect(untested, `routes whose SDK method no test calls through the real gateway (test/*.test.ts that start the gateway, themselves or through a helper of test/):\n  ${untested.join('\n  ')}\n`).toEqual([]);
  });
});
