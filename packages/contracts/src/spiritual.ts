import Type from 'typebox';

/** The nine fruits of Galatians 5:22-23, in the verse's order (`self_control` is "self-control"). */
export const FRUIT_NAMES = ['love', 'joy', 'peace', 'patience', 'kindness', 'goodness', 'faithfulness', 'gentleness', 'self_control'] as const;
export const FruitName = Type.Union([
  Type.Literal('love'),
  Type.Literal('joy'),
  Type.Literal('peace'),
  Type.Literal('patience'),
  Type.Literal('kindness'),
  Type.Literal('goodness'),
  Type.Literal('faithfulness'),
  Type.Literal('gentleness'),
  Type.Literal('self_control'),
]);
export type FruitName = (typeof FRUIT_NAMES)[number];

/** The three virtues: wisdom, meekness, humility. */
export const VIRTUE_NAMES = ['sophia', 'praotes', 'tapeinophrosyne'] as const;
export const VirtueName = Type.Union([Type.Literal('sophia'), Type.Literal('praotes'), Type.Literal('tapeinophrosyne')]);
export type VirtueName = (typeof VIRTUE_NAMES)[number];

/** `healthy` when score ≥ thresholds.healthy, `warning` when ≥ thresholds.warning, else `critical`; `no_data` when the score is null. */
export const ScoreStatus = Type.Union([Type.Literal('healthy'), Type.Literal('warning'), Type.Literal('critical'), Type.Literal('no_data')]);
export type ScoreStatus = Type.Static<typeof ScoreStatus>;

/** One measured input of a score, with its current value (null: nothing measured yet). */
export const ScoreInput = Type.Object({
  name: Type.String(),
  value: Type.Union([Type.Number(), Type.Null()]),
  /** e.g. `requests`, `ratio`, `seconds`, `checks`. */
  unit: Type.String(),
  description: Type.String(),
});
export type ScoreInput = Type.Static<typeof ScoreInput>;

/** The time range a score is computed over. */
export const ScoreWindow = Type.Object({
  seconds: Type.Integer({ minimum: 0 }),
  from: Type.String({ format: 'date-time' }),
  to: Type.String({ format: 'date-time' }),
  /** `signals` (sampled metrics, health probes, ledger checks) or `outcomes` (governance and healing events). */
  kind: Type.Union([Type.Literal('signals'), Type.Literal('outcomes')]),
});
export type ScoreWindow = Type.Static<typeof ScoreWindow>;

export const ScoreThresholds = Type.Object({
  /** score ≥ healthy → `healthy`. */
  healthy: Type.Number({ minimum: 0, maximum: 1 }),
  /** healthy > score ≥ warning → `warning`; below → `critical`. */
  warning: Type.Number({ minimum: 0, maximum: 1 }),
});
export type ScoreThresholds = Type.Static<typeof ScoreThresholds>;

const scoreFields = {
  /** In [0, 1], from measured data only; null when there is none yet (status `no_data`). */
  score: Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Null()]),
  status: ScoreStatus,
  /** The operational metric the score stands for. */
  metric: Type.String(),
  formula: Type.String(),
  inputs: Type.Array(ScoreInput),
  window: ScoreWindow,
  thresholds: ScoreThresholds,
  /** Why the score is null, when it is. */
  no_data_reason: Type.Union([Type.String(), Type.Null()]),
};

export const Fruit = Type.Object({
  name: FruitName,
  /** As the verse names it: `Love`, …, `Self-control`. */
  label: Type.String(),
  ...scoreFields,
});
export type Fruit = Type.Static<typeof Fruit>;

export const Virtue = Type.Object({
  name: VirtueName,
  /** `sophia (wisdom)`, `praotes (meekness)`, `tapeinophrosyne (humility)`. */
  label: Type.String(),
  ...scoreFields,
});
export type Virtue = Type.Static<typeof Virtue>;

/** How the answer was served: `hit` from the shared cache, `miss` computed now. Also in the `X-Cache` header. */
export const ScoresCache = Type.Object({
  status: Type.Union([Type.Literal('hit'), Type.Literal('miss')]),
  /** How long ago the scores were computed. */
  age_seconds: Type.Number({ minimum: 0 }),
  ttl_seconds: Type.Integer({ minimum: 0 }),
});
export type ScoresCache = Type.Static<typeof ScoresCache>;

/** The signal collector's state: when it last sampled the platform. */
export const CollectorState = Type.Object({
  last_pass_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  /** 0: periodic sampling is off. */
  interval_seconds: Type.Integer({ minimum: 0 }),
  /** Sampling passes inside the signals window. */
  passes_in_window: Type.Integer({ minimum: 0 }),
});
export type CollectorState = Type.Static<typeof CollectorState>;

export const FruitsReport = Type.Object({
  fruits: Type.Array(Fruit),
  /** Mean of the fruits that have a score; null when none has. */
  overall_score: Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Null()]),
  healthy_count: Type.Integer({ minimum: 0 }),
  /** Fruits with a score (the others say `no_data`). */
  scored_count: Type.Integer({ minimum: 0 }),
  computed_at: Type.String({ format: 'date-time' }),
  collector: CollectorState,
  cache: ScoresCache,
});
export type FruitsReport = Type.Static<typeof FruitsReport>;

export const VirtuesReport = Type.Object({
  virtues: Type.Array(Virtue),
  /** Mean of the virtues that have a score; null when none has. */
  overall_score: Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Null()]),
  healthy_count: Type.Integer({ minimum: 0 }),
  scored_count: Type.Integer({ minimum: 0 }),
  computed_at: Type.String({ format: 'date-time' }),
  collector: CollectorState,
  cache: ScoresCache,
});
export type VirtuesReport = Type.Static<typeof VirtuesReport>;
