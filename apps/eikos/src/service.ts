import { defineService, packageVersion } from '@maximus/kit/service';
import { loadMigrations } from '@maximus/kit/migrations';

/** eikos: evidence and forensics: the append-only Merkle ledger (RFC 6962). Its API arrives with its own issue; until then it serves the operational routes. */
export const service = defineService({
  name: 'eikos',
  version: packageVersion(import.meta.url),
  migrations: loadMigrations(new URL('../migrations', import.meta.url)),
});
