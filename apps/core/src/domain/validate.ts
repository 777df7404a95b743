import type { TSchema } from 'typebox';
import { Value } from 'typebox/value';

export interface ParamIssue {
  /** JSON Pointer inside the params (`/address`). */
  path: string;
  message: string;
}

/** The params' problems against an action's schema (empty when valid). */
export function paramIssues(schema: TSchema, params: unknown): ParamIssue[] {
  const issues: ParamIssue[] = [];
  for (const e of Value.Errors(schema, params)) {
    if (e.keyword === 'boolean') continue; // reported again as additionalProperties
    const extra = (e.params as { additionalProperties?: string[]; requiredProperties?: string[]; missingProperty?: string }) ?? {};
    if (e.keyword === 'additionalProperties' && extra.additionalProperties) {
      for (const name of extra.additionalProperties) issues.push({ path: `${e.instancePath}/${name}`, message: 'is not an allowed property' });
    } else if (e.keyword === 'required' && extra.requiredProperties) {
      for (const name of extra.requiredProperties) issues.push({ path: `${e.instancePath}/${name}`, message: 'is required' });
    } else {
      issues.push({ path: e.instancePath, message: e.message });
    }
  }
  return issues;
}
