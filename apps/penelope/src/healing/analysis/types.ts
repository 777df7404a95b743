import type { Analyser, HealingFocus, HealingLanguage, IssueCategory, IssueSeverity, SafetyClass, SourceFile } from '@maximus/contracts';
import type { Edit } from './text.js';

/** One way to fix a finding: the analyser's fix, its suggestion, or a TypeScript code fix. */
export interface FixOption {
  kind: 'fix' | 'suggestion' | 'codefix';
  safety: SafetyClass;
  description: string;
  /** Distinguishes the options of one rule (ESLint's suggestion messageId, the code fix name). */
  id: string;
  edits: Edit[];
}

/** A finding of one analyser, with offsets into its file. */
export interface Finding {
  rule: string;
  source: Analyser;
  message: string;
  severity: IssueSeverity;
  category: IssueCategory;
  file: string;
  start: number;
  end: number;
  line: number;
  column: number;
  end_line: number;
  end_column: number;
  fixes: FixOption[];
  also_reported_by: string[];
}

export interface AnalyseRequest {
  language: HealingLanguage;
  files: SourceFile[];
  focus: HealingFocus;
}

export interface AnalyseResult {
  findings: Finding[];
  /** True when every file parses. */
  parse_ok: boolean;
  analysers: { name: string; version: string }[];
  analysis_ms: number;
}

/** The analyser of one language family, kept warm in a worker. */
export interface LanguageAnalyser {
  readonly versions: { name: string; version: string }[];
  warm(): void;
  analyse(request: AnalyseRequest): AnalyseResult;
}

/** Files keyed by path. */
export type FileMap = Map<string, string>;

export function fileMap(files: readonly SourceFile[]): FileMap {
  return new Map(files.map((f) => [f.path, f.content]));
}

export function toFiles(map: FileMap): SourceFile[] {
  return [...map].map(([path, content]) => ({ path, content }));
}
