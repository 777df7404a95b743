/**
 * What the mansidão measurement needs to know about one version of one file, from its AST (TypeScript's compiler API
 * for TypeScript and JavaScript, Python's `ast` module for Python). Lines are 1-based.
 */
export interface CodeFacts {
  parse_ok: boolean;
  /** Every function, method, lambda/arrow assigned to a name; `name` is qualified (`Class.method`, `outer.inner`). */
  functions: { name: string; start_line: number; end_line: number }[];
  /** Every statement at any depth. */
  statements: StatementFact[];
  /** The public surface: exported (TS/JS) or non-underscore top-level (Python) functions, classes, methods, and routes. */
  public_api: { kind: 'function' | 'class' | 'method' | 'route'; name: string; signature: string }[];
}

export interface StatementFact {
  start_line: number;
  end_line: number;
  depth: number;
  /** Running it has an effect: a call, an await, a raise/throw, a delete, an assignment to an attribute or element. */
  effectful: boolean;
  /** A function or class definition. */
  declaration: boolean;
  /** After a return, raise/throw, break or continue of the same block: it never runs. */
  unreachable: boolean;
  /** Its source with whitespace collapsed (a statement moved elsewhere is not deleted). */
  text: string;
}
