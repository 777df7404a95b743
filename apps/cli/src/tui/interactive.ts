import { createInterface, emitKeypressEvents, type Interface } from 'node:readline';
import { describeApiError } from '../errors.js';
import { fit, painter } from '../output.js';
import { completer } from './completion.js';
import { Cancelled, pause, raceAbort, type TuiContext } from './context.js';
import { History, HISTORY_SIZE, historyPath } from './history.js';
import { createScreen } from './screen.js';
import type { Outcome, Session } from './session.js';
import { ANSI, elapsed, glyphs, unicodeTerminal, wrap } from './terminal.js';

export interface TerminalOptions {
  readonly session: Session;
  readonly stdin: NodeJS.ReadStream;
  readonly stdout: NodeJS.WriteStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Resolves on SIGTERM (Ctrl-C reaches the app as a key, not as a signal). */
  readonly interrupted: Promise<NodeJS.Signals>;
}

interface Key {
  readonly name?: string;
  readonly ctrl?: boolean;
}

/**
 * The interactive mode: a readline prompt (history, Tab completion) above a status bar. While a command runs,
 * the prompt is closed and the keys are read raw: Ctrl-C aborts the command's signal, any key ends a live view.
 */
export async function runInteractive({ session, stdin, stdout, env, interrupted }: TerminalOptions): Promise<number> {
  const paint = painter(stdout);
  const g = glyphs(unicodeTerminal(env));
  const screen = createScreen(stdout, paint, g, { url: session.url, state: session.state });
  const history = new History(historyPath(env));
  const complete = completer(session.commands, session.hints);
  let warning: string | undefined;
  let stopSignal: NodeJS.Signals | undefined;
  let prompt: Interface | undefined;
  let running: AbortController | undefined;
  session.onChange((s) => screen.setStatus({ state: s.state, principal: s.principal?.id, role: s.principal?.role }));
  void interrupted.then((signal) => {
    stopSignal = signal;
    running?.abort(new Cancelled());
    prompt?.close();
  });

  const readLine = () =>
    new Promise<string | undefined>((resolve) => {
      const rl = createInterface({ input: stdin, output: screen.output, terminal: true, history: history.newestFirst, historySize: HISTORY_SIZE, removeHistoryDuplicates: true, completer: complete, tabSize: 4 });
      prompt = rl;
      let settled = false;
      let armed = false; // a first Ctrl-C at an empty prompt arms the second one
      const finish = (line: string | undefined) => {
        if (settled) return;
        settled = true;
        prompt = undefined;
        rl.close();
        resolve(line);
      };
      rl.on('history', (entries: string[]) => {
        warning = history.save(entries) ?? warning;
      });
      rl.on('line', finish);
      rl.on('close', () => {
        if (!settled) screen.write('\n');
        finish(undefined);
      });
      rl.on('SIGINT', () => {
        if (rl.line) {
          rl.write(null, { ctrl: true, name: 'e' });
          rl.write(null, { ctrl: true, name: 'u' });
          armed = false;
          return;
        }
        if (armed) {
          screen.write('\n');
          return finish(undefined);
        }
        armed = true;
        screen.write('\n');
        screen.print(paint.dim('(Ctrl-C again, Ctrl-D or /quit to leave)'));
        rl.prompt();
      });
      rl.on('SIGTSTP', () => {
        // Ctrl-Z: give the shell a whole screen while stopped, and take the status bar back on return.
        screen.teardown();
        process.once('SIGCONT', () => {
          stdin.setRawMode(true);
          screen.setup();
          rl.prompt(true);
        });
        process.kill(process.pid, 'SIGTSTP');
      });
      rl.setPrompt(paint.bold('maximus') + g.prompt);
      rl.prompt();
    });

  const runLine = async (line: string): Promise<Outcome> => {
    const controller = new AbortController();
    running = controller;
    let anyKey: (() => void) | undefined;
    const onKey = (_text: string | undefined, key: Key | undefined) => {
      if (key?.ctrl && key.name === 'c') controller.abort(new Cancelled());
      else anyKey?.();
    };
    const keys = {
      on() {
        stdin.setRawMode(true);
        stdin.on('keypress', onKey);
        stdin.resume();
      },
      off() {
        stdin.off('keypress', onKey);
        stdin.setRawMode(false);
        stdin.pause();
      },
    };
    emitKeypressEvents(stdin);
    keys.on();

    const ask = (question: string) =>
      new Promise<string | undefined>((resolve) => {
        if (controller.signal.aborted) return resolve(undefined);
        keys.off();
        screen.clearTransient();
        const rl = createInterface({ input: stdin, output: screen.output, terminal: true, historySize: 0 });
        prompt = rl;
        let settled = false;
        const finish = (answer: string | undefined) => {
          if (settled) return;
          settled = true;
          prompt = undefined;
          rl.close();
          keys.on();
          resolve(answer);
        };
        rl.on('line', finish);
        rl.on('SIGINT', () => {
          screen.write('^C\n');
          controller.abort(new Cancelled());
          finish(undefined);
        });
        rl.on('close', () => {
          if (!settled) screen.write('\n');
          finish(undefined);
        });
        rl.setPrompt(question);
        rl.prompt();
      });

    const progress = async <T>(initial: string, work: (signal: AbortSignal, relabel: (label: string) => void) => Promise<T>): Promise<T> => {
      const started = performance.now();
      let frame = 0;
      let label = initial;
      const draw = () => screen.transient(`${paint.cyan(g.spinner[frame++ % g.spinner.length]!)} ${label} ${elapsed(started)}  ${paint.dim('Ctrl-C cancels')}`);
      let ticking: NodeJS.Timeout | undefined;
      const delay = setTimeout(() => {
        draw();
        ticking = setInterval(draw, 100);
      }, 150);
      try {
        return await raceAbort(
          work(controller.signal, (next) => {
            label = next;
          }),
          controller.signal,
        );
      } finally {
        clearTimeout(delay);
        clearInterval(ticking);
        screen.clearTransient();
      }
    };

    const live = async (render: (signal: AbortSignal) => Promise<string>, everyMs: number) => {
      const stop = new AbortController();
      const end = () => stop.abort();
      controller.signal.addEventListener('abort', end, { once: true });
      anyKey = end;
      let drawn = 0;
      try {
        while (!stop.signal.aborted) {
          let text: string;
          try {
            text = await raceAbort(render(stop.signal), stop.signal);
          } catch (error) {
            if (stop.signal.aborted) break;
            text = wrap(paint.red(describeApiError(error).message), screen.columns);
          }
          const lines = fit(text, screen.columns).split('\n').slice(0, Math.max(1, screen.rows - 4));
          lines.push('', fit(paint.dim(`every ${everyMs / 1000} s; any key or Ctrl-C stops`), screen.columns));
          screen.write((drawn ? `${ANSI.up(drawn)}\r${ANSI.clearDown}` : '') + lines.join('\n') + '\n');
          drawn = lines.length;
          await pause(everyMs, stop.signal);
        }
      } finally {
        anyKey = undefined;
        controller.signal.removeEventListener('abort', end);
      }
    };

    const ctx: TuiContext = {
      client: session.client,
      url: session.url,
      env,
      interactive: true,
      stream: stdout,
      get columns() {
        return screen.columns;
      },
      get rows() {
        return screen.rows;
      },
      signal: controller.signal,
      principal: session.principal,
      hints: session.hints,
      print: (text) => screen.print(text),
      say: (text) => screen.print(wrap(text, screen.columns)),
      ask,
      progress,
      live,
    };
    try {
      return await session.execute(line, ctx);
    } finally {
      keys.off();
      running = undefined;
    }
  };

  screen.setup();
  screen.print(wrap(`${paint.bold('MAXIMUS')}: /help lists the commands; Tab completes; Ctrl-D leaves.`, screen.columns));
  void session.refresh();
  const poll = setInterval(() => void session.refresh(), 15_000);
  poll.unref();
  try {
    while (!stopSignal) {
      const line = await readLine();
      if (line === undefined) break;
      const outcome = await runLine(line);
      if (warning) screen.print(paint.yellow(warning));
      warning = undefined;
      if (outcome === 'quit') break;
      if (line.trim()) void session.refresh();
    }
  } finally {
    clearInterval(poll);
    screen.teardown();
    stdin.pause();
  }
  return stopSignal === 'SIGTERM' ? 143 : stopSignal ? 130 : 0;
}
