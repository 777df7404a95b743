import { createError } from '@maximus/kit/errors';

/** PENELOPE healing's error catalogue (docs/errors.md lists every code). */
export const PenelopeErrors = {
  DiagnosisNotFound: createError('PENELOPE_ERR_HEALING_DIAGNOSIS_NOT_FOUND', 'No diagnosis with id %s', 404),
  PatchNotFound: createError('PENELOPE_ERR_HEALING_PATCH_NOT_FOUND', 'No patch with id %s', 404),
  PatchNotVerified: createError('PENELOPE_ERR_HEALING_PATCH_NOT_VERIFIED', 'Patch %s failed verification (%s): it cannot be applied', 409),
  PatchBusy: createError('PENELOPE_ERR_HEALING_PATCH_IN_PROGRESS', 'Patch %s is already %s (decision %s)', 409),
  WorkspaceNotAllowed: createError('PENELOPE_ERR_HEALING_WORKSPACE_NOT_ALLOWED', 'Workspace %s is refused: %s', 400),
  CursorInvalid: createError('PENELOPE_ERR_HEALING_CURSOR_INVALID', 'The cursor is not one this API returned', 400),
  AnalyserUnavailable: createError('PENELOPE_ERR_ANALYSER_UNAVAILABLE', 'The analysers are unavailable: %s', 503),
  AnalyserBusy: createError('PENELOPE_ERR_ANALYSER_BUSY', 'Every analyser is busy (%s jobs waiting): retry shortly', 503),
  AnalysisFailed: createError('PENELOPE_ERR_ANALYSIS_FAILED', 'The analyser failed: %s', 500),
  AnalysisTimeout: createError('PENELOPE_ERR_ANALYSIS_TIMEOUT', 'The analysis took longer than %s ms and was stopped', 504),
} as const;

/** A 400 in the kit's validation shape (`errors: [{pointer, message}]`). */
export function bodyError(pointer: string, message: string): Error {
  const error = new Error(`/body${pointer} ${message}`) as Error & {
    statusCode: number;
    validation: { instancePath: string; keyword: string; message: string; params: Record<string, unknown> }[];
    validationContext: string;
  };
  error.statusCode = 400;
  error.validationContext = 'body';
  error.validation = [{ instancePath: pointer, keyword: 'schema', message, params: {} }];
  return error;
}
