import Type from 'typebox';
import { Decision } from './governance.js';

/** PENELOPE healing: diagnoses, patches, history, precedents, and the events the service publishes. */

export const HealingLanguage = Type.Union([Type.Literal('python'), Type.Literal('typescript'), Type.Literal('javascript')]);
export type HealingLanguage = Type.Static<typeof HealingLanguage>;

/** `errors`: severity error; `warnings`: severity warning; `performance` / `security`: rules of that category; `all`: everything. */
export const HealingFocus = Type.Union([Type.Literal('errors'), Type.Literal('warnings'), Type.Literal('performance'), Type.Literal('security'), Type.Literal('all')]);
export type HealingFocus = Type.Static<typeof HealingFocus>;

export const IssueSeverity = Type.Union([Type.Literal('error'), Type.Literal('warning'), Type.Literal('info')]);
export type IssueSeverity = Type.Static<typeof IssueSeverity>;

export const IssueCategory = Type.Union([Type.Literal('correctness'), Type.Literal('style'), Type.Literal('performance'), Type.Literal('security')]);
export type IssueCategory = Type.Static<typeof IssueCategory>;

/** `safe`: keeps behaviour; `unsafe`: may change behaviour; `suggestion-only`: an idea a person must check. */
export const SafetyClass = Type.Union([Type.Literal('safe'), Type.Literal('unsafe'), Type.Literal('suggestion-only')]);
export type SafetyClass = Type.Static<typeof SafetyClass>;

export const Analyser = Type.Union([Type.Literal('ruff'), Type.Literal('typescript'), Type.Literal('eslint')]);
export type Analyser = Type.Static<typeof Analyser>;

/** A relative path inside the project: no leading `/`, no `..` segment, no backslash. */
const RelativePath = Type.String({ minLength: 1, maxLength: 500, pattern: '^(?!/)(?!.*(^|/)\\.\\.(/|$))[^\\\\\\u0000]+$' });

export const SourceFile = Type.Object({ path: RelativePath, content: Type.String({ maxLength: 2_000_000 }) }, { additionalProperties: false });
export type SourceFile = Type.Static<typeof SourceFile>;

export const DiagnoseParams = Type.Object(
  {
    language: HealingLanguage,
    /** A snippet (analysed as `snippet.py`, `snippet.ts` or `snippet.js`); give `code` or `files`, not both. */
    code: Type.Optional(Type.String({ minLength: 1, maxLength: 2_000_000 })),
    files: Type.Optional(Type.Array(SourceFile, { minItems: 1, maxItems: 50 })),
    /** Tests run against each patch (pytest or unittest; `node --test`), in a temporary directory with a time limit. */
    tests: Type.Optional(Type.Array(SourceFile, { maxItems: 50 })),
    focus: Type.Optional(HealingFocus),
  },
  { additionalProperties: false },
);
export type DiagnoseParams = Type.Static<typeof DiagnoseParams>;

const time = Type.String({ format: 'date-time' });
const nullableString = Type.Union([Type.String(), Type.Null()]);
const unit = Type.Number({ minimum: 0, maximum: 1 });

export const Issue = Type.Object({
  /** Ruff code (`F401`), ESLint rule (`no-unreachable`) or TypeScript code (`TS2322`). */
  rule: Type.String(),
  source: Analyser,
  message: Type.String(),
  severity: IssueSeverity,
  category: IssueCategory,
  file: Type.String(),
  /** 1-based lines and columns (UTF-16 code units). */
  line: Type.Integer(),
  column: Type.Integer(),
  end_line: Type.Integer(),
  end_column: Type.Integer(),
  /** The analyser offers a fix (or a suggestion) for it. */
  fixable: Type.Boolean(),
  fix_safety: Type.Union([SafetyClass, Type.Null()]),
  fix_description: nullableString,
  /** The same finding from another analyser (e.g. ESLint's no-unreachable beside TypeScript's TS7027), merged into this one. */
  also_reported_by: Type.Array(Type.String()),
});
export type Issue = Type.Static<typeof Issue>;

export const IssuesBySeverity = Type.Object({ error: Type.Integer(), warning: Type.Integer(), info: Type.Integer() });
export type IssuesBySeverity = Type.Static<typeof IssuesBySeverity>;

/** `pending`: the analysers' patches are being built and verified; `ready`; `none`: nothing fixable; `failed`: see `patches_error`. */
export const PatchesStatus = Type.Union([Type.Literal('pending'), Type.Literal('ready'), Type.Literal('none'), Type.Literal('failed')]);
export type PatchesStatus = Type.Static<typeof PatchesStatus>;

/**
 * The patch asked of core's language model, after the analysers' patches: `off` (not asked: MAXIMUS_PENELOPE_MODEL_PATCHES
 * is off, or there is no issue); `pending` (asked, not answered yet); `proposed` (a patch with `origin: model` is listed);
 * `unavailable` (core has no language model); `failed` (a timeout, an unusable answer, core unreachable, files too large).
 * `unavailable` and `failed` add their reason to `patches_error`; neither touches the analysers' patches.
 */
export const ModelPatchStatus = Type.Union([Type.Literal('off'), Type.Literal('pending'), Type.Literal('proposed'), Type.Literal('unavailable'), Type.Literal('failed')]);
export type ModelPatchStatus = Type.Static<typeof ModelPatchStatus>;

export const Diagnosis = Type.Object({
  id: Type.String(),
  language: HealingLanguage,
  focus: HealingFocus,
  files: Type.Array(Type.Object({ path: Type.String(), lines: Type.Integer(), sha256: Type.String() })),
  tests: Type.Array(Type.String()),
  issues: Type.Array(Issue),
  issues_by_severity: IssuesBySeverity,
  total_issues: Type.Integer(),
  fixable_issues: Type.Integer(),
  analysers: Type.Array(Type.Object({ name: Type.String(), version: Type.String() })),
  /** Milliseconds: waiting for a warm analyser, analysing, and the whole request. */
  timings: Type.Object({ queue_ms: Type.Number(), analysis_ms: Type.Number(), total_ms: Type.Number() }),
  patches_status: PatchesStatus,
  /** Why the patches failed; or, beside `ready`/`none`, why the model patch did not come (`model patch: …`). */
  patches_error: nullableString,
  model_patch_status: ModelPatchStatus,
  patch_count: Type.Integer(),
  created_by: Type.String(),
  created_at: time,
});
export type Diagnosis = Type.Static<typeof Diagnosis>;

export const PatchStatus = Type.Union([
  Type.Literal('proposed'),
  Type.Literal('apply_requested'),
  Type.Literal('scheduled'),
  Type.Literal('applied'),
  Type.Literal('failed'),
  Type.Literal('rejected'),
]);
export type PatchStatus = Type.Static<typeof PatchStatus>;

/** Gentleness: `score` = 0 for a breaking change, else 0.3·max(0, 1 − lines/25) + 0.3·reversibility + 0.2·max(0, 1 − functions/3) + 0.2. */
export const Mansidao = Type.Object({
  score: unit,
  lines_changed: Type.Integer(),
  functions_modified: Type.Integer(),
  /** Qualified names of the functions the patch touches. */
  functions: Type.Array(Type.String()),
  reversibility: unit,
  breaking_change: Type.Boolean(),
  /** What breaks: a removed or renamed public function, class or route, a changed signature. */
  breaking_changes: Type.Array(Type.String()),
  /** ≤ 25 changed lines, ≤ 3 functions, reversibility ≥ 0.9, no breaking change. */
  within_limits: Type.Boolean(),
  requires_human_review: Type.Boolean(),
});
export type Mansidao = Type.Static<typeof Mansidao>;

export const IssueRef = Type.Object({ rule: Type.String(), file: Type.String(), line: Type.Integer(), message: Type.String(), severity: IssueSeverity });
export type IssueRef = Type.Static<typeof IssueRef>;

export const TestRun = Type.Object({
  runner: Type.String(),
  passed: Type.Integer(),
  failed: Type.Integer(),
  total: Type.Integer(),
  ok: Type.Boolean(),
  timed_out: Type.Boolean(),
  duration_ms: Type.Number(),
  /** The runner's last lines of output. */
  output_tail: Type.String(),
});
export type TestRun = Type.Static<typeof TestRun>;

export const Verification = Type.Object({
  /** Parses, resolves at least one targeted finding, introduces no new error, and breaks no test that passed before. */
  verified: Type.Boolean(),
  reasons: Type.Array(Type.String()),
  parse_ok: Type.Boolean(),
  /** Fix passes (apply non-overlapping edits, analyse again), at most 10. */
  passes: Type.Integer(),
  diagnostics_before: Type.Integer(),
  diagnostics_after: Type.Integer(),
  targeted_before: Type.Integer(),
  targeted_after: Type.Integer(),
  resolved: Type.Array(IssueRef),
  introduced: Type.Array(IssueRef),
  /** The tests on the original code, then on the patched code (null: no tests given). */
  tests_baseline: Type.Union([TestRun, Type.Null()]),
  tests: Type.Union([TestRun, Type.Null()]),
  duration_ms: Type.Number(),
});
export type Verification = Type.Static<typeof Verification>;

export const PatchSummary = Type.Object({
  id: Type.String(),
  diagnosis_id: Type.String(),
  /** `analyser`: from Ruff, ESLint or TypeScript fixes; `model`: proposed by a language model. */
  origin: Type.Union([Type.Literal('analyser'), Type.Literal('model')]),
  title: Type.String(),
  rules: Type.Array(Type.String()),
  files: Type.Array(Type.String()),
  safety_class: SafetyClass,
  /** A unified diff (one `---`/`+++` pair per file). */
  diff: Type.String(),
  confidence: unit,
  mansidao_score: unit,
  mansidao: Mansidao,
  verified: Type.Boolean(),
  verification_rejected: Type.Boolean(),
  verification: Verification,
  status: PatchStatus,
  decision_id: nullableString,
  workspace: nullableString,
  scheduled_for: Type.Union([time, Type.Null()]),
  applied_at: Type.Union([time, Type.Null()]),
  error: nullableString,
  created_at: time,
});
export type PatchSummary = Type.Static<typeof PatchSummary>;

/** A patch with the final content of every file it changes (use it without applying the diff). */
export const Patch = Type.Intersect([PatchSummary, Type.Object({ final_content: Type.Array(Type.Object({ path: Type.String(), content: Type.String() })) })]);
export type Patch = Type.Static<typeof Patch>;

export const PatchListQuery = Type.Object({ diagnosis_id: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false });
export type PatchListQuery = Type.Static<typeof PatchListQuery>;

/** Best first: verified before rejected, then by confidence. */
export const PatchList = Type.Object({ diagnosis_id: Type.String(), patches_status: PatchesStatus, data: Type.Array(PatchSummary) });
export type PatchList = Type.Static<typeof PatchList>;

export const PatchApplyParams = Type.Object(
  {
    /** A directory under one of MAXIMUS_PENELOPE_WORKSPACES; absent: the final content is only recorded. */
    workspace: Type.Optional(Type.String({ minLength: 1, maxLength: 4096 })),
  },
  { additionalProperties: false },
);
export type PatchApplyParams = Type.Static<typeof PatchApplyParams>;

export const PatchApplyResult = Type.Object({ patch: PatchSummary, decision: Decision });
export type PatchApplyResult = Type.Static<typeof PatchApplyResult>;

export const HistoryQuery = Type.Object(
  {
    language: Type.Optional(HealingLanguage),
    rule: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    /** Cases with a patch in this status. */
    status: Type.Optional(PatchStatus),
    since: Type.Optional(time),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  },
  { additionalProperties: false },
);
export type HistoryQuery = Type.Static<typeof HistoryQuery>;

export const HealingCase = Type.Object({
  diagnosis_id: Type.String(),
  language: HealingLanguage,
  focus: HealingFocus,
  files: Type.Array(Type.String()),
  rules: Type.Array(Type.String()),
  total_issues: Type.Integer(),
  issues_by_severity: IssuesBySeverity,
  patches_status: PatchesStatus,
  analysis_ms: Type.Number(),
  created_by: Type.String(),
  created_at: time,
  patches: Type.Array(
    Type.Object({
      id: Type.String(),
      title: Type.String(),
      safety_class: SafetyClass,
      confidence: Type.Number(),
      mansidao_score: Type.Number(),
      verified: Type.Boolean(),
      status: PatchStatus,
      decision_id: nullableString,
      applied_at: Type.Union([time, Type.Null()]),
      error: nullableString,
      verification_ms: Type.Number(),
    }),
  ),
});
export type HealingCase = Type.Static<typeof HealingCase>;

/** Newest first; pass `next_cursor` back as `cursor` (null: no more). */
export const HistoryList = Type.Object({ data: Type.Array(HealingCase), next_cursor: Type.Union([Type.String(), Type.Null()]) });
export type HistoryList = Type.Static<typeof HistoryList>;

export const PrecedentsQuery = Type.Object(
  { diagnosis_id: Type.String({ minLength: 1, maxLength: 64 }), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, default: 10 })) },
  { additionalProperties: false },
);
export type PrecedentsQuery = Type.Static<typeof PrecedentsQuery>;

export const Precedent = Type.Object({
  diagnosis_id: Type.String(),
  /** 0.5·rules + 0.2·files + 0.3·shape, each a Jaccard index in [0, 1]. */
  similarity: unit,
  components: Type.Object({ rules: unit, files: unit, shape: unit }),
  language: HealingLanguage,
  rules: Type.Array(Type.String()),
  files: Type.Array(Type.String()),
  created_at: time,
  /** What became of it: the most advanced patch status (null: no patch). */
  outcome: Type.Union([PatchStatus, Type.Null()]),
});
export type Precedent = Type.Static<typeof Precedent>;

export const PrecedentList = Type.Object({ diagnosis_id: Type.String(), candidates_compared: Type.Integer(), data: Type.Array(Precedent) });
export type PrecedentList = Type.Static<typeof PrecedentList>;

// Events on the bus (through penelope's outbox).

/** `penelope.diagnosis.completed` */
export const DiagnosisCompletedEvent = Type.Object({ diagnosis_id: Type.String(), language: HealingLanguage, issues_by_severity: IssuesBySeverity, duration_ms: Type.Number() });
export type DiagnosisCompletedEvent = Type.Static<typeof DiagnosisCompletedEvent>;

/** `penelope.patch.proposed` */
export const PatchProposedEvent = Type.Object({
  patch_id: Type.String(),
  diagnosis_id: Type.String(),
  /** `analyser` or `model` (absent from events older than model patches: `analyser`). */
  origin: Type.Optional(Type.Union([Type.Literal('analyser'), Type.Literal('model')])),
  safety_class: SafetyClass,
  verified: Type.Boolean(),
  verification_rejected: Type.Boolean(),
  lines_changed: Type.Integer(),
  functions_modified: Type.Integer(),
  reversibility: Type.Number(),
  breaking_change: Type.Boolean(),
  mansidao_score: Type.Number(),
  within_limits: Type.Boolean(),
});
export type PatchProposedEvent = Type.Static<typeof PatchProposedEvent>;

/** `penelope.patch.apply_requested` */
export const PatchApplyRequestedEvent = Type.Object({ patch_id: Type.String(), decision_id: Type.String() });
export type PatchApplyRequestedEvent = Type.Static<typeof PatchApplyRequestedEvent>;

/** `penelope.patch.applied` */
export const PatchAppliedEvent = Type.Object({
  patch_id: Type.String(),
  decision_id: Type.String(),
  outcome: Type.Union([Type.Literal('applied'), Type.Literal('failed')]),
  error: Type.Optional(Type.String()),
});
export type PatchAppliedEvent = Type.Static<typeof PatchAppliedEvent>;

/** `penelope.precedents.searched` */
export const PrecedentsSearchedEvent = Type.Object({ diagnosis_id: Type.String(), found: Type.Integer() });
export type PrecedentsSearchedEvent = Type.Static<typeof PrecedentsSearchedEvent>;

/** The topics above, by name. */
export const PENELOPE_TOPICS = {
  diagnosisCompleted: 'penelope.diagnosis.completed',
  patchProposed: 'penelope.patch.proposed',
  patchApplyRequested: 'penelope.patch.apply_requested',
  patchApplied: 'penelope.patch.applied',
  precedentsSearched: 'penelope.precedents.searched',
} as const;
