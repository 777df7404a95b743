import { defineService, packageVersion, type ServiceDefinition } from '@maximus/kit/service';
import { loadMigrations } from '@maximus/kit/migrations';
import type { HealingOptions } from './healing/config.js';
import { healingRoutes } from './healing/routes.js';
import { existingHealing, healingRuntime } from './healing/runtime.js';
import { wisdomRoutes } from './wisdom/routes.js';

export type PenelopeServiceOptions = HealingOptions;

/**
 * The penelope service, with healing options (tests pass a `clock`, `sabbath`, `workspaces`). `maximus up` and
 * `serve penelope` use {@link service}, built from the environment.
 */
export function createPenelopeService(options: PenelopeServiceOptions = {}): ServiceDefinition {
  return defineService({
    name: 'penelope',
    version: packageVersion(import.meta.url),
    summary: 'code healing; fruits and virtues from measured signals',
    migrations: loadMigrations(new URL('../migrations', import.meta.url)),
    async api(app, ctx) {
      const healing = healingRuntime(ctx, options);
      await healingRoutes(app, healing);
      await wisdomRoutes(app, healing);
    },
    // The analysers warm up here, after the service reports ready.
    start: (ctx) => healingRuntime(ctx, options).start(),
    stop: (ctx) => existingHealing(ctx)?.stop(),
  });
}

/** The penelope service. */
export const service = createPenelopeService();
