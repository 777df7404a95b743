import type { ArousalAdjustParams, ArousalAdjusted, ArousalState, ConsciousnessState, EsgtEvent, EsgtEventList, EsgtEventListQuery, EsgtTriggerParams, Principal, SafetyViolation, TigGraph, TigMetrics } from '@maximus/contracts';
import { randomUUID } from 'node:crypto';
import { Counter, Gauge } from 'prom-client';
import { createLeaderElection } from '@maximus/kit/leader';
import type { ServiceContext } from '@maximus/kit/service';
import type { SafetyState } from '../safety/state.js';
import { Compute, defaultWorker } from './compute.js';
import { resolveConsciousnessOptions, type ConsciousnessOptions, type ResolvedConsciousnessOptions } from './config.js';
import type { Deps } from './deps.js';
import { levelOf } from './domain/arousal.js';
import { salienceThreshold } from './domain/gates.js';
import { assemblyOf, loadAt, recruit } from './domain/health.js';
import { linkSummary } from './domain/links.js';
import { countStates, createFabric, exportGraph, liveGraph, nodeView, type NodeView } from './fabric.js';
import { ignite } from './ignite.js';
import { Loops, modulationView } from './loops.js';
import { createStore } from './store.js';

const iso = (t: Date | string | number) => new Date(t).toISOString();
const RECENT_WINDOW_S = 60;

/**
 * The consciousness model of one core process: the TIG fabric, arousal, ignitions and the safety monitor.
 * Reads work on every replica from the shared state; the loops run on the leader only.
 */
export class ConsciousnessRuntime {
  readonly options: ResolvedConsciousnessOptions;
  readonly #deps: Deps;
  readonly #loops: Loops;
  #metricsCache: { key: string; value: Promise<TigMetrics> } | undefined;
  #started = false;

  constructor(ctx: ServiceContext, safety: () => SafetyState, overrides: ConsciousnessOptions = {}) {
    const options = resolveConsciousnessOptions(overrides);
    this.options = options;
    const fabric = createFabric({ n: options.fabric.nodes, m: options.fabric.m, triadicP: options.fabric.triadicP, seed: options.fabric.seed });
    const store = createStore(ctx.db);
    const ref: { loops?: Loops } = {};
    const election = createLeaderElection({
      db: ctx.db,
      databaseUrl: ctx.config.databaseUrl,
      key: 'core:consciousness',
      pollMs: options.leaderPollMs,
      log: ctx.log,
      onChange: (leader) => {
        if (!leader) return ref.loops?.follow();
        ref.loops?.lead().catch((error: unknown) => ctx.log.warn({ err: error }, 'consciousness: taking the lead failed; the next tick retries'));
      },
    });
    this.#deps = {
      ctx,
      options,
      fabric,
      store,
      compute: new Compute(overrides.worker ?? defaultWorker()),
      election,
      safety,
      arousalGauge: new Gauge({ name: 'maximus_consciousness_arousal_level', help: 'Arousal of the consciousness model, in [0, 1]', registers: [ctx.metrics.registry] }),
      triggers: new Counter({ name: 'maximus_esgt_triggers_total', help: 'ESGT ignition attempts, by outcome', labelNames: ['outcome'], registers: [ctx.metrics.registry] }),
      now: () => Date.now(),
      snapshotState: () => this.state(),
    };
    this.#loops = ref.loops = new Loops(this.#deps);
  }

  /** Whether this replica runs the loops. */
  isLeader(): boolean {
    return this.#deps.election.isLeader();
  }

  get replica(): string {
    return this.#deps.election.replica;
  }

  /** Starts the reporter, the leader election and (while leading) the loops. */
  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    this.#deps.election.start();
    await this.#loops.start();
    // The leader's first arousal step now rather than a tick later: `arousal` shows its contributions from the start.
    if (this.#deps.election.isLeader()) await this.#loops.tick();
    // Warm both workers up (and the metrics cache) once the service is ready: no request pays for a thread start.
    const warmUp = [
      this.tigMetrics(),
      this.#deps.compute.ignite({ op: 'ignite', assembly: assemblyOf(this.#deps.fabric, [0, 1]), salience: 1, seed: 0, params: { ...this.options.ignition, syncBudgetMs: 1, broadcastMs: 0, sustainMs: 0, dissolveMs: 0 } }),
    ];
    void Promise.all(warmUp).catch((error: unknown) => this.#deps.ctx.log.warn({ err: error }, 'consciousness: warm-up failed'));
  }

  async stop(): Promise<void> {
    await this.#loops.stop();
    await this.#deps.election.stop();
    await this.#deps.compute.close();
    this.#started = false;
  }

  /** The leader's passes, run now (tests drive the model without waiting for timers). */
  readonly run = {
    tick: () => this.#loops.tick(),
    health: () => this.#loops.health(),
    report: () => this.#loops.report(),
  };

  async #view(): Promise<NodeView> {
    const { store, options, fabric } = this.#deps;
    const [rows, gate] = await Promise.all([store.nodes(), store.gate()]);
    return nodeView(fabric.n, rows, gate, (load, at, now) => loadAt(load, at, now, options.health));
  }

  async arousal(): Promise<ArousalState> {
    const { store, options } = this.#deps;
    const now = this.#deps.now();
    const state = await store.state();
    const modulations = (await store.activeModulations(new Date(now))).map((m) => modulationView(m, now));
    const detail = state.arousal_detail as ArousalState | null;
    const value = state.arousal;
    return {
      value,
      level: levelOf(value),
      baseline: options.arousal.baseline,
      target: detail?.target ?? value,
      contributions: detail?.contributions ?? [],
      modulations,
      esgt_threshold: salienceThreshold(value, options.threshold),
      updated_at: state.heartbeat_at ? iso(state.heartbeat_at) : null,
    };
  }

  /**
   * A modulation: `delta` decaying linearly to 0 over `duration_seconds`. Refused while the kill switch holds.
   * @throws CORE_ERR_SAFETY_SHUT_DOWN (503)
   */
  async adjust(params: ArousalAdjustParams, principal: Principal | undefined): Promise<ArousalAdjusted> {
    const safety = this.#deps.safety();
    await safety.refresh();
    safety.assertRunning();
    const now = this.#deps.now();
    const createdBy = principal?.id ?? 'anonymous';
    const row = await this.#deps.ctx.outbox.transaction(async (tx, emit) => {
      const m = await this.#deps.store.insertModulation(tx, { id: randomUUID(), delta: params.delta, durationSeconds: params.duration_seconds, source: params.source, createdBy, startsAt: new Date(now) });
      await emit('consciousness.arousal.modulated', modulationView(m, now));
      return m;
    });
    return { modulation: modulationView(row, now), arousal: await this.arousal() };
  }

  trigger(params: EsgtTriggerParams, principal: Principal | undefined): Promise<EsgtEvent> {
    return ignite(this.#deps, params, principal);
  }

  events(query: EsgtEventListQuery): Promise<EsgtEventList> {
    return this.#deps.store.listEvents(query);
  }

  event(id: string): Promise<EsgtEvent | null> {
    return this.#deps.store.event(id);
  }

  violations(): Promise<SafetyViolation[]> {
    return this.#deps.store.violations();
  }

  async graph(): Promise<TigGraph> {
    const { fabric, options } = this.#deps;
    const view = await this.#view();
    return exportGraph(fabric, liveGraph(fabric, view), view, options.fabric.seed);
  }

  /** The metrics of the live graph, computed in the metrics worker and kept until a node changes state. */
  async tigMetrics(): Promise<TigMetrics> {
    const { fabric, options, store } = this.#deps;
    const [view, state] = await Promise.all([this.#view(), store.state()]);
    const live = liveGraph(fabric, view);
    const degraded: number[] = [];
    const offline: number[] = [];
    for (let v = 0; v < fabric.n; v++) {
      if (view.health(v) === 'degraded') degraded.push(v);
      else if (view.health(v) === 'offline') offline.push(v);
    }
    const key = `${offline.join(',')}|${degraded.join(',')}`;
    const nodesByState = countStates(fabric.n, view);
    if (this.#metricsCache?.key !== key) {
      const flat = new Int32Array(live.edges.length * 2);
      live.edges.forEach(([u, v], i) => {
        flat[2 * i] = u;
        flat[2 * i + 1] = v;
      });
      const lastUpdate = iso(state.graph_changed_at);
      const value = this.#deps.compute.metrics({ op: 'metrics', n: fabric.n, edges: flat, denseEigenMax: options.denseEigenMax }).then((m): TigMetrics => {
        const connected = m.components === 1;
        const links = linkSummary(exportGraph(fabric, live, view, options.fabric.seed).edges);
        return {
          node_count: m.node_count,
          edge_count: m.edge_count,
          density: m.density,
          avg_clustering_coefficient: m.avg_clustering_coefficient,
          avg_path_length: m.avg_path_length,
          path_length_policy: {
            connected,
            components: m.components,
            measured_nodes: m.largest_component_size,
            description: connected
              ? 'the graph is connected: the average over all ordered pairs of nodes'
              : `the graph is disconnected (${m.components} components, isolated nodes count as components): the average over the largest component (${m.largest_component_size} nodes), as networkx.average_shortest_path_length on that component`,
          },
          algebraic_connectivity: m.algebraic_connectivity,
          effective_connectivity_index: m.effective_connectivity_index,
          has_feed_forward_bottlenecks: m.bottleneck_locations.length > 0,
          bottleneck_locations: m.bottleneck_locations,
          min_path_redundancy: m.min_path_redundancy,
          ...links,
          nodes_by_state: nodesByState,
          fabric: { nodes: options.fabric.nodes, m: options.fabric.m, triadic_p: options.fabric.triadicP, seed: options.fabric.seed },
          eigen_method: m.eigen_method,
          computed_in_ms: Math.round(m.wall_ms * 1000) / 1000,
          last_update: lastUpdate,
        };
      });
      this.#metricsCache = { key, value };
      value.catch(() => {
        if (this.#metricsCache?.value === value) this.#metricsCache = undefined;
      });
    }
    // esgt_mode comes and goes with ignitions without changing the graph: counted fresh on every read.
    return { ...(await this.#metricsCache.value), nodes_by_state: nodesByState };
  }

  async state(): Promise<ConsciousnessState> {
    const deps = this.#deps;
    const { store, options, fabric } = deps;
    const now = deps.now();
    const [state, gate, view, recent, last, violations] = await Promise.all([
      store.state(),
      store.gate(),
      this.#view(),
      store.attemptsSince(new Date(now - RECENT_WINDOW_S * 1000)),
      store.lastEvent(),
      store.violations(0),
    ]);
    const safety = deps.safety();
    const shutDown = safety.isShutDown();
    const live = liveGraph(fabric, view);
    const healthy = recruit(fabric, (v) => view.health(v) === 'active', () => 0, 0).component;
    const heartbeat = state.heartbeat_at ? new Date(state.heartbeat_at).getTime() : null;
    const stale = heartbeat === null || now - heartbeat > Math.max(5000, 5 * options.tickMs);
    const active = violations.filter((v) => v.active);
    const reasons: string[] = [];
    if (shutDown) reasons.push('the emergency shutdown is in force');
    if (stale) reasons.push(heartbeat === null ? 'the simulation loop has not run yet' : `the simulation loop last ran ${Math.round((now - heartbeat) / 1000)} s ago`);
    for (const v of active) reasons.push(`safety violation: ${v.kind} (${v.detail})`);
    return {
      arousal: {
        value: state.arousal,
        level: levelOf(state.arousal),
        baseline: options.arousal.baseline,
        target: (state.arousal_detail as ArousalState | null)?.target ?? state.arousal,
        esgt_threshold: salienceThreshold(state.arousal, options.threshold),
      },
      tig: { node_count: fabric.n, edge_count: live.edges.length, nodes_by_state: countStates(fabric.n, view), healthy_component: healthy },
      esgt: {
        active: gate.active_id !== null,
        active_id: gate.active_id,
        last,
        recent: { window_seconds: RECENT_WINDOW_S, ...recent },
      },
      health: {
        status: shutDown ? 'down' : reasons.length ? 'degraded' : 'healthy',
        reasons,
        leader: state.leader && state.leader_since ? { replica: state.leader, since: iso(state.leader_since), this_replica: state.leader === deps.election.replica && deps.election.isLeader(), heartbeat_at: heartbeat === null ? null : iso(heartbeat) } : null,
        active_violations: active.length,
      },
      shut_down: shutDown,
      timestamp: iso(now),
    };
  }
}
