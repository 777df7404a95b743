import { createInterface } from 'node:readline';
import { painter } from '../output.js';
import { Cancelled, raceAbort, type TuiContext } from './context.js';
import type { Session } from './session.js';

export interface LineModeOptions {
  readonly session: Session;
  readonly stdin: NodeJS.ReadableStream;
  readonly stdout: NodeJS.WriteStream;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/**
 * The plain mode, when stdout (or stdin) is not a terminal: commands are read from stdin one a line, each
 * echoed after `> ` and followed by its output, without escape codes when stdout is a pipe or a file. Questions
 * take the next line as their answer. Exit code 0, or 1 when a command failed; SIGINT cancels the running
 * command (at rest, it stops reading).
 */
export async function runLineMode({ session, stdin, stdout, env }: LineModeOptions): Promise<number> {
  const c = painter(stdout);
  const rl = createInterface({ input: stdin, terminal: false, crlfDelay: Infinity });
  const lines = rl[Symbol.asyncIterator]();
  const next = async (): Promise<string | undefined> => {
    const r = await lines.next();
    return r.done ? undefined : (r.value);
  };
  let running: AbortController | undefined;
  let interrupted = false;
  const onSigint = () => {
    if (running) return running.abort(new Cancelled());
    interrupted = true;
    rl.close();
  };
  process.on('SIGINT', onSigint);
  // The reader went away (`maximus tui < script | head`): stop reading and writing, quietly.
  let gone = false;
  const onError = (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    gone = true;
    running?.abort(new Cancelled());
    rl.close();
  };
  stdout.on('error', onError);
  const write = (text: string) => {
    if (!gone) stdout.write(text);
  };

  await session.refresh();
  const who = session.principal ? `${session.principal.id} (${session.principal.role})` : session.state === 'unauthorised' ? 'no valid credentials' : 'unknown principal';
  write(`maximus tui (line mode): gateway ${session.url}, ${who}, ${session.state}\n`);
  let failed = false;
  try {
    for (let line = await next(); line !== undefined; line = await next()) {
      if (!line.trim() || line.trim().startsWith('#')) continue;
      write(`> ${line}\n`);
      const controller = new AbortController();
      running = controller;
      const ctx: TuiContext = {
        client: session.client,
        url: session.url,
        env,
        interactive: false,
        stream: stdout,
        columns: stdout.isTTY ? stdout.columns : 100,
        rows: stdout.isTTY ? stdout.rows : 24,
        signal: controller.signal,
        principal: session.principal,
        hints: session.hints,
        print: (text) => write(text.endsWith('\n') ? text : `${text}\n`),
        say: (text) => ctx.print(text),
        async ask(question) {
          write(question);
          const answer = controller.signal.aborted ? undefined : await next();
          write(`${answer ?? ''}\n`);
          return answer;
        },
        progress: (_label, work) => raceAbort(work(controller.signal, () => undefined), controller.signal),
        // No refresh without a terminal: the view once.
        live: async (render) => {
          ctx.print(await raceAbort(render(controller.signal), controller.signal));
        },
      };
      const outcome = await session.execute(line, ctx);
      running = undefined;
      if (outcome === 'failed') failed = true;
      if (outcome === 'quit') break;
    }
  } finally {
    process.off('SIGINT', onSigint);
    stdout.off('error', onError);
    rl.close();
  }
  if (interrupted) write(c.yellow('interrupted\n'));
  return interrupted ? 130 : failed ? 1 : 0;
}
