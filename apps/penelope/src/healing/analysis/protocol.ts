import type { HealingLanguage, SourceFile } from '@maximus/contracts';
import type { AssessRequest, Candidate, ProposeRequest } from './engine.js';
import type { AnalyseRequest, AnalyseResult } from './types.js';

/** Messages to an analyser worker, and what each answers. */
export type WorkerRequest =
  | { id: number; op: 'warm' }
  | { id: number; op: 'analyse'; payload: AnalyseRequest }
  | { id: number; op: 'propose'; payload: ProposeRequest }
  | { id: number; op: 'assess'; payload: AssessRequest }
  | { id: number; op: 'kinds'; payload: { language: HealingLanguage; files: SourceFile[] } }
  | { id: number; op: 'transpile'; payload: { files: SourceFile[] } };

export interface WorkerResults {
  warm: { language: HealingLanguage; ms: number }[];
  analyse: AnalyseResult;
  propose: { before: AnalyseResult; candidates: Candidate[] };
  assess: Candidate;
  kinds: Record<string, string[]>;
  transpile: { files: SourceFile[]; esm: boolean };
}

export type WorkerOp = keyof WorkerResults;
export type WorkerPayload<Op extends WorkerOp> = Extract<WorkerRequest, { op: Op }> extends { payload: infer P } ? P : undefined;
