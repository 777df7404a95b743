import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SERVICES, SERVICE_NAMES } from '@maximus/contracts';
import { ENV_VARS, loadConfig } from './index.js';

function configError(env: Record<string, string>): { code?: string; message: string } {
  try {
    loadConfig(env);
  } catch (error) {
    return error as { code?: string; message: string };
  }
  throw new Error(`expected ${JSON.stringify(env)} to be refused`);
}

describe('loadConfig', () => {
  it('applies the documented defaults to an empty environment', () => {
    const config = loadConfig({});
    expect(config).toEqual({
      dataDir: resolve('.maximus/data'),
      host: '127.0.0.1',
      port: 8000,
      logLevel: 'info',
      databaseUrl: undefined,
      redisUrl: undefined,
      natsUrl: undefined,
      db: { poolMax: 10, acquireTimeoutMs: 5000, statementTimeoutMs: 30000 },
      cache: { maxEntries: 10000 },
      nats: { stream: 'MAXIMUS', subjectPrefix: 'maximus' },
      bus: { maxDeliver: 5 },
      outbox: { pollMs: 250, retentionHours: 24, retentionEvents: 100000 },
      upstreamTimeoutMs: 30000,
      healthTimeoutMs: 2000,
      healthCacheMs: 1000,
      serviceUrls: Object.fromEntries(SERVICE_NAMES.map((name) => [name, `http://127.0.0.1:${SERVICES[name].port}`])),
      auth: {
        enabled: true,
        secret: undefined,
        bootstrapAdminKey: undefined,
        internalSecret: undefined,
        metricsToken: undefined,
        jwt: { issuer: 'maximus', audience: 'maximus', maxTtlSeconds: 86400, roleClaim: 'role', external: undefined },
      },
      rateLimits: Object.fromEntries(
        ['admin', 'operator', 'readonly', 'service'].map((role) => [
          role,
          { read: { limit: 600, windowSeconds: 60 }, write: { limit: 120, windowSeconds: 60 }, expensive: { limit: 20, windowSeconds: 60 } },
        ]),
      ),
      tls: undefined,
      httpPort: undefined,
      idempotencyTtlHours: 24,
      llm: { provider: 'local', model: undefined, baseUrl: undefined, apiKey: undefined, timeoutMs: 60000, maxTokens: 1024, toolTimeoutMs: 10000 },
      sloLatencyMs: 300,
      spiritual: { scoresTtlSeconds: 60, signalsIntervalSeconds: 30, signalsWindowSeconds: 3600, outcomesWindowSeconds: 604800 },
    });
    // An empty value counts as unset.
    expect(loadConfig({ MAXIMUS_PORT: '', DATABASE_URL: '' })).toMatchObject({ port: 8000, databaseUrl: undefined });
  });

  it('reads the security settings: per-role rate limits, TLS, an external issuer', () => {
    const config = loadConfig({
      MAXIMUS_RATE_LIMITS: 'read=10/1,write=5/60,expensive=1/60',
      MAXIMUS_RATE_LIMITS_ADMIN: 'write=50/60',
      MAXIMUS_TLS_CERT: '/etc/maximus/tls.crt',
      MAXIMUS_TLS_KEY: '/etc/maximus/tls.key',
      MAXIMUS_TLS_CLIENT_CA: '/etc/maximus/ca.crt',
      MAXIMUS_TLS_CLIENT_AUTH: 'require',
      MAXIMUS_TLS_MIN_VERSION: '1.2',
      MAXIMUS_JWT_EXTERNAL_JWKS_URL: 'https://idp.example/jwks.json',
      MAXIMUS_JWT_EXTERNAL_ISSUER: 'https://idp.example/',
      MAXIMUS_JWT_EXTERNAL_AUDIENCE: 'maximus-api',
      MAXIMUS_AUTH: 'off',
    });
    expect(config.rateLimits.admin).toEqual({ read: { limit: 10, windowSeconds: 1 }, write: { limit: 50, windowSeconds: 60 }, expensive: { limit: 1, windowSeconds: 60 } });
    expect(config.rateLimits.readonly.write).toEqual({ limit: 5, windowSeconds: 60 });
    expect(config.tls).toEqual({ certPath: '/etc/maximus/tls.crt', keyPath: '/etc/maximus/tls.key', clientCaPath: '/etc/maximus/ca.crt', clientAuth: 'require', minVersion: 'TLSv1.2' });
    expect(config.auth.jwt.external).toEqual({ jwksUrl: 'https://idp.example/jwks.json', issuer: 'https://idp.example/', audience: 'maximus-api' });
    expect(config.auth.enabled).toBe(false);
  });

  it.each([
    [{ MAXIMUS_RATE_LIMITS: 'read=10/1' }, 'MAXIMUS_RATE_LIMITS'],
    [{ MAXIMUS_RATE_LIMITS_OPERATOR: 'reads=1/1' }, 'MAXIMUS_RATE_LIMITS_OPERATOR'],
    [{ MAXIMUS_TLS_CERT: '/a.crt' }, 'MAXIMUS_TLS_KEY'],
    [{ MAXIMUS_TLS_CERT: '/a.crt', MAXIMUS_TLS_KEY: '/a.key', MAXIMUS_TLS_CLIENT_AUTH: 'require' }, 'MAXIMUS_TLS_CLIENT_CA'],
    [{ MAXIMUS_TLS_MIN_VERSION: '1.1' }, 'MAXIMUS_TLS_MIN_VERSION'],
    [{ MAXIMUS_JWT_EXTERNAL_JWKS_URL: 'https://idp/jwks' }, 'MAXIMUS_JWT_EXTERNAL_ISSUER'],
    [{ MAXIMUS_AUTH: 'maybe' }, 'MAXIMUS_AUTH'],
  ])('refuses an inconsistent security setting %j, naming %s', (env, name) => {
    expect(() => loadConfig(env)).toThrow(expect.objectContaining({ code: 'KIT_ERR_CONFIG_INVALID', message: expect.stringContaining(name) }));
  });

  it('reads the query provider: the model it needs, its key (with the provider\'s own variable as fallback), a base URL', () => {
    expect(loadConfig({ MAXIMUS_LLM_PROVIDER: 'openai', MAXIMUS_LLM_MODEL: 'llama3', MAXIMUS_LLM_BASE_URL: 'http://127.0.0.1:11434/v1' }).llm).toMatchObject({
      provider: 'openai',
      model: 'llama3',
      baseUrl: 'http://127.0.0.1:11434/v1',
      apiKey: undefined,
    });
    expect(loadConfig({ MAXIMUS_LLM_PROVIDER: 'anthropic', MAXIMUS_LLM_MODEL: 'm', ANTHROPIC_API_KEY: 'k1' }).llm.apiKey).toBe('k1');
    expect(loadConfig({ MAXIMUS_LLM_PROVIDER: 'anthropic', MAXIMUS_LLM_MODEL: 'm', ANTHROPIC_API_KEY: 'k1', MAXIMUS_LLM_API_KEY: 'k2' }).llm.apiKey).toBe('k2');
    expect(loadConfig({ OPENAI_API_KEY: 'k3' }).llm.apiKey).toBeUndefined();
    expect(() => loadConfig({ MAXIMUS_LLM_PROVIDER: 'gpt' })).toThrow(/MAXIMUS_LLM_PROVIDER/);
    expect(() => loadConfig({ MAXIMUS_LLM_PROVIDER: 'openai' })).toThrow(/MAXIMUS_LLM_MODEL/);
    expect(() => loadConfig({ MAXIMUS_LLM_PROVIDER: 'anthropic', MAXIMUS_LLM_MODEL: 'm' })).toThrow(/MAXIMUS_LLM_API_KEY/);
    expect(() => loadConfig({ MAXIMUS_LLM_BASE_URL: 'ftp://x' })).toThrow(/MAXIMUS_LLM_BASE_URL/);
  });

  it('reads set values', () => {
    const config = loadConfig({
      MAXIMUS_DATA_DIR: '/var/lib/maximus',
      MAXIMUS_PORT: '9000',
      MAXIMUS_LOG_LEVEL: 'debug',
      DATABASE_URL: 'postgresql://app:pw@db:5432/maximus',
      REDIS_URL: 'rediss://cache:6380',
      NATS_URL: 'nats://bus:4222',
      MAXIMUS_DB_POOL_MAX: '25',
      MAXIMUS_OUTBOX_RETENTION_HOURS: '0',
      MAXIMUS_CORE_URL: 'https://core.internal:8443',
    });
    expect(config).toMatchObject({
      dataDir: '/var/lib/maximus',
      port: 9000,
      logLevel: 'debug',
      databaseUrl: 'postgresql://app:pw@db:5432/maximus',
      redisUrl: 'rediss://cache:6380',
      natsUrl: 'nats://bus:4222',
      db: { poolMax: 25 },
      outbox: { retentionHours: 0 },
      serviceUrls: { core: 'https://core.internal:8443' },
    });
  });

  it.each([
    ['MAXIMUS_PORT', '70000'],
    ['MAXIMUS_PORT', '-1'],
    ['MAXIMUS_PORT', ' '], // Number(' ') is 0: a random port, silently
    ['MAXIMUS_PORT', '80 80'],
    ['DATABASE_URL', 'mysql://x'],
    ['DATABASE_URL', 'not a url'],
    ['REDIS_URL', 'http://cache:6379'],
    ['NATS_URL', 'redis://bus'],
    ['MAXIMUS_CORE_URL', 'ftp://core'],
    ['MAXIMUS_LOG_LEVEL', 'loud'],
    ['MAXIMUS_DB_POOL_MAX', '2.5'],
    ['MAXIMUS_DB_POOL_MAX', '0'],
    ['MAXIMUS_DB_ACQUIRE_TIMEOUT_MS', 'five seconds'],
    ['MAXIMUS_DB_STATEMENT_TIMEOUT_MS', '1e3'],
    ['MAXIMUS_OUTBOX_POLL_MS', '0x10'],
    ['MAXIMUS_BUS_MAX_DELIVER', '12abc'],
  ])('refuses %s=%j with KIT_ERR_CONFIG_INVALID naming the variable', (name, value) => {
    const error = configError({ [name]: value });
    expect(error.code).toBe('KIT_ERR_CONFIG_INVALID');
    expect(error.message).toContain(name);
  });

  it('does not echo a secret URL into the error', () => {
    const error = configError({ DATABASE_URL: 'mysql://admin:Sw0rdfish!@db/x' });
    expect(error.code).toBe('KIT_ERR_CONFIG_INVALID');
    expect(error.message).not.toContain('Sw0rdfish');
  });
});

describe('docs/configuration.md', () => {
  const doc = readFileSync(new URL('../../../../docs/configuration.md', import.meta.url), 'utf8');
  /** `| \`NAME\` | default | description |` rows of the table. */
  const table = doc
    .split('\n')
    .map((line) => /^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|\s*(.*?)\s*\|(.*)\|\s*$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map(([row = '', name = '', defaultCell = '']) => ({ row, name, defaultCell }));

  it('is the configuration page and says the three URLs choose the modes independently', () => {
    expect(doc.startsWith('# Configuration\n')).toBe(true);
    const intro = doc.slice(0, doc.indexOf('\n|'));
    for (const name of ['DATABASE_URL', 'REDIS_URL', 'NATS_URL']) expect(intro).toContain(name);
    expect(intro).toMatch(/embedded/i);
    expect(intro).toMatch(/connected/i);
  });

  it('lists every variable in ENV_VARS with its default', () => {
    expect(new Set(ENV_VARS.map((v) => v.name)).size).toBe(ENV_VARS.length);
    for (const spec of ENV_VARS) {
      const rows = table.filter((r) => r.name === spec.name);
      expect(rows, `${spec.name} in the table`).toHaveLength(1);
      expect(rows[0]?.defaultCell, `${spec.name}'s default`).toBe(spec.default === undefined ? 'unset' : `\`${spec.default}\``);
    }
  });

  it('names no MAXIMUS_* or *_URL variable in its table that ENV_VARS lacks', () => {
    const known = new Set(ENV_VARS.map((v) => v.name));
    expect(table.length).toBeGreaterThan(0);
    for (const { name } of table) expect(known, `row ${name}`).toContain(name);
    const mentioned = new Set(table.flatMap(({ row }) => row.match(/\b(?:MAXIMUS_[A-Z0-9_]+|[A-Z][A-Z0-9_]*_URL)\b/g) ?? []));
    for (const name of mentioned) expect(known, `${name} mentioned in the table`).toContain(name);
  });
});
