import { defineService, packageVersion } from '@maximus/kit/service';
import { loadMigrations } from '@maximus/kit/migrations';

/** The adw service. Its API arrives with its own issue; until then it serves the operational routes. */
export const service = defineService({
  name: 'adw',
  version: packageVersion(import.meta.url),
  summary: 'adversarial defense: input screening, threats, mitigations',
  migrations: loadMigrations(new URL('../migrations', import.meta.url)),
});
