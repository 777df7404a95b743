import { defineService, packageVersion } from '@maximus/kit/service';
import { loadMigrations } from '@maximus/kit/migrations';

/** The thoth service. Its API arrives with its own issue; until then it serves the operational routes. */
export const service = defineService({
  name: 'thoth',
  version: packageVersion(import.meta.url),
  summary: 'knowledge graph: entities, relations, inference',
  migrations: loadMigrations(new URL('../migrations', import.meta.url)),
});
