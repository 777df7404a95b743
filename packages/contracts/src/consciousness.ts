import Type from 'typebox';

const time = Type.String({ format: 'date-time' });
const nullableTime = Type.Union([time, Type.Null()]);
const nullableNumber = Type.Union([Type.Number(), Type.Null()]);
const unit = Type.Number({ minimum: 0, maximum: 1 });

/** A TIG node's state: `esgt_mode` while an ignition holds it; `offline` nodes are isolated (their links are cut). */
export const TigNodeState = Type.Union([Type.Literal('active'), Type.Literal('esgt_mode'), Type.Literal('degraded'), Type.Literal('offline')]);
export type TigNodeState = Type.Static<typeof TigNodeState>;

const byState = Type.Object({ active: Type.Integer(), esgt_mode: Type.Integer(), degraded: Type.Integer(), offline: Type.Integer() });

/**
 * `GET /consciousness/tig/graph`: the live fabric (every node; the links that carry traffic, i.e. not those of an
 * isolated node). `nx.Graph(); add_nodes_from(n['id'] …); add_edges_from((e['source'], e['target']) …)` rebuilds
 * the graph that `tig/metrics` describes.
 */
export const TigGraph = Type.Object({
  nodes: Type.Array(Type.Object({ id: Type.Integer(), state: TigNodeState })),
  edges: Type.Array(Type.Object({ source: Type.Integer(), target: Type.Integer(), latency_us: Type.Number(), bandwidth_gbps: Type.Number() })),
});
export type TigGraph = Type.Static<typeof TigGraph>;

/** `GET /consciousness/tig/metrics`: each figure as networkx computes it on the exported graph (docs/consciousness.md). */
export const TigMetrics = Type.Object({
  node_count: Type.Integer(),
  edge_count: Type.Integer(),
  density: Type.Number(),
  avg_clustering_coefficient: Type.Number(),
  avg_path_length: Type.Number(),
  /** How `avg_path_length` treats a disconnected graph. */
  path_length_policy: Type.Object({
    connected: Type.Boolean(),
    components: Type.Integer(),
    /** Nodes the average was taken over (the whole graph when connected, else its largest component). */
    measured_nodes: Type.Integer(),
    description: Type.String(),
  }),
  /** The Fiedler value: the second-smallest Laplacian eigenvalue (0 when disconnected). */
  algebraic_connectivity: Type.Number(),
  /** Global efficiency. */
  effective_connectivity_index: Type.Number(),
  has_feed_forward_bottlenecks: Type.Boolean(),
  /** Articulation points, ascending. */
  bottleneck_locations: Type.Array(Type.Integer()),
  /** Edge connectivity: the fewest links whose loss splits the fabric (0 when it is split). */
  min_path_redundancy: Type.Integer(),
  avg_latency_us: nullableNumber,
  max_latency_us: nullableNumber,
  total_bandwidth_gbps: Type.Number(),
  nodes_by_state: byState,
  /** The fabric's parameters. */
  fabric: Type.Object({ nodes: Type.Integer(), m: Type.Integer(), triadic_p: Type.Number(), seed: Type.Integer() }),
  eigen_method: Type.Union([Type.Literal('dense'), Type.Literal('lanczos'), Type.Literal('none')]),
  /** Wall time of the computation (in a worker thread). */
  computed_in_ms: Type.Number(),
  /** When the graph these figures describe last changed. */
  last_update: time,
});
export type TigMetrics = Type.Static<typeof TigMetrics>;

export const ArousalLevel = Type.Union([Type.Literal('sleep'), Type.Literal('drowsy'), Type.Literal('relaxed'), Type.Literal('alert'), Type.Literal('hyperalert')]);
export type ArousalLevel = Type.Static<typeof ArousalLevel>;

/** One term of the arousal target: a measured signal, its pressure in [0, 1], and what it adds (weight × pressure). */
export const ArousalContribution = Type.Object({
  name: Type.String(),
  /** The measured value (null: no data in the window yet) and its unit. */
  signal: nullableNumber,
  unit: Type.String(),
  pressure: Type.Number(),
  weight: Type.Number(),
  value: Type.Number(),
  description: Type.String(),
});
export type ArousalContribution = Type.Static<typeof ArousalContribution>;

export const ArousalModulation = Type.Object({
  id: Type.String(),
  delta: Type.Number(),
  duration_seconds: Type.Number(),
  source: Type.String(),
  created_by: Type.String(),
  starts_at: time,
  ends_at: time,
  /** What it adds now (its delta decaying linearly to 0 over its duration). */
  current: Type.Number(),
});
export type ArousalModulation = Type.Static<typeof ArousalModulation>;

/** `GET /consciousness/arousal`. */
export const ArousalState = Type.Object({
  value: unit,
  level: ArousalLevel,
  baseline: Type.Number(),
  /** Where the value is heading: baseline + contributions + modulations, in [0, 1]. */
  target: Type.Number(),
  contributions: Type.Array(ArousalContribution),
  modulations: Type.Array(ArousalModulation),
  /** The salience an ignition needs at this arousal. */
  esgt_threshold: Type.Number(),
  /** When the leader last integrated it (null: never yet). */
  updated_at: nullableTime,
});
export type ArousalState = Type.Static<typeof ArousalState>;

export const ArousalAdjustParams = Type.Object(
  {
    delta: Type.Number({ minimum: -0.5, maximum: 0.5 }),
    duration_seconds: Type.Number({ exclusiveMinimum: 0, maximum: 86_400 }),
    source: Type.String({ minLength: 1, maxLength: 200 }),
  },
  { additionalProperties: false },
);
export type ArousalAdjustParams = Type.Static<typeof ArousalAdjustParams>;

export const ArousalAdjusted = Type.Object({ modulation: ArousalModulation, arousal: ArousalState });
export type ArousalAdjusted = Type.Static<typeof ArousalAdjusted>;

export const EsgtTriggerParams = Type.Object(
  {
    novelty: unit,
    relevance: unit,
    urgency: unit,
    confidence: Type.Optional(Type.Number({ minimum: 0, maximum: 1, default: 1 })),
    context: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { additionalProperties: false },
);
export type EsgtTriggerParams = Type.Static<typeof EsgtTriggerParams>;

export const EsgtOutcome = Type.Union([Type.Literal('success'), Type.Literal('blocked'), Type.Literal('failed')]);
export type EsgtOutcome = Type.Static<typeof EsgtOutcome>;

export const EsgtGate = Type.Union([
  Type.Literal('kill_switch'),
  Type.Literal('salience'),
  Type.Literal('concurrency'),
  Type.Literal('refractory'),
  Type.Literal('frequency'),
  Type.Literal('healthy_nodes'),
]);
export type EsgtGate = Type.Static<typeof EsgtGate>;

export const EsgtPhase = Type.Object({
  name: Type.Union([Type.Literal('prepare'), Type.Literal('synchronize'), Type.Literal('broadcast'), Type.Literal('sustain'), Type.Literal('dissolve')]),
  simulated_ms: Type.Number(),
  wall_ms: Type.Number(),
  ran: Type.Boolean(),
});

export const EsgtCoherence = Type.Object({
  initial: Type.Number(),
  peak: Type.Number(),
  at_sync: Type.Number(),
  time_to_sync_ms: nullableNumber,
  broadcast_min: nullableNumber,
  sustain_mean: nullableNumber,
  final: Type.Number(),
  sample_interval_ms: Type.Number(),
  samples: Type.Array(Type.Number()),
});

/** One ignition attempt, whatever its outcome (`esgt_events` row; bus topic `consciousness.esgt.<outcome>`). */
export const EsgtEvent = Type.Object({
  id: Type.String(),
  outcome: EsgtOutcome,
  /** The gate that blocked it (null when every gate passed). */
  gate: Type.Union([EsgtGate, Type.Null()]),
  reason: Type.String(),
  salience: Type.Number(),
  stimulus: Type.Object({ novelty: Type.Number(), relevance: Type.Number(), urgency: Type.Number(), confidence: Type.Number() }),
  threshold: Type.Number(),
  gates: Type.Array(Type.Object({ gate: Type.String(), passed: Type.Boolean(), detail: Type.String() })),
  arousal_before: Type.Number(),
  arousal_after: nullableNumber,
  /** Recruited TIG nodes (empty when blocked). */
  nodes: Type.Array(Type.Integer()),
  node_count: Type.Integer(),
  coherence: Type.Union([EsgtCoherence, Type.Null()]),
  phases: Type.Array(EsgtPhase),
  /** The PRNG seed of the oscillators (the run replays from it). */
  seed: Type.Union([Type.Integer(), Type.Null()]),
  /** Simulated and wall time of the whole run. */
  simulated_ms: nullableNumber,
  wall_ms: nullableNumber,
  context: Type.Unknown(),
  triggered_by: Type.String(),
  started_at: time,
  finished_at: time,
});
export type EsgtEvent = Type.Static<typeof EsgtEvent>;

export const EsgtEventListQuery = Type.Object(
  {
    outcome: Type.Optional(EsgtOutcome),
    gate: Type.Optional(EsgtGate),
    since: Type.Optional(time),
    until: Type.Optional(time),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  },
  { additionalProperties: false },
);
export type EsgtEventListQuery = Type.Static<typeof EsgtEventListQuery>;

/** Newest first; pass `next_cursor` back as `cursor` for the next page (null: no more). */
export const EsgtEventList = Type.Object({ data: Type.Array(EsgtEvent), next_cursor: Type.Union([Type.String(), Type.Null()]) });
export type EsgtEventList = Type.Static<typeof EsgtEventList>;

export const SafetyViolationKind = Type.Union([Type.Literal('arousal_saturated'), Type.Literal('arousal_oscillating'), Type.Literal('ignition_storm')]);
export type SafetyViolationKind = Type.Static<typeof SafetyViolationKind>;

/** A watched condition of the model that went out of bounds (active until it comes back inside with hysteresis). */
export const SafetyViolation = Type.Object({
  id: Type.String(),
  kind: SafetyViolationKind,
  active: Type.Boolean(),
  detail: Type.String(),
  /** The worst value seen while active, and the bound it crossed. */
  value: Type.Number(),
  threshold: Type.Number(),
  started_at: time,
  ended_at: nullableTime,
});
export type SafetyViolation = Type.Static<typeof SafetyViolation>;

/** `GET /consciousness/state`. */
export const ConsciousnessState = Type.Object({
  arousal: Type.Object({ value: Type.Number(), level: ArousalLevel, baseline: Type.Number(), target: Type.Number(), esgt_threshold: Type.Number() }),
  tig: Type.Object({
    node_count: Type.Integer(),
    edge_count: Type.Integer(),
    nodes_by_state: byState,
    /** The largest connected set of active nodes (what an ignition can recruit from). */
    healthy_component: Type.Integer(),
  }),
  esgt: Type.Object({
    active: Type.Boolean(),
    active_id: Type.Union([Type.String(), Type.Null()]),
    last: Type.Union([Type.Object({ id: Type.String(), outcome: EsgtOutcome, reason: Type.String(), finished_at: time }), Type.Null()]),
    /** Attempts in the last `window_seconds`, by outcome. */
    recent: Type.Object({ window_seconds: Type.Integer(), success: Type.Integer(), blocked: Type.Integer(), failed: Type.Integer() }),
  }),
  health: Type.Object({
    /** healthy; degraded (a safety violation is active, or the simulation loop is stale); down (emergency shutdown). */
    status: Type.Union([Type.Literal('healthy'), Type.Literal('degraded'), Type.Literal('down')]),
    reasons: Type.Array(Type.String()),
    /** The replica that runs the simulation loops (PostgreSQL advisory lock; always this one when embedded). */
    leader: Type.Union([Type.Object({ replica: Type.String(), since: time, this_replica: Type.Boolean(), heartbeat_at: nullableTime }), Type.Null()]),
    active_violations: Type.Integer(),
  }),
  shut_down: Type.Boolean(),
  timestamp: time,
});
export type ConsciousnessState = Type.Static<typeof ConsciousnessState>;
