import { defineService, packageVersion } from '@maximus/kit/service';
import { loadMigrations } from '@maximus/kit/migrations';

/** The hermes service. Its API arrives with its own issue; until then it serves the operational routes. */
export const service = defineService({
  name: 'hermes',
  version: packageVersion(import.meta.url),
  summary: 'event bus and service registry',
  migrations: loadMigrations(new URL('../migrations', import.meta.url)),
});
