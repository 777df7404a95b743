import type { Principal } from '@maximus/contracts';
import type { Maximus } from '@maximus/sdk';

/** What a slash command gets: the client, the output, and the user (answers, Ctrl-C). */
export interface TuiContext {
  readonly client: Maximus;
  readonly url: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** A terminal (spinner, live refresh) rather than the plain line mode. */
  readonly interactive: boolean;
  /** The stream colours are decided on (`painter(ctx.stream)`); write through `print`. */
  readonly stream: NodeJS.WriteStream;
  readonly columns: number;
  readonly rows: number;
  /** Aborted when the user cancels the command (Ctrl-C): pass it to every SDK call. */
  readonly signal: AbortSignal;
  /** Who the gateway says the user is (undefined until known, or without valid credentials). */
  readonly principal: Principal | undefined;
  /** Values the completer offers for a command's arguments (e.g. the decision ids `/governance` listed). */
  readonly hints: Map<string, readonly string[]>;
  /** Tables and panels: each line cut to the terminal's width. */
  print(text: string): void;
  /** Prose (messages, errors): word-wrapped at the terminal's width. */
  say(text: string): void;
  /** Asks a question; undefined when the user cancels (Ctrl-C) or the input ends. */
  ask(question: string): Promise<string | undefined>;
  /**
   * Runs `work` with a spinner, `label` and the elapsed time (after a short delay, so quick answers do not
   * flicker); `work` may change the label as it goes (`relabel`).
   */
  progress<T>(label: string, work: (signal: AbortSignal, relabel: (label: string) => void) => Promise<T>): Promise<T>;
  /** Redraws `render()` in place every `everyMs` until a key or Ctrl-C (line mode: once). */
  live(render: (signal: AbortSignal) => Promise<string>, everyMs: number): Promise<void>;
}

/** One slash command. */
export interface SlashCommand {
  readonly name: string;
  /** `<path>`, `[list|approve <id>|reject <id> [reason]]`: shown by /help. */
  readonly usage?: string;
  readonly summary: string;
  /** Candidates for argument `index` (0 is the first) that start with `partial`; `args` are those before it. */
  complete?(index: number, partial: string, args: readonly string[], hints: ReadonlyMap<string, readonly string[]>): readonly string[];
  run(ctx: TuiContext, args: readonly string[]): Promise<void | 'quit'>;
}

/** The user cancelled (Ctrl-C): the reason of `ctx.signal`. */
export class Cancelled extends Error {
  constructor() {
    super('cancelled');
    this.name = 'Cancelled';
  }
}

/** `promise`, or a rejection with `Cancelled` as soon as `signal` aborts (for work that does not watch it). */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(new Cancelled());
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Cancelled());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: Error) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** Waits `ms`, or less when `signal` aborts (never rejects). */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
