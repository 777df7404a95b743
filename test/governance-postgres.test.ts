import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Decision, DecisionDetail, Principal } from '@maximus/contracts';
import { loadConfig } from '@maximus/kit/config';
import { createPlatform, type Platform } from '@maximus/kit/platform';
import { createServer, prepareService, servicePlugin, type PreparedService } from '@maximus/kit/service';
import { createCoreService } from '@maximus/core';
import { freshPostgresUrl, silentLog, TEST_DATABASE_URL } from './helpers.js';

const LOW = { threat: 0.1, asset: 0.1, business: 0.1, action: 0.1, compliance: 0.1, environment: 0.1 };
const CRITICAL = { threat: 0.9, asset: 0.9, business: 0.9, action: 0.9, compliance: 0.9, environment: 0.9 };

interface CoreProcess {
  app: FastifyInstance;
  platform: Platform;
  core: PreparedService;
}

/** One core "process": its own platform (its own PostgreSQL pool) on the shared database; the principal comes from a test header. */
async function coreProcess(url: string): Promise<CoreProcess> {
  const config = loadConfig({ DATABASE_URL: url, MAXIMUS_SECRET: 'a shared test secret of the platform' });
  const platform = await createPlatform({ config, log: silentLog });
  const core = await prepareService(createCoreService({ tickMs: 50 }), platform);
  const app = createServer({ log: silentLog, accessLog: false });
  app.addHook('onRequest', (request, _reply, done) => {
    const as = request.headers['x-test-principal'];
    if (typeof as === 'string') request.principal = JSON.parse(as) as Principal;
    done();
  });
  await app.register(servicePlugin(core.definition, core.ctx), { prefix: '/core' });
  await app.ready();
  await core.start();
  return { app, platform, core };
}

const who = (id: string, role: Principal['role']): Record<string, string> => ({ 'x-test-principal': JSON.stringify({ id, kind: 'user', role, via: 'api_key' }) });

describe.skipIf(!TEST_DATABASE_URL)('governance on PostgreSQL: two core processes', () => {
  let database: { url: string; drop: () => Promise<void> };
  let a: CoreProcess;
  let b: CoreProcess;
  beforeAll(async () => {
    database = await freshPostgresUrl();
    [a, b] = await Promise.all([coreProcess(database.url), coreProcess(database.url)]);
  });
  afterAll(async () => {
    for (const p of [a, b]) {
      if (!p) continue;
      await p.app.close();
      await p.core.stop();
      await p.platform.close();
    }
    await database?.drop();
  });

  const propose = async (risk: typeof LOW) => {
    const res = await a.app.inject({ method: 'POST', url: '/core/api/v1/governance/decisions', headers: who('user:proposer', 'operator'), payload: { action_type: 'run_scan', params: { targets: ['127.0.0.1'] }, reasoning: 'race', confidence: 0.5, risk_factors: risk } });
    expect(res.statusCode, res.body).toBe(201);
    return res.json<Decision>();
  };
  const approve = (p: CoreProcess, id: string, as: Record<string, string>) => p.app.inject({ method: 'POST', url: `/core/api/v1/governance/decisions/${id}/approve`, headers: as, payload: {} });

  it('two approvals racing on a LOW decision: exactly one approved transition, the other 409', async () => {
    for (let round = 0; round < 5; round++) {
      const d = await propose(LOW);
      const results = await Promise.all([approve(a, d.id, who('user:op-a', 'operator')), approve(b, d.id, who('user:op-b', 'operator'))]);
      expect(results.map((r) => r.statusCode).sort()).toEqual([200, 409]);
      const detail = (await b.app.inject({ method: 'GET', url: `/core/api/v1/governance/decisions/${d.id}`, headers: who('user:r', 'readonly') })).json<DecisionDetail>();
      expect(detail.transitions.filter((t) => t.kind === 'approved')).toHaveLength(1);
      expect(detail.approvals).toHaveLength(1);
    }
  });

  it('CRITICAL across processes: approved only after two distinct admins; a repeated vote is 409', async () => {
    const d = await propose(CRITICAL);
    const first = await approve(a, d.id, who('user:admin-1', 'admin'));
    expect(first.json()).toMatchObject({ status: 'pending', approvals_received: 1 });
    expect((await approve(b, d.id, who('user:admin-1', 'admin'))).statusCode).toBe(409);
    expect((await approve(b, d.id, who('user:op', 'operator'))).statusCode).toBe(403);
    const second = await approve(b, d.id, who('user:admin-2', 'admin'));
    expect(second.statusCode).toBe(200);
    expect(['executing', 'failed']).toContain(second.json<Decision>().status);
  });
});
