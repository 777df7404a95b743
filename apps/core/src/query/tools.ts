import type { Principal, QueryContext, ToolExecutionResult } from '@maximus/contracts';
import type { Peers } from '@maximus/kit/peers';
import { diagnoseRequests, LANGUAGES, type Language } from './diagnose.js';

/** The kit's service-to-service calls (`ctx.peers`), which the tools go through. */
export type PeerClient = Peers;

/** A tool as the providers describe it to a model: a name, what it does, and a JSON Schema of its input. */
export interface ToolDefinition {
  readonly name: string;
  readonly description: string;
  readonly input_schema: { type: 'object'; properties: Record<string, unknown>; required?: string[]; additionalProperties?: boolean };
}

interface ToolSpec extends ToolDefinition {
  run(input: Record<string, unknown>, call: ToolCall): Promise<unknown>;
}

interface ToolCall {
  readonly peers: PeerClient;
  readonly principal: Principal;
  readonly timeoutMs: number;
  /** The query's context: `diagnose_code` without code analyses the code sent with the query. */
  readonly context: QueryContext | undefined;
}

/** A tool's input that cannot be run (a model asked for it wrongly). */
class ToolInputError extends Error {
  readonly code = 'CORE_QUERY_TOOL_INPUT';
}


const TOOLS: readonly ToolSpec[] = [
  {
    name: 'diagnose_code',
    description:
      'Analyse source code (Python, TypeScript, JavaScript) with PENELOPE\'s analysers: syntax errors, bugs, risky constructs, with line numbers and severities. ' +
      'Called with no `code` and no `files`, it analyses the code sent with the query.',
    input_schema: {
      type: 'object',
      properties: {
        code: { type: 'string', description: 'the code to analyse' },
        language: { type: 'string', enum: [...LANGUAGES] },
        files: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, content: { type: 'string' } }, required: ['path', 'content'] } },
      },
    },
    async run(given, { peers, principal, timeoutMs, context }) {
      const input = given.code === undefined && given.files === undefined ? { ...diagnoseInput(context, undefined), ...given } : given;
      if (input.language !== undefined && (typeof input.language !== 'string' || !(LANGUAGES as readonly string[]).includes(input.language))) {
        throw new ToolInputError(`diagnose_code: language must be one of ${LANGUAGES.join(', ')}`);
      }
      if (input.code !== undefined && (typeof input.code !== 'string' || !input.code)) throw new ToolInputError('diagnose_code: `code` must be a non-empty string');
      const files = Array.isArray(input.files) ? input.files.filter((f): f is { path: string; content: string } => typeof (f as { path?: unknown }).path === 'string' && typeof (f as { content?: unknown }).content === 'string') : [];
      const requests = diagnoseRequests({ ...(input.code ? { code: input.code } : {}), files, ...(input.language ? { language: input.language as Language } : {}) });
      if (!requests.length) throw new ToolInputError('diagnose_code needs `code` or `files`');
      const diagnoses = await Promise.all(
        requests.map(async ({ guessed, ...body }) => {
          const diagnosis = (await peers.request<Record<string, unknown>>('penelope', { method: 'POST', path: '/api/v1/healing/diagnose', body, onBehalfOf: principal.id, timeoutMs })).body;
          return guessed ? { ...diagnosis, language_guessed: true } : diagnosis;
        }),
      );
      return diagnoses.length === 1 ? diagnoses[0] : { diagnoses };
    },
  },
  {
    name: 'consciousness_state',
    description: 'The consciousness model\'s current state: arousal value and level, TIG fabric summary, whether an ignition (ESGT) is active, recent events, health.',
    input_schema: { type: 'object', properties: {}, additionalProperties: false },
    async run(_input, { peers, principal, timeoutMs }) {
      return (await peers.request('core', { method: 'GET', path: '/api/v1/consciousness/state', onBehalfOf: principal.id, timeoutMs })).body;
    },
  },
  {
    name: 'governance_stats',
    description: 'Human-in-the-loop governance statistics: pending decisions by risk level, the oldest pending decision, SLA violations, decisions by status.',
    input_schema: { type: 'object', properties: {}, additionalProperties: false },
    async run(_input, { peers, principal, timeoutMs }) {
      return (await peers.request('core', { method: 'GET', path: '/api/v1/governance/stats', onBehalfOf: principal.id, timeoutMs })).body;
    },
  },
];

/** The routes the tools call on core itself (core's `internalRoutes` lists `core` as their caller). */
export const TOOL_INTERNAL_ROUTES = [
  { method: 'GET', path: '/api/v1/consciousness/state', callers: ['core'] },
  { method: 'GET', path: '/api/v1/governance/stats', callers: ['core'] },
] as const;

/** Every tool's definition, for the providers. */
export const TOOL_DEFINITIONS: readonly ToolDefinition[] = TOOLS.map(({ name, description, input_schema }) => ({ name, description, input_schema }));

/** The input the local provider gives `diagnose_code` from a query's context. */
export function diagnoseInput(context: QueryContext | undefined, inlineCode: string | undefined): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  const code = context?.code ?? inlineCode;
  if (code) input.code = code;
  if (context?.language) input.language = context.language;
  if (context?.files?.length) input.files = context.files;
  return input;
}

/** Why a tool failed, from a peer's problem body when there is one (`KIT_ERR_PEER_*` and the callee's detail). */
function describeFailure(error: unknown): { message: string; code: string | null } {
  const e = error as { message?: string; code?: unknown; problem?: { detail?: unknown; code?: unknown; title?: unknown } };
  const detail = typeof e.problem?.detail === 'string' ? e.problem.detail : typeof e.problem?.title === 'string' ? e.problem.title : undefined;
  const calleeCode = typeof e.problem?.code === 'string' ? e.problem.code : undefined;
  const message = detail && detail !== e.message ? `${e.message ?? String(error)} (${calleeCode ? `${calleeCode}: ` : ''}${detail})` : (e.message ?? String(error));
  return { message, code: typeof e.code === 'string' ? e.code : null };
}

/** Runs the tools of one query, each with a deadline, and keeps the record of every call. */
export class ToolRunner {
  readonly results: ToolExecutionResult[] = [];
  #calls = 0;

  constructor(
    private readonly peers: PeerClient,
    private readonly principal: Principal,
    private readonly timeoutMs: number,
    private readonly context: QueryContext | undefined,
    private readonly onResult: (result: ToolExecutionResult) => void = () => {},
  ) {}

  get definitions(): readonly ToolDefinition[] {
    return TOOL_DEFINITIONS;
  }

  /** Runs one call; never throws: a failure is a result with `status: 'error'`. */
  async execute(name: string, input: unknown, callId = `call_${++this.#calls}`): Promise<ToolExecutionResult> {
    const started = new Date();
    const t0 = performance.now();
    let result: ToolExecutionResult;
    try {
      const spec = TOOLS.find((t) => t.name === name);
      if (!spec) throw new ToolInputError(`no tool named ${name}; the tools are ${TOOLS.map((t) => t.name).join(', ')}`);
      if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new ToolInputError(`${name}: the input must be a JSON object`);
      const output = await withDeadline(spec.run(input as Record<string, unknown>, { peers: this.peers, principal: this.principal, timeoutMs: this.timeoutMs, context: this.context }), this.timeoutMs, name);
      result = { call_id: callId, tool: name, input, status: 'ok', output, error: null, error_code: null, started_at: started.toISOString(), duration_ms: elapsed(t0) };
    } catch (error) {
      const { message, code } = describeFailure(error);
      result = { call_id: callId, tool: name, input, status: 'error', output: null, error: message, error_code: code, started_at: started.toISOString(), duration_ms: elapsed(t0) };
    }
    this.results.push(result);
    this.onResult(result);
    return result;
  }
}

const elapsed = (t0: number) => Math.round((performance.now() - t0) * 1000) / 1000;

/** The tool's own deadline, in case the call underneath does not keep its `timeoutMs`. */
function withDeadline<T>(promise: Promise<T>, ms: number, name: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`${name} did not answer within ${ms} ms`), { code: 'CORE_QUERY_TOOL_TIMEOUT' })), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
