import { createHash } from 'node:crypto';
import type { Principal, QueryStage, ToolExecutionResult } from '@maximus/contracts';
import type { Outbox } from '@maximus/kit/outbox';

/** What is kept of one query, answered or failed. */
export interface QueryRecord {
  readonly id: string;
  readonly principal: Principal;
  readonly query: string;
  readonly provider: string;
  readonly model: string | null;
  readonly status: 'answered' | 'failed';
  readonly errorCode: string | null;
  readonly stopReason: string | null;
  readonly confidence: number | null;
  readonly tools: readonly ToolExecutionResult[];
  readonly processingMs: number;
  readonly stages: readonly QueryStage[];
  readonly at: Date;
}

const PREVIEW = 120;

/**
 * Writes the `core.queries` row and its evidence (`audit.query.answered` / `audit.query.failed`, which EIKOS
 * appends to the ledger) in one transaction of core's outbox. The evidence has the question's digest, never its text.
 */
export async function recordQuery(outbox: Outbox, r: QueryRecord): Promise<void> {
  const digest = createHash('sha256').update(r.query).digest('hex');
  const preview = r.query.length > PREVIEW ? `${r.query.slice(0, PREVIEW - 1)}…` : r.query;
  const failures = r.tools.filter((t) => t.status === 'error').length;
  await outbox.transaction(async (tx, emit) => {
    await tx.query(
      `INSERT INTO core.queries (id, principal, query_sha256, query_preview, query_chars, provider, model, status, error_code, stop_reason,
         confidence_score, tool_calls, tool_failures, processing_ms, stages, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
      [r.id, r.principal.id, digest, preview, r.query.length, r.provider, r.model, r.status, r.errorCode, r.stopReason, r.confidence, r.tools.length, failures, r.processingMs, JSON.stringify(r.stages), r.at.toISOString()],
    );
    await emit(`audit.query.${r.status}`, {
      subject_id: r.id,
      actor: r.principal.id,
      query_sha256: digest,
      query_chars: r.query.length,
      provider: r.provider,
      model: r.model,
      status: r.status,
      error_code: r.errorCode,
      stop_reason: r.stopReason,
      confidence_score: r.confidence,
      tools: r.tools.map((t) => ({ tool: t.tool, status: t.status, error_code: t.error_code, duration_ms: t.duration_ms })),
      processing_ms: r.processingMs,
      at: r.at.toISOString(),
    });
  });
}
