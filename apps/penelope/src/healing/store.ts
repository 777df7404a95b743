import type { Diagnosis, HealingCase, HealingFocus, HealingLanguage, HistoryList, HistoryQuery, Issue, Mansidao, ModelPatchStatus, Patch, PatchesStatus, PatchStatus, PatchSummary, SafetyClass, SourceFile, Verification } from '@maximus/contracts';
import type { Database, Queryable } from '@maximus/kit/db';
import { decodeKeysetCursor, encodeKeysetCursor, sqlFilters } from '@maximus/kit/pagination';
import { PenelopeErrors } from './errors.js';

export const DIAGNOSES = 'penelope.diagnoses';
export const PATCHES = 'penelope.healing_patches';
export const EXECUTIONS = 'penelope.patch_executions';
export const SEARCHES = 'penelope.precedent_searches';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (id: string) => UUID.test(id);

const iso = (value: Date | string | null): string | null => (value === null ? null : new Date(value).toISOString());
const json = <T>(value: unknown): T => (typeof value === 'string' ? (JSON.parse(value) as T) : (value as T));

export interface StoredFile extends SourceFile {
  sha256: string;
  lines: number;
}

export interface DiagnosisRow {
  id: string;
  language: HealingLanguage;
  focus: HealingFocus;
  files: StoredFile[] | string;
  tests: SourceFile[] | string;
  issues: Issue[] | string;
  rules: string[];
  file_names: string[];
  errors: number;
  warnings: number;
  infos: number;
  total_issues: number;
  fixable_issues: number;
  analysers: { name: string; version: string }[] | string;
  queue_ms: number;
  analysis_ms: number;
  total_ms: number;
  shape: (string | number)[] | null;
  patches_status: PatchesStatus;
  patches_error: string | null;
  patches_ms: number | null;
  model_patch_status: ModelPatchStatus;
  created_by: string;
  created_at: Date | string;
  patch_count?: number | string;
}

export interface PatchRow {
  id: string;
  diagnosis_id: string;
  origin: 'analyser' | 'model';
  title: string;
  rules: string[];
  files: string[];
  safety_class: SafetyClass;
  diff: string;
  final_content: SourceFile[] | string;
  confidence: number;
  mansidao_score: number;
  lines_changed: number;
  functions_modified: number;
  functions: string[];
  reversibility: number;
  breaking_change: boolean;
  breaking_changes: string[] | string;
  within_limits: boolean;
  requires_human_review: boolean;
  verified: boolean;
  verification_rejected: boolean;
  verification: Verification | string;
  verification_ms: number;
  status: PatchStatus;
  decision_id: string | null;
  workspace: string | null;
  requested_by: string | null;
  scheduled_for: Date | string | null;
  applied_at: Date | string | null;
  apply_result: unknown;
  error: string | null;
  created_at: Date | string;
}

export function diagnosisFiles(row: DiagnosisRow): StoredFile[] {
  return json<StoredFile[]>(row.files);
}

export function diagnosisTests(row: DiagnosisRow): SourceFile[] {
  return json<SourceFile[]>(row.tests);
}

export function toDiagnosis(row: DiagnosisRow): Diagnosis {
  return {
    id: row.id,
    language: row.language,
    focus: row.focus,
    files: diagnosisFiles(row).map((f) => ({ path: f.path, lines: f.lines, sha256: f.sha256 })),
    tests: diagnosisTests(row).map((t) => t.path),
    issues: json<Issue[]>(row.issues),
    issues_by_severity: { error: row.errors, warning: row.warnings, info: row.infos },
    total_issues: row.total_issues,
    fixable_issues: row.fixable_issues,
    analysers: json(row.analysers),
    timings: { queue_ms: row.queue_ms, analysis_ms: row.analysis_ms, total_ms: row.total_ms },
    patches_status: row.patches_status,
    patches_error: row.patches_error,
    model_patch_status: row.model_patch_status,
    patch_count: Number(row.patch_count ?? 0),
    created_by: row.created_by,
    created_at: iso(row.created_at)!,
  };
}

export function toMansidao(row: PatchRow): Mansidao {
  return {
    score: row.mansidao_score,
    lines_changed: row.lines_changed,
    functions_modified: row.functions_modified,
    functions: row.functions,
    reversibility: row.reversibility,
    breaking_change: row.breaking_change,
    breaking_changes: json(row.breaking_changes),
    within_limits: row.within_limits,
    requires_human_review: row.requires_human_review,
  };
}

export function toPatchSummary(row: PatchRow): PatchSummary {
  return {
    id: row.id,
    diagnosis_id: row.diagnosis_id,
    origin: row.origin,
    title: row.title,
    rules: row.rules,
    files: row.files,
    safety_class: row.safety_class,
    diff: row.diff,
    confidence: row.confidence,
    mansidao_score: row.mansidao_score,
    mansidao: toMansidao(row),
    verified: row.verified,
    verification_rejected: row.verification_rejected,
    verification: json(row.verification),
    status: row.status,
    decision_id: row.decision_id,
    workspace: row.workspace,
    scheduled_for: iso(row.scheduled_for),
    applied_at: iso(row.applied_at),
    error: row.error,
    created_at: iso(row.created_at)!,
  };
}

export function toPatch(row: PatchRow): Patch {
  return { ...toPatchSummary(row), final_content: json<SourceFile[]>(row.final_content) };
}

const SUMMARY_COLUMNS = `id, diagnosis_id, origin, title, rules, files, safety_class, diff, '[]'::jsonb AS final_content, confidence, mansidao_score, lines_changed, functions_modified,
  functions, reversibility, breaking_change, breaking_changes, within_limits, requires_human_review, verified, verification_rejected, verification, verification_ms,
  status, decision_id, workspace, requested_by, scheduled_for, applied_at, apply_result, error, created_at`;

/** The patch statuses from least to most advanced (a case's outcome is its most advanced patch). */
const STATUS_ORDER: readonly PatchStatus[] = ['proposed', 'rejected', 'failed', 'apply_requested', 'scheduled', 'applied'];
export function mostAdvanced(statuses: readonly PatchStatus[]): PatchStatus | null {
  let best = -1;
  for (const s of statuses) best = Math.max(best, STATUS_ORDER.indexOf(s));
  return best < 0 ? null : STATUS_ORDER[best]!;
}

function decodeCursor(cursor: string): [string, string] {
  const position = decodeKeysetCursor(cursor);
  if (!position) throw new PenelopeErrors.CursorInvalid();
  return position;
}

/** SQL of the healing tables (penelope's schema). */
export class HealingStore {
  constructor(readonly db: Database) {}

  async diagnosis(id: string, q: Queryable = this.db): Promise<DiagnosisRow> {
    if (!isUuid(id)) throw new PenelopeErrors.DiagnosisNotFound(id);
    const { rows } = await q.query<DiagnosisRow>(`SELECT d.*, (SELECT count(*) FROM ${PATCHES} p WHERE p.diagnosis_id = d.id) AS patch_count FROM ${DIAGNOSES} d WHERE d.id = $1`, [id]);
    const row = rows[0];
    if (!row) throw new PenelopeErrors.DiagnosisNotFound(id);
    return row;
  }

  /** `model_patch_status` defaults to `off` (no model patch asked). */
  async insertDiagnosis(tx: Queryable, row: Omit<DiagnosisRow, 'created_at' | 'shape' | 'patches_error' | 'patches_ms' | 'patch_count' | 'model_patch_status'> & { model_patch_status?: ModelPatchStatus }): Promise<DiagnosisRow> {
    const { rows } = await tx.query<DiagnosisRow>(
      `INSERT INTO ${DIAGNOSES} (id, language, focus, files, tests, issues, rules, file_names, errors, warnings, infos, total_issues, fixable_issues, analysers, queue_ms, analysis_ms, total_ms, patches_status,
         model_patch_status, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20) RETURNING *`,
      [row.id, row.language, row.focus, JSON.stringify(row.files), JSON.stringify(row.tests), JSON.stringify(row.issues), row.rules, row.file_names, row.errors, row.warnings, row.infos,
        row.total_issues, row.fixable_issues, JSON.stringify(row.analysers), row.queue_ms, row.analysis_ms, row.total_ms, row.patches_status, row.model_patch_status ?? 'off', row.created_by],
    );
    return rows[0]!;
  }

  async setPatchesStatus(id: string, status: PatchesStatus, error: string | null, ms: number | null): Promise<void> {
    await this.db.query(`UPDATE ${DIAGNOSES} SET patches_status = $2, patches_error = $3, patches_ms = $4, updated_at = now() WHERE id = $1`, [id, status, error, ms]);
  }

  /**
   * Records how the model patch ended: its status, the reason (added to `patches_error`, which may already hold the
   * analysers' failure), and a diagnosis with nothing fixable by the analysers becomes `ready` once a model patch exists.
   */
  async setModelPatch(id: string, status: ModelPatchStatus, reason: string | null): Promise<void> {
    await this.db.query(
      `UPDATE ${DIAGNOSES} SET model_patch_status = $2,
         patches_error = CASE WHEN $3::text IS NULL THEN patches_error WHEN patches_error IS NULL THEN $3::text ELSE patches_error || '; ' || $3::text END,
         patches_status = CASE WHEN $2 = 'proposed' AND patches_status = 'none' THEN 'ready' ELSE patches_status END,
         updated_at = now()
       WHERE id = $1`,
      [id, status, reason],
    );
  }

  async setShape(id: string, shape: readonly number[]): Promise<void> {
    await this.db.query(`UPDATE ${DIAGNOSES} SET shape = $2, updated_at = now() WHERE id = $1`, [id, shape.map(String)]);
  }

  async insertPatch(tx: Queryable, p: Omit<PatchRow, 'created_at' | 'status' | 'decision_id' | 'workspace' | 'requested_by' | 'scheduled_for' | 'applied_at' | 'apply_result' | 'error'>): Promise<PatchRow> {
    const { rows } = await tx.query<PatchRow>(
      `INSERT INTO ${PATCHES} (id, diagnosis_id, origin, title, rules, files, safety_class, diff, final_content, confidence, mansidao_score, lines_changed, functions_modified, functions,
         reversibility, breaking_change, breaking_changes, within_limits, requires_human_review, verified, verification_rejected, verification, verification_ms, status)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, 'proposed') RETURNING *`,
      [p.id, p.diagnosis_id, p.origin, p.title, p.rules, p.files, p.safety_class, p.diff, JSON.stringify(p.final_content), p.confidence, p.mansidao_score, p.lines_changed, p.functions_modified,
        p.functions, p.reversibility, p.breaking_change, JSON.stringify(p.breaking_changes), p.within_limits, p.requires_human_review, p.verified, p.verification_rejected,
        JSON.stringify(p.verification), p.verification_ms],
    );
    return rows[0]!;
  }

  /** Best first: verified, then confidence, then gentleness. */
  async patches(diagnosisId: string): Promise<PatchRow[]> {
    const { rows } = await this.db.query<PatchRow>(`SELECT ${SUMMARY_COLUMNS} FROM ${PATCHES} WHERE diagnosis_id = $1 ORDER BY verified DESC, confidence DESC, mansidao_score DESC, created_at, id`, [diagnosisId]);
    return rows;
  }

  async patch(id: string, q: Queryable = this.db, forUpdate = false): Promise<PatchRow> {
    if (!isUuid(id)) throw new PenelopeErrors.PatchNotFound(id);
    const { rows } = await q.query<PatchRow>(`SELECT * FROM ${PATCHES} WHERE id = $1${forUpdate ? ' FOR UPDATE' : ''}`, [id]);
    if (!rows[0]) throw new PenelopeErrors.PatchNotFound(id);
    return rows[0];
  }

  async updatePatch(q: Queryable, id: string, fields: Partial<Pick<PatchRow, 'status' | 'decision_id' | 'workspace' | 'requested_by' | 'scheduled_for' | 'applied_at' | 'apply_result' | 'error'>>): Promise<PatchRow> {
    const keys = Object.keys(fields) as (keyof typeof fields)[];
    const values = keys.map((k) => {
      const v = fields[k];
      if (k === 'apply_result') return v === null || v === undefined ? null : JSON.stringify(v);
      return v instanceof Date ? v.toISOString() : v;
    });
    const { rows } = await q.query<PatchRow>(`UPDATE ${PATCHES} SET ${keys.map((k, i) => `${k} = $${i + 2}`).join(', ')}, updated_at = now() WHERE id = $1 RETURNING *`, [id, ...values]);
    return rows[0]!;
  }

  async history(query: HistoryQuery): Promise<HistoryList> {
    const filters = sqlFilters();
    const { add, params } = filters;
    if (query.language) add('d.language = ?', query.language);
    if (query.rule) add('? = ANY(d.rules)', query.rule);
    if (query.status) add(`EXISTS (SELECT 1 FROM ${PATCHES} s WHERE s.diagnosis_id = d.id AND s.status = ?)`, query.status);
    if (query.since) add('d.created_at >= ?', new Date(query.since).toISOString());
    if (query.cursor) filters.before('d.created_at, d.id', decodeCursor(query.cursor));
    const limit = query.limit ?? 50;
    params.push(limit + 1);
    const { rows } = await this.db.query<DiagnosisRow>(
      `SELECT d.id, d.language, d.focus, d.file_names, d.rules, d.total_issues, d.errors, d.warnings, d.infos, d.patches_status, d.analysis_ms, d.created_by, d.created_at
       FROM ${DIAGNOSES} d ${filters.clause()} ORDER BY d.created_at DESC, d.id DESC LIMIT $${params.length}`,
      params,
    );
    const page = rows.slice(0, limit);
    const ids = page.map((r) => r.id);
    const patches = ids.length
      ? (await this.db.query<PatchRow & { diagnosis_id: string }>(
          `SELECT id, diagnosis_id, title, safety_class, confidence, mansidao_score, verified, status, decision_id, applied_at, error, verification_ms FROM ${PATCHES}
           WHERE diagnosis_id = ANY($1::uuid[]) ORDER BY verified DESC, confidence DESC, id`,
          [ids],
        )).rows
      : [];
    const data: HealingCase[] = page.map((r) => ({
      diagnosis_id: r.id,
      language: r.language,
      focus: r.focus,
      files: r.file_names,
      rules: r.rules,
      total_issues: r.total_issues,
      issues_by_severity: { error: r.errors, warning: r.warnings, info: r.infos },
      patches_status: r.patches_status,
      analysis_ms: r.analysis_ms,
      created_by: r.created_by,
      created_at: iso(r.created_at)!,
      patches: patches
        .filter((p) => p.diagnosis_id === r.id)
        .map((p) => ({
          id: p.id,
          title: p.title,
          safety_class: p.safety_class,
          confidence: p.confidence,
          mansidao_score: p.mansidao_score,
          verified: p.verified,
          status: p.status,
          decision_id: p.decision_id,
          applied_at: iso(p.applied_at),
          error: p.error,
          verification_ms: p.verification_ms,
        })),
    }));
    const last = page.at(-1);
    return { data, next_cursor: rows.length > limit && last ? encodeKeysetCursor(last.created_at, last.id) : null };
  }

  /** Past diagnoses of one language (newest first), for the precedent search. */
  async precedentCandidates(language: HealingLanguage, exclude: string, limit: number): Promise<{ id: string; rules: string[]; file_names: string[]; shape: number[]; created_at: string; statuses: PatchStatus[] }[]> {
    const { rows } = await this.db.query<{ id: string; rules: string[]; file_names: string[]; shape: (string | number)[] | null; created_at: Date | string; statuses: PatchStatus[] | null }>(
      `SELECT d.id, d.rules, d.file_names, d.shape, d.created_at, (SELECT array_agg(p.status) FROM ${PATCHES} p WHERE p.diagnosis_id = d.id) AS statuses
       FROM ${DIAGNOSES} d WHERE d.language = $1 AND d.id <> $2 ORDER BY d.created_at DESC, d.id DESC LIMIT $3`,
      [language, exclude, limit],
    );
    return rows.map((r) => ({ id: r.id, rules: r.rules, file_names: r.file_names, shape: (r.shape ?? []).map(Number), created_at: iso(r.created_at)!, statuses: r.statuses ?? [] }));
  }
}
