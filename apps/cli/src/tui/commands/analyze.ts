import { DEFAULT_QUESTION, footer } from '../../commands/analyze/index.js';
import { collectSources } from '../../commands/analyze/sources.js';
import { completePath } from '../completion.js';
import type { SlashCommand } from '../context.js';

/**
 * `/analyze <path> [question…]`: `maximus analyze --stream` inside the TUI. The answer's lines are printed as
 * they arrive, the spinner names the pipeline's stage, Ctrl-C aborts the query.
 */
export const analyze: SlashCommand = {
  name: 'analyze',
  usage: '<path> [question]',
  summary: 'MAXIMUS core analyses a file or a directory',
  complete: (index, partial) => (index === 0 ? completePath(partial) : []),
  async run(ctx, args) {
    const [target, ...words] = args;
    if (!target || target === '-') return ctx.say('usage: /analyze <path> [question]: a file or a directory of source files');
    const sources = await collectSources(target, process.stdin);
    for (const skipped of sources.skipped) ctx.say(`left out ${skipped}`);
    const params = { query: words.length ? words.join(' ') : DEFAULT_QUESTION, context: sources.context };
    let line = '';
    const answer = await ctx.progress(`analysing ${sources.files} file${sources.files === 1 ? '' : 's'}`, async (signal, relabel) => {
      const stream = ctx.client.query.stream(params, { timeout: 300_000, signal });
      for await (const event of stream) {
        if (event.type === 'stage') relabel(`analysing: ${event.stage.stage}`);
        else if (event.type === 'tool') relabel(`analysing: ${event.result.tool} ${event.result.status}`);
        else if (event.type === 'delta') {
          line += event.text;
          const cut = line.lastIndexOf('\n');
          if (cut >= 0) {
            // One line at a time: print() takes a trailing newline as the end of its text, and blank lines matter.
            for (const complete of line.slice(0, cut).split('\n')) ctx.say(complete);
            line = line.slice(cut + 1);
          }
        }
      }
      return stream.finalResponse();
    });
    if (line) ctx.say(line);
    ctx.say(footer(answer, ctx.stream).replace(/^\n|\n$/g, ''));
  },
};
