import { defineService, packageVersion } from '@maximus/kit/service';
import { loadMigrations } from '@maximus/kit/migrations';

/** The eikos service. Its API arrives with its own issue; until then it serves the operational routes. */
export const service = defineService({
  name: 'eikos',
  version: packageVersion(import.meta.url),
  summary: 'evidence and forensics: the append-only Merkle ledger (RFC 6962)',
  migrations: loadMigrations(new URL('../migrations', import.meta.url)),
});
