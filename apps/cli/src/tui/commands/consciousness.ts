import type { SafetyStatus } from '@maximus/contracts';
import { NotFoundError } from '@maximus/sdk';
import { describeApiError } from '../../errors.js';
import { painter } from '../../output.js';
import type { SlashCommand, TuiContext } from '../context.js';
import { CONSCIOUSNESS_VIEW } from '../wiring.js';

/** `/consciousness [seconds]`: a live view (kill switch, and the state once core serves it) until a key or Ctrl-C. */
export const consciousness: SlashCommand = {
  name: 'consciousness',
  usage: '[seconds]',
  summary: 'live view of core: kill switch, arousal, TIG, ESGT',
  async run(ctx, args) {
    const seconds = args[0] === undefined ? 2 : Number(args[0]);
    if (!Number.isFinite(seconds) || seconds < 0.5) return ctx.say(`usage: /consciousness [seconds], 0.5 or more (not "${args[0]}")`);
    await ctx.live((signal) => view(ctx, signal), seconds * 1000);
  },
};

async function view(ctx: TuiContext, signal: AbortSignal): Promise<string> {
  const c = painter(ctx.stream);
  const [safety, state] = await Promise.all([
    ctx.client.consciousness.safety.status({ signal }).then(
      (s) => renderSafety(s, ctx),
      (error: unknown) => c.red(`kill switch: ${describeApiError(error).message}`),
    ),
    CONSCIOUSNESS_VIEW
      ? CONSCIOUSNESS_VIEW(ctx.client, ctx.stream, signal).catch((error: unknown) =>
          error instanceof NotFoundError && error.code === 'KIT_ERR_HTTP_NOT_FOUND'
            ? 'The consciousness state (core) is not built yet on this gateway.'
            : c.red(describeApiError(error).message),
        )
      : Promise.resolve('The consciousness state (core: arousal, TIG, ESGT) is not built yet.'),
  ]);
  return `${c.bold('MAXIMUS consciousness')}  ${new Date().toISOString().slice(11, 19)} UTC\n\n${safety}\n\n${state}`;
}

function renderSafety(s: SafetyStatus, ctx: TuiContext): string {
  const c = painter(ctx.stream);
  const lines = [s.shut_down ? `kill switch ${c.red('ENGAGED')} since ${s.since ?? '?'}: ${s.reason ?? ''}` : `kill switch ${c.green('off')}: the platform acts`];
  if (s.pending) lines.push(c.yellow(`shutdown requested by ${s.pending.requested_by}: executes at ${s.pending.executes_at} unless rejected (decision ${s.pending.decision_id})`));
  return lines.join('\n');
}
