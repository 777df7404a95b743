import { defineService, packageVersion, type ServiceContext, type ServiceDefinition } from '@maximus/kit/service';
import { loadMigrations } from '@maximus/kit/migrations';
import { governanceRoutes } from './governance/routes.js';
import { existingRuntime, governanceRuntime, type GovernanceOptions, type GovernanceRuntime } from './governance/runtime.js';
import { safetyRoutes } from './safety/routes.js';
import { queryRoutes, TOOL_INTERNAL_ROUTES, type QueryPlugs } from './query/index.js';

export type CoreServiceOptions = GovernanceOptions & {
  /** The query pipeline's plugs (ADW screening, THOTH context); pass-throughs by default. */
  query?: QueryPlugs;
};

/**
 * The core service, with governance options (tests pass a controllable `clock`, a short `tickMs` and
 * `overrideWindowMs`). `maximus up` and `serve core` use {@link service}, built with the defaults.
 */
export function createCoreService(options: CoreServiceOptions = {}): ServiceDefinition {
  return defineService({
    name: 'core',
    version: packageVersion(import.meta.url),
    summary: 'queries, consciousness model and governance (human in the loop)',
    migrations: loadMigrations(new URL('../migrations', import.meta.url)),
    async api(app, ctx) {
      const runtime = governanceRuntime(ctx, options);
      await governanceRoutes(app, runtime);
      await safetyRoutes(app, runtime, ctx.outbox);
      await queryRoutes(app, ctx, options.query);
    },
    // The query tools call core's own routes through the gateway, as `service:core`.
    internalRoutes: [...TOOL_INTERNAL_ROUTES],
    start: (ctx) => governanceRuntime(ctx, options).start(),
    stop: (ctx) => existingRuntime(ctx)?.stop(),
  });
}

/** The core service. */
export const service = createCoreService();

/**
 * Governance of a prepared core service (its engine, queries and kill-switch state).
 * @throws Error when core's routes or start have not created it yet
 */
export function governanceOf(ctx: ServiceContext): GovernanceRuntime {
  const runtime = existingRuntime(ctx);
  if (!runtime) throw new Error('core governance is not initialised for this context (build or start the service first)');
  return runtime;
}

/** True while the emergency shutdown holds: the consciousness routes refuse ignitions and modulations (`governanceOf(ctx).safety.assertRunning()`). */
export function isShutDown(ctx: ServiceContext): boolean {
  return existingRuntime(ctx)?.safety.isShutDown() ?? false;
}
