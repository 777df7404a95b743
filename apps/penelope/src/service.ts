import { defineService, packageVersion, type ServiceDefinition } from '@maximus/kit/service';
import { loadMigrations } from '@maximus/kit/migrations';
import type { HealingOptions } from './healing/config.js';
import { healingRoutes } from './healing/routes.js';
import { existingHealing, healingRuntime } from './healing/runtime.js';
import { existingSpiritualRuntime, spiritualRoutes, spiritualRuntime } from './spiritual/index.js';
import { wisdomRoutes } from './wisdom/routes.js';

export type PenelopeServiceOptions = HealingOptions;

/**
 * The penelope service: code healing (tests pass healing options: a `clock`, `sabbath`, `workspaces`) and fruits and
 * virtues from measured signals. `maximus up` and `serve penelope` use {@link service}, built from the environment.
 */
export function createPenelopeService(options: PenelopeServiceOptions = {}): ServiceDefinition {
  return defineService({
    name: 'penelope',
    version: packageVersion(import.meta.url),
    summary: 'code healing; fruits and virtues from measured signals',
    migrations: loadMigrations(new URL('../migrations', import.meta.url)),
    // core's query tool diagnose_code diagnoses code for the user who asked.
    internalRoutes: [{ method: 'POST', path: '/api/v1/healing/diagnose', callers: ['core'] }],
    async api(app, ctx) {
      const healing = healingRuntime(ctx, options);
      await healingRoutes(app, healing);
      await wisdomRoutes(app, healing);
      await spiritualRoutes(app, spiritualRuntime(ctx));
    },
    // The analysers warm up here, after the service reports ready.
    async start(ctx) {
      await healingRuntime(ctx, options).start();
      await spiritualRuntime(ctx).start();
    },
    async stop(ctx) {
      await existingSpiritualRuntime(ctx)?.stop();
      await existingHealing(ctx)?.stop();
    },
  });
}

/** The penelope service. */
export const service = createPenelopeService();
