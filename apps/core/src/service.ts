import { defineService, packageVersion, type ServiceContext, type ServiceDefinition } from '@maximus/kit/service';
import { loadMigrations } from '@maximus/kit/migrations';
import { governanceRoutes } from './governance/routes.js';
import { existingRuntime, governanceRuntime, type GovernanceOptions, type GovernanceRuntime } from './governance/runtime.js';
import { safetyRoutes } from './safety/routes.js';
import { PROPOSE_FIX_ROUTE, queryRoutes, TOOL_INTERNAL_ROUTES, type QueryPlugs } from './query/index.js';
import { consciousnessRoutes, consciousnessRuntime, existingConsciousness, type ConsciousnessOptions, type ConsciousnessRuntime } from './consciousness/index.js';

export type CoreServiceOptions = GovernanceOptions & {
  /** The query pipeline's plugs (ADW screening, THOTH context); pass-throughs by default. */
  query?: QueryPlugs;
  /** The consciousness model's settings over the environment's (tests: small graphs, short ticks). */
  consciousness?: ConsciousnessOptions;
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
      const consciousness = consciousnessRuntime(ctx, () => runtime.safety, options.consciousness);
      await governanceRoutes(app, runtime);
      await safetyRoutes(app, runtime, ctx.outbox, () => consciousness.violations());
      await consciousnessRoutes(app, consciousness, ctx.db);
      await queryRoutes(app, ctx, options.query);
    },
    // The query tools call core's own routes through the gateway, as `service:core`; PENELOPE proposes apply_patch
    // decisions for the user who asked to apply a patch, and asks the model for its patches (a route for it alone).
    internalRoutes: [...TOOL_INTERNAL_ROUTES, { method: 'POST', path: '/api/v1/governance/decisions', callers: ['penelope'] }, PROPOSE_FIX_ROUTE],
    async start(ctx) {
      const runtime = governanceRuntime(ctx, options);
      await runtime.start();
      await consciousnessRuntime(ctx, () => runtime.safety, options.consciousness).start();
    },
    async stop(ctx) {
      await existingConsciousness(ctx)?.stop();
      await existingRuntime(ctx)?.stop();
    },
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

/**
 * The consciousness model of a prepared core service (state, arousal, TIG, ignitions), e.g. for the query pipeline's
 * "consciousness state" tool: `consciousnessOf(ctx).state()`.
 * @throws Error when core's routes or start have not created it yet
 */
export function consciousnessOf(ctx: ServiceContext): ConsciousnessRuntime {
  const runtime = existingConsciousness(ctx);
  if (!runtime) throw new Error('core consciousness is not initialised for this context (build or start the service first)');
  return runtime;
}
