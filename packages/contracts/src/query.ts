import Type from 'typebox';

/** A source file sent for analysis (`maximus analyze <dir>` sends a directory's source files). */
export const QueryFile = Type.Object(
  {
    path: Type.String({ minLength: 1, maxLength: 1000 }),
    content: Type.String({ maxLength: 500_000 }),
  },
  { additionalProperties: false },
);
export type QueryFile = Type.Static<typeof QueryFile>;

/** What the caller knows that the question needs: code to analyse, and free notes. */
export const QueryContext = Type.Object(
  {
    /** A snippet to analyse (PENELOPE's diagnose runs on it). */
    code: Type.Optional(Type.String({ minLength: 1, maxLength: 500_000 })),
    /** The snippet's language; guessed from file names or left to PENELOPE when absent. */
    language: Type.Optional(Type.Union([Type.Literal('python'), Type.Literal('typescript'), Type.Literal('javascript')])),
    /** Files to analyse (at most 200). */
    files: Type.Optional(Type.Array(QueryFile, { maxItems: 200 })),
    /** Anything else the answer should take into account. */
    notes: Type.Optional(Type.String({ maxLength: 20_000 })),
  },
  { additionalProperties: false },
);
export type QueryContext = Type.Static<typeof QueryContext>;

/** `POST /core/api/v1/query`. */
export const QueryParams = Type.Object(
  {
    query: Type.String({ minLength: 1, maxLength: 20_000 }),
    context: Type.Optional(QueryContext),
    /** Tokens the provider may generate per call. @default MAXIMUS_LLM_MAX_TOKENS */
    max_tokens: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
    /** Answer as Server-Sent Events: `delta` events, then one `final` event with the whole response. */
    stream: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type QueryParams = Type.Static<typeof QueryParams>;

export const QueryProvider = Type.Union([Type.Literal('local'), Type.Literal('anthropic'), Type.Literal('openai')]);
export type QueryProvider = Type.Static<typeof QueryProvider>;

/** One tool call of the pipeline, as it ran. */
export const ToolExecutionResult = Type.Object({
  /** The provider's id of the call (the local provider numbers its calls). */
  call_id: Type.String(),
  tool: Type.String(),
  input: Type.Unknown(),
  status: Type.Union([Type.Literal('ok'), Type.Literal('error')]),
  /** The tool's answer when `ok`. */
  output: Type.Unknown(),
  /** Why it failed, when `error` (a peer's problem detail, a timeout, bad input). */
  error: Type.Union([Type.String(), Type.Null()]),
  /** The failure's code (`KIT_ERR_PEER_TIMEOUT`, `KIT_ERR_PEER_REJECTED`, …). */
  error_code: Type.Union([Type.String(), Type.Null()]),
  started_at: Type.String({ format: 'date-time' }),
  duration_ms: Type.Number(),
});
export type ToolExecutionResult = Type.Static<typeof ToolExecutionResult>;

/** One stage of the pipeline: screening, context, provider, reflection, confidence, evidence. */
export const QueryStage = Type.Object({
  stage: Type.String(),
  status: Type.Union([Type.Literal('ok'), Type.Literal('skipped'), Type.Literal('error')]),
  /** What happened (`adw: not deployed`, `3 tool calls`). */
  note: Type.String(),
  duration_ms: Type.Number(),
});
export type QueryStage = Type.Static<typeof QueryStage>;

/** The measured inputs of the confidence score and their weights (docs/query.md gives the formula). */
export const ConfidenceBreakdown = Type.Object({
  /** Successful tool calls / tool calls; 1 when no tool was needed. */
  tool_success: Type.Number(),
  /** 1 when the provider finished on its own, lower when cut off (max tokens) or refused. */
  completion: Type.Number(),
  /** 1 − reflection penalties. */
  reflection: Type.Number(),
  /** Share of the tool results the answer refers to; 1 when there were none. */
  grounding: Type.Number(),
  weights: Type.Object({ tool_success: Type.Number(), completion: Type.Number(), reflection: Type.Number(), grounding: Type.Number() }),
});
export type ConfidenceBreakdown = Type.Static<typeof ConfidenceBreakdown>;

/** The answer to a query. */
export const QueryResponse = Type.Object({
  id: Type.String(),
  /** The answer, in Markdown. */
  final_response: Type.String(),
  confidence_score: Type.Number({ minimum: 0, maximum: 1 }),
  confidence: ConfidenceBreakdown,
  processing_time_seconds: Type.Number(),
  timestamp: Type.String({ format: 'date-time' }),
  provider: QueryProvider,
  /** The model asked, or null for the local provider (no language model). */
  model: Type.Union([Type.String(), Type.Null()]),
  /** How the provider ended: `end_turn`, `stop`, `max_tokens`, `length`, `tool_use`, `complete` (local). */
  stop_reason: Type.String(),
  /** The provider's own text: every turn, tool requests included, as it came. */
  raw_reasoning_output: Type.String(),
  tool_execution_results: Type.Array(ToolExecutionResult),
  reflection_notes: Type.Array(Type.String()),
  stages: Type.Array(QueryStage),
});
export type QueryResponse = Type.Static<typeof QueryResponse>;

/**
 * The events of `POST /query` with `stream: true` (`event:` names; `data:` is JSON): `stage` as each stage ends,
 * `tool` per tool call, `delta` per piece of the answer, then `final` (the whole {@link QueryResponse}), or
 * `error` (a problem+json body) when the query fails after the stream began.
 */
export const QueryStreamDelta = Type.Object({ text: Type.String() });
export type QueryStreamDelta = Type.Static<typeof QueryStreamDelta>;

/**
 * Bounds of `POST /core/api/v1/query/propose-fix`: a model answers with the whole corrected content of every file it
 * changes, so the files it is given must fit in one answer.
 */
export const PROPOSE_FIX_LIMITS = { files: 10, totalChars: 40_000, issues: 200 } as const;

/** A finding the model is asked to fix (PENELOPE's issue, trimmed). */
export const ProposeFixIssue = Type.Object(
  {
    rule: Type.String({ minLength: 1, maxLength: 200 }),
    message: Type.String({ minLength: 1, maxLength: 2_000 }),
    line: Type.Integer({ minimum: 1 }),
    /** The file of the finding; required when more than one file is given. */
    file: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
    column: Type.Optional(Type.Integer({ minimum: 1 })),
    severity: Type.Optional(Type.Union([Type.Literal('error'), Type.Literal('warning'), Type.Literal('info')])),
  },
  { additionalProperties: false },
);
export type ProposeFixIssue = Type.Static<typeof ProposeFixIssue>;

/** A file as the model sees it and answers it. */
export const ProposeFixFile = Type.Object(
  { path: Type.String({ minLength: 1, maxLength: 500 }), content: Type.String({ maxLength: PROPOSE_FIX_LIMITS.totalChars }) },
  { additionalProperties: false },
);
export type ProposeFixFile = Type.Static<typeof ProposeFixFile>;

/** `POST /core/api/v1/query/propose-fix` (internal: `service:penelope` only): the files of a diagnosis and its findings. */
export const ProposeFixParams = Type.Object(
  {
    language: Type.Union([Type.Literal('python'), Type.Literal('typescript'), Type.Literal('javascript')]),
    /** Together at most {@link PROPOSE_FIX_LIMITS}.totalChars characters. */
    files: Type.Array(ProposeFixFile, { minItems: 1, maxItems: PROPOSE_FIX_LIMITS.files }),
    issues: Type.Array(ProposeFixIssue, { minItems: 1, maxItems: PROPOSE_FIX_LIMITS.issues }),
  },
  { additionalProperties: false },
);
export type ProposeFixParams = Type.Static<typeof ProposeFixParams>;

/** The model's fix: only the files it changed, each with its whole new content. */
export const ProposeFixResponse = Type.Object({
  files: Type.Array(ProposeFixFile),
  /** The model's own account of the change (one or two sentences). */
  explanation: Type.String(),
  provider: QueryProvider,
  model: Type.String(),
  /** How the provider ended (`end_turn`, `stop`, …). */
  stop_reason: Type.String(),
});
export type ProposeFixResponse = Type.Static<typeof ProposeFixResponse>;
