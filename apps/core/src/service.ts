import { defineService, packageVersion } from '@maximus/kit/service';
import { loadMigrations } from '@maximus/kit/migrations';

/** The core service. Its API arrives with its own issue; until then it serves the operational routes. */
export const service = defineService({
  name: 'core',
  version: packageVersion(import.meta.url),
  summary: 'queries, consciousness model and governance (human in the loop)',
  migrations: loadMigrations(new URL('../migrations', import.meta.url)),
});
