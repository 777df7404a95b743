import { defineService, packageVersion } from '@maximus/kit/service';
import { loadMigrations } from '@maximus/kit/migrations';

/** The penelope service. Its API arrives with its own issue; until then it serves the operational routes. */
export const service = defineService({
  name: 'penelope',
  version: packageVersion(import.meta.url),
  summary: 'code healing; fruits and virtues from measured signals',
  migrations: loadMigrations(new URL('../migrations', import.meta.url)),
});
