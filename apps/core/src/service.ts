import { defineService, packageVersion } from '@maximus/kit/service';
import { loadMigrations } from '@maximus/kit/migrations';

/** core: queries, consciousness model and governance (human in the loop). Its API arrives with its own issue; until then it serves the operational routes. */
export const service = defineService({
  name: 'core',
  version: packageVersion(import.meta.url),
  migrations: loadMigrations(new URL('../migrations', import.meta.url)),
});
