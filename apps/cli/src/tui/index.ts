import { gatewayClient } from '../client.js';
import type { CommandIO } from '../spec.js';
import { ALIASES, SLASH_COMMANDS } from './commands/index.js';
import { runInteractive } from './interactive.js';
import { runLineMode } from './line-mode.js';
import { Session } from './session.js';

export interface TuiOptions {
  url?: string;
  /** Line mode even in a terminal. */
  plain?: boolean;
}

/** Whether `maximus tui` would draw its interactive screen here (both ends a terminal, and not a dumb one). */
export function isInteractiveTerminal(io: Pick<CommandIO, 'stdout' | 'env'>, stdin: NodeJS.ReadStream = process.stdin): boolean {
  return Boolean(stdin.isTTY && io.stdout.isTTY && io.env.TERM !== 'dumb');
}

/**
 * The TUI: interactive on a terminal (prompt, history, completion, status bar, Ctrl-C cancels), the plain line
 * mode otherwise (commands from stdin, output without escapes). Resolves with the exit code.
 */
export async function runTui(options: TuiOptions, io: CommandIO): Promise<number> {
  const { client, url } = gatewayClient(options, io, { maxRetries: 1 });
  const session = new Session(client, url, SLASH_COMMANDS, ALIASES);
  try {
    if (!options.plain && isInteractiveTerminal(io)) {
      return await runInteractive({ session, stdin: process.stdin, stdout: io.stdout, env: io.env, interrupted: io.interrupted });
    }
    return await runLineMode({ session, stdin: process.stdin, stdout: io.stdout, env: io.env });
  } finally {
    await client.close();
  }
}
