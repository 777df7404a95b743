import { defineService, packageVersion } from '@maximus/kit/service';
import { loadMigrations } from '@maximus/kit/migrations';

/** adw: adversarial defense: input screening, threats, mitigations. Its API arrives with its own issue; until then it serves the operational routes. */
export const service = defineService({
  name: 'adw',
  version: packageVersion(import.meta.url),
  migrations: loadMigrations(new URL('../migrations', import.meta.url)),
});
