/** A CLI command, declared as data: the spec drives parsing and `--help`; `run` returns an exit code or throws ExitError. */
export interface CommandSpec<Opts = Record<string, unknown>> {
  readonly name: string;
  readonly summary: string;
  readonly description?: string;
  readonly args?: readonly ArgSpec[];
  readonly options?: readonly OptionSpec[];
  readonly examples?: readonly { readonly command: string; readonly explains: string }[];
  run(args: readonly string[], options: Opts, io: CommandIO): Promise<number | void>;
}

export interface ArgSpec {
  readonly name: string;
  readonly description: string;
  readonly required?: boolean;
  readonly choices?: readonly string[];
}

export interface OptionSpec {
  /** Commander flags, e.g. `--port <port>` or `--json`. */
  readonly flags: string;
  readonly description: string;
  readonly default?: string | boolean;
  readonly env?: string;
}

export interface CommandIO {
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Resolves when the user asks to stop (Ctrl-C / SIGTERM): long-running commands wait on it. */
  readonly interrupted: Promise<NodeJS.Signals>;
  /** Aborted at the same moment as `interrupted` resolves: pass it to SDK calls (`{ signal: io.signal }`) so that Ctrl-C cancels them. */
  readonly signal?: AbortSignal;
}

/** Thrown by a command to end with a message and an exit code; only the entry point exits. */
export class ExitError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'ExitError';
  }
}

export function defineCommand<Opts>(spec: CommandSpec<Opts>): CommandSpec<Opts> {
  return spec;
}
