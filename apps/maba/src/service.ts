import { defineService, packageVersion } from '@maximus/kit/service';
import { loadMigrations } from '@maximus/kit/migrations';

/** The maba service. Its API arrives with its own issue; until then it serves the operational routes. */
export const service = defineService({
  name: 'maba',
  version: packageVersion(import.meta.url),
  summary: 'browser automation in headless Chromium',
  migrations: loadMigrations(new URL('../migrations', import.meta.url)),
});
