import type { ServiceContext } from '@maximus/kit/service';
import type { SafetyState } from '../safety/state.js';
import type { ConsciousnessOptions } from './config.js';
import { ConsciousnessRuntime } from './runtime.js';

export { consciousnessRoutes } from './routes.js';
export { ConsciousnessRuntime } from './runtime.js';
export type { ConsciousnessOptions, ResolvedConsciousnessOptions } from './config.js';

const runtimes = new WeakMap<ServiceContext, ConsciousnessRuntime>();

/** The consciousness runtime of a prepared core service (created on first use). */
export function consciousnessRuntime(ctx: ServiceContext, safety: () => SafetyState, options: ConsciousnessOptions = {}): ConsciousnessRuntime {
  let runtime = runtimes.get(ctx);
  if (!runtime) {
    runtime = new ConsciousnessRuntime(ctx, safety, options);
    runtimes.set(ctx, runtime);
  }
  return runtime;
}

export function existingConsciousness(ctx: ServiceContext): ConsciousnessRuntime | undefined {
  return runtimes.get(ctx);
}
