import { painter, table } from '../../output.js';
import type { SlashCommand } from '../context.js';

/** `/help`: the commands of `all()` and the keys. */
export function help(all: () => readonly SlashCommand[]): SlashCommand {
  return {
    name: 'help',
    summary: 'this list',
    run(ctx) {
      const c = painter(ctx.stream);
      const rows = all().map((command) => [c.bold(`/${command.name}`) + (command.usage ? ` ${command.usage}` : ''), command.summary]);
      ctx.print(
        table(['COMMAND', 'WHAT IT DOES'], rows) +
          (ctx.interactive ? '\nTab completes commands and paths, Up/Down walk the history, Ctrl-C cancels a\ncommand (twice at an empty prompt: leave), Ctrl-D or /quit leaves.\n' : ''),
      );
      return Promise.resolve();
    },
  };
}

/** `/quit` (`/exit` is taken for it too). */
export const quit: SlashCommand = { name: 'quit', summary: 'leave (Ctrl-D too)', run: () => Promise.resolve('quit') };
