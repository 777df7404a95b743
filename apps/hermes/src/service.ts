import { defineService, packageVersion } from '@maximus/kit/service';
import { loadMigrations } from '@maximus/kit/migrations';

/** hermes: event bus and service registry. Its API arrives with its own issue; until then it serves the operational routes. */
export const service = defineService({
  name: 'hermes',
  version: packageVersion(import.meta.url),
  migrations: loadMigrations(new URL('../migrations', import.meta.url)),
});
