import { defineService, packageVersion } from '@maximus/kit/service';
import { loadMigrations } from '@maximus/kit/migrations';

/** The nis service. Its API arrives with its own issue; until then it serves the operational routes. */
export const service = defineService({
  name: 'nis',
  version: packageVersion(import.meta.url),
  summary: 'network intelligence: topology, scans, traffic anomalies',
  migrations: loadMigrations(new URL('../migrations', import.meta.url)),
});
