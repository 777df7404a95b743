import type { SafetyStatus } from '@maximus/contracts';
import { read } from '../../commands/consciousness/index.js';
import { renderPanel } from '../../commands/consciousness/panel.js';
import { describeApiError } from '../../errors.js';
import { painter } from '../../output.js';
import { isMissingRoute, type SlashCommand, type TuiContext } from '../context.js';

/**
 * `/consciousness [seconds]`: the panel of `maximus consciousness` (arousal, TIG, recent ignitions) under the
 * kill switch's state, redrawn every N seconds (default 2) until a key or Ctrl-C; as many ignitions as fit.
 */
export const consciousness: SlashCommand = {
  name: 'consciousness',
  usage: '[seconds]',
  summary: 'live view of core: arousal, TIG, ignitions, kill switch',
  service: 'The consciousness model (core)',
  async run(ctx, args) {
    const seconds = args[0] === undefined ? 2 : Number(args[0]);
    if (!Number.isFinite(seconds) || seconds < 0.5) return ctx.say(`usage: /consciousness [seconds], 0.5 or more (not "${args[0]}")`);
    await ctx.live((signal) => view(ctx, signal), seconds * 1000);
  },
};

async function view(ctx: TuiContext, signal: AbortSignal): Promise<string> {
  const c = painter(ctx.stream);
  // The panel without ignitions takes about 16 rows; the live view keeps 4 for the prompt, its footer and the status bar.
  const recent = ctx.interactive ? Math.min(8, Math.max(1, ctx.rows - 21)) : 8;
  const [safety, panel] = await Promise.all([
    ctx.client.consciousness.safety.status({ signal }).then(
      (s) => killSwitch(s, ctx),
      (error: unknown) => c.red(`kill switch: ${describeApiError(error).message}`),
    ),
    read(ctx.client, recent, { signal }).then(
      (data) => renderPanel(data, ctx.stream),
      (error: unknown) => {
        if (isMissingRoute(error)) return c.yellow(`The consciousness model (core) is not built yet on the gateway at ${ctx.url}.`);
        throw error;
      },
    ),
  ]);
  return `${panel.trimEnd()}\n\n${safety}`;
}

function killSwitch(s: SafetyStatus, ctx: TuiContext): string {
  const c = painter(ctx.stream);
  const lines = [s.shut_down ? `${c.bold('Kill switch')}  ${c.red('ENGAGED')} since ${s.since ?? '?'}: ${s.reason ?? ''}` : `${c.bold('Kill switch')}  ${c.green('off')}: the platform acts`];
  if (s.pending) lines.push(c.yellow(`  shutdown requested by ${s.pending.requested_by}: executes at ${s.pending.executes_at} unless rejected (decision ${s.pending.decision_id})`));
  return lines.join('\n');
}
