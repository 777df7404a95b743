import { defineService, packageVersion, type ServiceContext } from '@maximus/kit/service';
import { loadMigrations } from '@maximus/kit/migrations';
import type { Subscription } from '@maximus/kit/bus';
import { ledgerOf } from './ledger/index.js';
import { subscribeEvidence } from './ingest.js';
import { auditRoutes } from './routes/audit/index.js';
import { evidenceRoutes } from './routes/evidence/index.js';
import { forensicsRoutes } from './routes/forensics/index.js';
import { ledgerRoutes } from './routes/ledger/index.js';

const subscriptions = new WeakMap<ServiceContext, Subscription[]>();

/** The eikos service: the append-only Merkle ledger (RFC 6962) with signed tree heads, fed by the API and the bus. */
export const service = defineService({
  name: 'eikos',
  version: packageVersion(import.meta.url),
  summary: 'evidence and forensics: the append-only Merkle ledger (RFC 6962)',
  migrations: loadMigrations(new URL('../migrations', import.meta.url)),
  // penelope's faithfulness checks read the signed root and verify its consistency with the last root it trusted.
  internalRoutes: [
    { method: 'GET', path: '/api/v1/ledger/root', callers: ['penelope'] },
    { method: 'GET', path: '/api/v1/ledger/public-key', callers: ['penelope'] },
    { method: 'GET', path: '/api/v1/ledger/consistency', callers: ['penelope'] },
  ],
  async api(app, ctx) {
    const ledger = await ledgerOf(ctx);
    await evidenceRoutes(app, ledger);
    await ledgerRoutes(app, ledger);
    await auditRoutes(app, ledger);
    await forensicsRoutes(app, ledger);
  },
  async start(ctx) {
    const ledger = await ledgerOf(ctx);
    ledger.heads.start();
    subscriptions.set(ctx, await subscribeEvidence(ctx, ledger));
  },
  async stop(ctx) {
    for (const subscription of subscriptions.get(ctx) ?? []) await subscription.unsubscribe();
    subscriptions.delete(ctx);
    const ledger = await ledgerOf(ctx);
    await ledger.heads.stop();
    await ledger.store.flush();
  },
});
