import Type from 'typebox';

export const ValidationIssue = Type.Object({
  /** JSON Pointer (RFC 6901) to the bad field, rooted at the request part: `/body/query`, `/querystring/limit`. */
  pointer: Type.String(),
  message: Type.String(),
});
export type ValidationIssue = Type.Static<typeof ValidationIssue>;

/** RFC 9457 problem details, plus a stable `code` and the `request_id`. */
export const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer({ minimum: 400, maximum: 599 }),
    detail: Type.String(),
    code: Type.String({ pattern: '^[A-Z]+_ERR_[A-Z0-9_]+$' }),
    request_id: Type.String(),
    instance: Type.Optional(Type.String()),
    errors: Type.Optional(Type.Array(ValidationIssue)),
  },
  { additionalProperties: true },
);
export type Problem = Type.Static<typeof Problem>;

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
