import { defineService, packageVersion } from '@maximus/kit/service';
import { loadMigrations } from '@maximus/kit/migrations';
import { existingSpiritualRuntime, spiritualRoutes, spiritualRuntime } from './spiritual/index.js';

/** The penelope service: fruits and virtues from measured signals (healing arrives with its own part of the issue). */
export const service = defineService({
  name: 'penelope',
  version: packageVersion(import.meta.url),
  summary: 'code healing; fruits and virtues from measured signals',
  migrations: loadMigrations(new URL('../migrations', import.meta.url)),
  async api(app, ctx) {
    await spiritualRoutes(app, spiritualRuntime(ctx));
  },
  async start(ctx) {
    await spiritualRuntime(ctx).start();
  },
  async stop(ctx) {
    await existingSpiritualRuntime(ctx)?.stop();
  },
});
