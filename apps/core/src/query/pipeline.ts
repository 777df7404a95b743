import { randomUUID } from 'node:crypto';
import type { Principal, QueryParams, QueryResponse, QueryStage, ToolExecutionResult } from '@maximus/contracts';
import type { Outbox } from '@maximus/kit/outbox';
import type { Logger } from 'pino';
import { CONFIDENCE_WEIGHTS, completionOf, confidenceScore, toolSuccess } from '../domain/confidence.js';
import { CoreErrors } from '../errors.js';
import type { ContextRetriever, Screener } from './hooks.js';
import { inlineCode } from './providers/local.js';
import type { Provider } from './providers/index.js';
import { reflect } from './reflection.js';
import { QueryRecorder } from './store.js';
import { ToolRunner, type PeerClient } from './tools.js';

/** What a pipeline needs; each stage is a plug (ADW's screener and THOTH's retriever plug in here). */
export interface PipelineOptions {
  readonly provider: () => Promise<Provider>;
  readonly screener: Screener;
  readonly retriever: ContextRetriever;
  readonly peers: () => PeerClient;
  readonly outbox: Outbox;
  readonly log: Logger;
  readonly defaultMaxTokens: number;
  readonly toolTimeoutMs: number;
  /** Called when a query ends: outcome `answered` or the error's code. */
  readonly onDone?: (provider: string, outcome: string, seconds: number) => void;
}

/** Hooks of a streamed query: each stage as it ends, each tool call, each piece of the answer. */
export interface PipelineEvents {
  onStage?: (stage: QueryStage) => void;
  onTool?: (result: ToolExecutionResult) => void;
  onDelta?: (text: string) => void;
}

const ms = (t0: number) => Math.round((performance.now() - t0) * 1000) / 1000;

/**
 * screening → context → provider (with tools) → reflection → confidence → evidence. A failure of the provider
 * is recorded (row and evidence) and thrown as its 502/503/504 problem.
 */
export function createPipeline(options: PipelineOptions) {
  const recorder = new QueryRecorder(options.outbox);
  return async function run(params: QueryParams, principal: Principal, events: PipelineEvents = {}): Promise<QueryResponse> {
    const id = randomUUID();
    const at = new Date();
    const t0 = performance.now();
    const stages: QueryStage[] = [];
    const stage = async <T>(name: string, work: () => Promise<{ value: T; status?: QueryStage['status']; note: string }>): Promise<T> => {
      const s0 = performance.now();
      const { value, status = 'ok', note } = await work();
      const done: QueryStage = { stage: name, status, note, duration_ms: ms(s0) };
      stages.push(done);
      events.onStage?.(done);
      return value;
    };

    const verdict = await stage('screening', async () => {
      const v = await options.screener.screen({ query: params.query, context: params.context, principal });
      return { value: v, status: v.note.includes('not deployed') ? 'skipped' : v.allowed ? 'ok' : 'error', note: v.note };
    });
    if (!verdict.allowed) throw new CoreErrors.QueryScreened(verdict.reason ?? 'no reason given');
    const retrieved = await stage('context', async () => {
      const r = await options.retriever.retrieve({ query: params.query, context: params.context, principal });
      return { value: r, status: r.note.includes('not deployed') ? 'skipped' : 'ok', note: `${r.note}; ${r.items.length} item(s)` };
    });

    const provider = await options.provider();
    const tools = new ToolRunner(options.peers(), principal, options.toolTimeoutMs, params.context, (r) => events.onTool?.(r));
    let output;
    try {
      output = await stage('provider', async () => {
        const out = await provider.answer({
          query: params.query,
          context: params.context,
          retrieved,
          maxTokens: params.max_tokens ?? options.defaultMaxTokens,
          tools,
          ...(events.onDelta ? { onDelta: events.onDelta } : {}),
        });
        const failed = tools.results.filter((t) => t.status === 'error').length;
        return { value: out, note: `${provider.name}${provider.model ? ` (${provider.model})` : ''}: ${tools.results.length} tool call(s), ${failed} failed; stop ${out.stopReason}` };
      });
    } catch (error) {
      const code = (error as { code?: string }).code ?? 'CORE_ERR_QUERY_UPSTREAM_FAILED';
      stages.push({ stage: 'provider', status: 'error', note: code, duration_ms: ms(t0) });
      const seconds = (performance.now() - t0) / 1000;
      await recorder.record({ id, principal, query: params.query, provider: provider.name, model: provider.model, status: 'failed', errorCode: code, stopReason: null, confidence: null, tools: tools.results, processingMs: seconds * 1000, stages, at }).catch(
        (e: unknown) => options.log.warn({ err: e }, 'a failed query could not be recorded'),
      );
      options.onDone?.(provider.name, code, seconds);
      throw error;
    }

    const hookNotes = stages.filter((s) => s.status === 'skipped').map((s) => `${s.stage === 'screening' ? 'Not screened' : 'No retrieved context'}: ${s.note}.`);
    const reflection = await stage('reflection', () => {
      const r = reflect({
        answer: output.text,
        tools: tools.results,
        retrieved: retrieved.items,
        context: params.context,
        inlineCode: inlineCode(params.query) !== undefined,
        stopReason: output.stopReason,
        stageNotes: hookNotes,
      });
      return Promise.resolve({ value: r, note: `${r.notes.length} note(s), score ${r.score}` });
    });
    const inputs = {
      tool_success: toolSuccess(tools.results.filter((t) => t.status === 'ok').length, tools.results.length),
      completion: completionOf(output.stopReason),
      reflection: reflection.score,
      grounding: Math.round(reflection.grounding * 10_000) / 10_000,
    };
    const confidence = await stage('confidence', () => {
      const score = confidenceScore(inputs, !output.text.trim());
      return Promise.resolve({ value: score, note: `${score}` });
    });
    const response: QueryResponse = {
      id,
      final_response: output.text,
      confidence_score: confidence,
      confidence: { ...inputs, weights: { ...CONFIDENCE_WEIGHTS } },
      processing_time_seconds: 0,
      timestamp: at.toISOString(),
      provider: provider.name,
      model: provider.model,
      stop_reason: output.stopReason,
      raw_reasoning_output: output.raw,
      tool_execution_results: tools.results,
      reflection_notes: reflection.notes,
      stages,
    };
    await stage('evidence', async () => {
      await recorder.record({ id, principal, query: params.query, provider: provider.name, model: provider.model, status: 'answered', errorCode: null, stopReason: output.stopReason, confidence, tools: tools.results, processingMs: ms(t0), stages, at });
      return { value: undefined, note: 'core.queries row and audit.query.answered (EIKOS ledger)' };
    });
    response.processing_time_seconds = Math.round(ms(t0)) / 1000;
    options.onDone?.(provider.name, 'answered', response.processing_time_seconds);
    return response;
  };
}

export type Pipeline = ReturnType<typeof createPipeline>;
