import type { Decision } from '@maximus/contracts';
import { panel } from '../../commands/governance/index.js';
import { describeApiError } from '../../errors.js';
import { painter } from '../../output.js';
import type { SlashCommand, TuiContext } from '../context.js';

const ACTIONS = ['list', 'approve', 'reject'];
const USAGE = '[approve|reject <id>]';

/**
 * `/governance`: the pending decisions as panels, each followed by a question (y approves, n asks a reason and
 * rejects, s skips, q stops); `/governance approve|reject <id>` decides one (the id from the list, or a unique
 * prefix of it) after a y/N confirmation.
 */
export const governance: SlashCommand = {
  name: 'governance',
  usage: USAGE,
  summary: 'pending decisions: y approves, n rejects',
  complete(index, partial, args, hints) {
    if (index === 0) return ACTIONS.filter((a) => a.startsWith(partial));
    if (index === 1 && (args[0] === 'approve' || args[0] === 'reject')) return (hints.get('governance') ?? []).filter((id) => id.startsWith(partial));
    return [];
  },
  async run(ctx, args) {
    const [action = 'list', id, ...rest] = args;
    if (action === 'list') return review(ctx);
    if ((action === 'approve' || action === 'reject') && id) return decideOne(ctx, action, id, rest.join(' ').trim());
    ctx.say(`usage: /governance ${USAGE}`);
  },
};

async function pending(ctx: TuiContext): Promise<Decision[]> {
  const decisions = await ctx.progress('pending decisions', async (signal) => {
    const all: Decision[] = [];
    for await (const d of ctx.client.governance.decisions.list({ status: 'pending' }, { signal })) all.push(d);
    return all;
  });
  ctx.hints.set('governance', decisions.map((d) => d.id));
  return decisions;
}

async function review(ctx: TuiContext): Promise<void> {
  const decisions = await pending(ctx);
  if (!decisions.length) return ctx.say('No pending decisions.');
  const role = ctx.principal?.role;
  const mayVote = role !== 'readonly';
  ctx.say(`${decisions.length} pending decision${decisions.length === 1 ? '' : 's'}${mayVote ? '' : ' (readonly: you may read them, not vote)'}`);
  for (const [i, d] of decisions.entries()) {
    ctx.print(panel(d, ctx.stream, ctx.columns));
    if (!mayVote) continue;
    const answer = (await ctx.ask(`${i + 1}/${decisions.length} approve? [y]es  [n]o: reject  [s]kip  [q]uit › `))?.trim().toLowerCase();
    if (answer === undefined || answer === 'q' || answer === 'quit') return;
    if (answer === 'y' || answer === 'yes') await vote(ctx, d, 'approve', '');
    else if (answer === 'n' || answer === 'no') {
      const reason = (await ctx.ask('reason for rejecting › '))?.trim();
      if (reason === undefined) return;
      if (reason) await vote(ctx, d, 'reject', reason);
      else ctx.say('not rejected: a rejection needs a reason');
    } else ctx.print('skipped');
  }
}

async function decideOne(ctx: TuiContext, action: 'approve' | 'reject', typed: string, text: string): Promise<void> {
  const candidates = (ctx.hints.get('governance') ?? []).filter((id) => id.startsWith(typed));
  const id = candidates.length === 1 ? candidates[0]! : typed;
  const d = await ctx.progress('decision', (signal) => ctx.client.governance.decisions.retrieve(id, { signal }));
  ctx.print(panel(d, ctx.stream, ctx.columns));
  let reason = text;
  if (action === 'reject' && !reason) {
    const asked = (await ctx.ask('reason for rejecting › '))?.trim();
    if (!asked) return ctx.say('not rejected: a rejection needs a reason');
    reason = asked;
  }
  const answer = (await ctx.ask(`${action === 'approve' ? 'Approve' : 'Reject'} ${d.action_type} ${d.id.slice(0, 8)}? [y/N] › `))?.trim().toLowerCase();
  if (answer === 'y' || answer === 'yes') await vote(ctx, d, action, reason);
  else ctx.say(`not ${action === 'approve' ? 'approved' : 'rejected'}`);
}

async function vote(ctx: TuiContext, d: Decision, action: 'approve' | 'reject', text: string): Promise<void> {
  const c = painter(ctx.stream);
  try {
    const after = await ctx.progress(action === 'approve' ? 'approving' : 'rejecting', (signal) =>
      action === 'approve'
        ? ctx.client.governance.decisions.approve(d.id, text ? { comment: text } : {}, { signal })
        : ctx.client.governance.decisions.reject(d.id, { reason: text }, { signal }),
    );
    const colour = after.status === 'rejected' ? c.red : after.status === 'pending' ? c.yellow : c.green;
    ctx.say(`→ ${d.action_type} ${d.id}: ${colour(after.status)} (${after.approvals_received}/${after.approvals_required} approvals)`);
  } catch (error) {
    if (ctx.signal.aborted) throw error;
    // A refused vote (403 without authority, 409 when another human decided first) ends only this decision.
    ctx.say(c.red(`→ ${describeApiError(error).message}`));
  }
}
