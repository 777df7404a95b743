import type { Diagnosis, PatchSummary } from '@maximus/contracts';
import { bestOf, bestPanel, modelFailure, summary } from '../../commands/heal/index.js';
import { collect } from '../../commands/heal/files.js';
import { completePath } from '../completion.js';
import { Cancelled, pause, type SlashCommand, type TuiContext } from '../context.js';

/**
 * `/heal <path>`: `maximus heal` inside the TUI: the issues, the model's patch when core has a language model, the best
 * verified patch as a diff, then (for an operator or admin) a y/N question to ask for it to be applied through a
 * governance decision.
 */
export const heal: SlashCommand = {
  name: 'heal',
  usage: '<path>',
  summary: 'PENELOPE diagnoses code and proposes a verified patch',
  service: 'PENELOPE healing',
  complete: (index, partial) => (index === 0 ? completePath(partial) : []),
  async run(ctx, args) {
    const [path] = args;
    if (!path) return ctx.say('usage: /heal <path>: a file, or a directory of Python, TypeScript or JavaScript files');
    const collected = collect(path);
    const files = `${collected.files.length} ${collected.language} file${collected.files.length === 1 ? '' : 's'}`;
    const diagnosis = await ctx.progress(`diagnosing ${files}`, (signal) =>
      ctx.client.healing.diagnose({ language: collected.language, files: collected.files, ...(collected.tests.length ? { tests: collected.tests } : {}) }, { signal }),
    );
    ctx.say(summary(diagnosis, ctx.stream));
    const built = await ctx.progress('building and verifying patches', (signal) => patchesOf(ctx, diagnosis, signal, (d) => d.patches_status !== 'pending'));
    const done = await ctx.progress('asking the language model for a patch', (signal) => patchesOf(ctx, built, signal, (d) => d.model_patch_status !== 'pending'));
    const patches = done.patches_status === 'ready' ? (await ctx.progress('patches', (signal) => ctx.client.healing.patches.list({ diagnosis_id: done.id }, { signal }))).data : [];
    const best = bestOf(patches);
    const model = patches.find((p) => p.origin === 'model');
    const failure = modelFailure(done);
    if (failure) ctx.say(`No model patch: ${failure}`);
    if (done.patches_status === 'failed') return ctx.say(`Patches could not be built: ${done.patches_error ?? 'unknown error'}`);
    if (model && model !== best) show(ctx, bestPanel(model, ctx.stream, 'Also proposed'));
    if (!best) return ctx.say(patches.length ? `No patch passed verification (${patches.length} rejected).` : 'No patch to propose.');
    show(ctx, bestPanel(best, ctx.stream));
    if (ctx.principal?.role === 'readonly') return;
    await offerToApply(ctx, best, collected.root);
  },
};

/** The patch's scores wrap (the mansidão score must show); its diff is cut to the width, as diffs are. */
function show(ctx: TuiContext, panel: string): void {
  const cut = panel.indexOf('\n\n');
  ctx.say(cut < 0 ? panel : panel.slice(0, cut));
  if (cut >= 0) ctx.print(panel.slice(cut + 1));
}

/** Polls the diagnosis until `done` says so (the analysers' patches, then the model's). */
async function patchesOf(ctx: TuiContext, diagnosis: Diagnosis, signal: AbortSignal, done: (d: Diagnosis) => boolean): Promise<Diagnosis> {
  let d = diagnosis;
  while (!done(d)) {
    await pause(500, signal);
    if (signal.aborted) throw new Cancelled();
    d = await ctx.client.healing.retrieve(d.id, { signal });
  }
  return d;
}

async function offerToApply(ctx: TuiContext, best: PatchSummary, workspace: string): Promise<void> {
  ctx.say(`Applying it writes into ${workspace} once a person approves the governance decision.`);
  const answer = (await ctx.ask('Ask for it to be applied? [y/N] › '))?.trim().toLowerCase();
  if (answer !== 'y' && answer !== 'yes') return ctx.say('not applied');
  const { decision } = await ctx.progress('asking', (signal) => ctx.client.healing.patches.apply(best.id, { workspace }, { signal }));
  ctx.hints.set('governance', [...new Set([decision.id, ...(ctx.hints.get('governance') ?? [])])]);
  ctx.say(`→ decision ${decision.id}: ${decision.status} (${decision.risk_level} risk, ${decision.tier} tier)${decision.status === 'pending' ? `: /governance approve ${decision.id.slice(0, 8)}` : ''}`);
}
