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
const COLUMNS = 16;
/** Most records written in one transaction. */
const MAX_BATCH = 100;

function rowOf(r: QueryRecord, digest: string): unknown[] {
  const preview = r.query.length > PREVIEW ? `${r.query.slice(0, PREVIEW - 1)}…` : r.query;
  const failures = r.tools.filter((t) => t.status === 'error').length;
  return [r.id, r.principal.id, digest, preview, r.query.length, r.provider, r.model, r.status, r.errorCode, r.stopReason, r.confidence, r.tools.length, failures, r.processingMs, JSON.stringify(r.stages), r.at.toISOString()];
}

function evidenceOf(r: QueryRecord, digest: string) {
  return {
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
  };
}

interface Waiting {
  readonly record: QueryRecord;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Writes each query's `core.queries` row and its evidence (`audit.query.answered` / `audit.query.failed`, which EIKOS
 * appends to the ledger) in a transaction of core's outbox, and resolves once it is committed. Records that arrive
 * while a transaction runs share the next one (group commit): under load, one transaction carries many queries
 * instead of one each. The evidence holds the question's SHA-256, never its text.
 */
export class QueryRecorder {
  #waiting: Waiting[] = [];
  #flushing = false;

  constructor(private readonly outbox: Outbox) {}

  record(record: QueryRecord): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#waiting.push({ record, resolve, reject });
      if (!this.#flushing) {
        this.#flushing = true;
        // Let the records of this turn of the event loop join the first batch.
        setImmediate(() => void this.#flush());
      }
    });
  }

  async #flush(): Promise<void> {
    while (this.#waiting.length) {
      const batch = this.#waiting.splice(0, MAX_BATCH);
      try {
        await this.outbox.transaction(async (tx, emit) => {
          const digests = batch.map((w) => createHash('sha256').update(w.record.query).digest('hex'));
          const values = batch.map((_, i) => `(${Array.from({ length: COLUMNS }, (_, c) => `$${i * COLUMNS + c + 1}`).join(', ')})`);
          await tx.query(
            `INSERT INTO core.queries (id, principal, query_sha256, query_preview, query_chars, provider, model, status, error_code, stop_reason,
               confidence_score, tool_calls, tool_failures, processing_ms, stages, created_at)
             VALUES ${values.join(', ')}`,
            batch.flatMap((w, i) => rowOf(w.record, digests[i]!)),
          );
          for (const [i, w] of batch.entries()) await emit(`audit.query.${w.record.status}`, evidenceOf(w.record, digests[i]!));
        });
        for (const w of batch) w.resolve();
      } catch (error) {
        for (const w of batch) w.reject(error);
      }
    }
    this.#flushing = false;
  }
}
