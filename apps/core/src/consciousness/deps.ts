import type { ConsciousnessState } from '@maximus/contracts';
import type { Counter, Gauge } from 'prom-client';
import type { LeaderElection } from '@maximus/kit/leader';
import type { ServiceContext } from '@maximus/kit/service';
import type { SafetyState } from '../safety/state.js';
import type { Compute } from './compute.js';
import type { ResolvedConsciousnessOptions } from './config.js';
import type { Graph } from './domain/graph.js';
import type { Store } from './store.js';

/** What the parts of the consciousness runtime share (one per core process). */
export interface Deps {
  readonly ctx: ServiceContext;
  readonly options: ResolvedConsciousnessOptions;
  readonly fabric: Graph;
  readonly store: Store;
  readonly compute: Compute;
  readonly election: LeaderElection;
  readonly safety: () => SafetyState;
  readonly arousalGauge: Gauge;
  readonly triggers: Counter<'outcome'>;
  readonly now: () => number;
  /** The state as `GET /consciousness/state` answers it (snapshots store it). */
  readonly snapshotState: () => Promise<ConsciousnessState>;
}
