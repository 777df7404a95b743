import { runCliCommand } from '../bridge.js';
import { completePath } from '../completion.js';
import type { SlashCommand } from '../context.js';
import { WIRED, type BridgedName } from '../wiring.js';

/**
 * A slash command that runs the CLI command of the same name (see ../wiring.ts); until that command is
 * wired, it says which service is not built yet.
 */
function bridged(name: BridgedName, summary: string, service: string, usage?: string): SlashCommand {
  return {
    name,
    summary,
    ...(usage ? { usage, complete: (index: number, partial: string) => (index === 0 ? completePath(partial) : []) } : {}),
    async run(ctx, args) {
      const spec = WIRED[name];
      if (!spec) return ctx.say(`${service} is not built yet: /${name} arrives with \`maximus ${name}\`.`);
      await runCliCommand(ctx, spec, args, service);
    },
  };
}

export const heal = bridged('heal', 'diagnose a file and propose patches (PENELOPE)', 'PENELOPE healing', '<path>');
