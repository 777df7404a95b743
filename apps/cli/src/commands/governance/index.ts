import stringWidth from 'string-width';
import wrapAnsi from 'wrap-ansi';
import type { Decision } from '@maximus/contracts';
import { defineCommand, ExitError, type CommandIO } from '../../spec.js';
import { gatewayClient, URL_OPTION } from '../../client.js';
import { fit, painter } from '../../output.js';
import { describeApiError } from '../../errors.js';

interface GovernanceOptions {
  url?: string;
  comment?: string;
  reason?: string;
  interactive?: boolean;
  json?: boolean;
}

export const governance = defineCommand<GovernanceOptions>({
  name: 'governance',
  summary: 'Pending decisions: list, approve, reject, watch, or decide one by one',
  description:
    'Without an action: the pending decisions as panels (action, risk, deadline, reasoning, votes). approve <id> [--comment], ' +
    'reject <id> --reason, watch (every transition as it happens; reconnects after a lost connection or a gateway restart and resumes where it was), --interactive (asks y/n per pending decision; needs a terminal).',
  args: [
    { name: 'action', description: 'list (default), approve, reject or watch', choices: ['list', 'approve', 'reject', 'watch'] },
    { name: 'id', description: 'the decision to approve or reject' },
  ],
  options: [
    URL_OPTION,
    { flags: '--comment <text>', description: 'approve: a comment recorded with the vote' },
    { flags: '--reason <text>', description: 'reject: why (required)' },
    { flags: '--interactive', description: 'ask y/n for each pending decision' },
    { flags: '--json', description: 'machine-readable output' },
  ],
  examples: [
    { command: 'maximus governance', explains: 'the pending decisions' },
    { command: 'maximus governance approve 0b6c… --comment "checked the source"', explains: 'vote to approve' },
    { command: 'maximus governance reject 0b6c… --reason "false positive"', explains: 'reject it' },
    { command: 'maximus governance watch', explains: 'transitions as they happen (Ctrl-C stops)' },
    { command: 'maximus governance --interactive', explains: 'decide each pending decision in turn' },
  ],
  async run(args, options, io) {
    const [action = 'list', id] = args;
    if (options.interactive && !process.stdin.isTTY) throw new ExitError('--interactive needs a terminal (stdin is not a TTY); use approve/reject <id> in scripts', 2);
    if ((action === 'approve' || action === 'reject') && !id) throw new ExitError(`governance ${action} needs the id of a decision (see maximus governance)`, 2);
    if (action === 'reject' && !options.reason) throw new ExitError('governance reject needs --reason', 2);
    const { client } = gatewayClient(options, io, { maxRetries: 1 });
    const print = (value: unknown, text: string) => io.stdout.write(options.json ? JSON.stringify(value, null, 2) + '\n' : text);
    try {
      if (action === 'approve') {
        const d = await client.governance.decisions.approve(id!, options.comment ? { comment: options.comment } : {});
        print(d, `${d.id}: ${d.status} (${d.approvals_received}/${d.approvals_required} approvals)\n`);
        return 0;
      }
      if (action === 'reject') {
        const d = await client.governance.decisions.reject(id!, { reason: options.reason! });
        print(d, `${d.id}: ${d.status}\n`);
        return 0;
      }
      if (action === 'watch') {
        const stop = new AbortController();
        void io.interrupted.then(() => stop.abort());
        for await (const e of client.governance.stream({ signal: stop.signal })) {
          print(e, `${e.transition.at} ${e.decision.action_type} ${e.decision.id} ${e.transition.kind} → ${e.transition.to_status} by ${e.transition.actor}${e.transition.reason ? `: ${e.transition.reason}` : ''}\n`);
        }
        return 0;
      }
      const pending: Decision[] = [];
      for await (const d of client.governance.decisions.list({ status: 'pending' })) pending.push(d);
      if (!options.interactive) {
        print(pending, pending.length ? pending.map((d) => panel(d, io.stdout)).join('\n') : 'No pending decisions.\n');
        return 0;
      }
      const { createInterface } = await import('node:readline/promises');
      const rl = createInterface({ input: process.stdin, output: io.stdout });
      try {
        for (const d of pending) {
          io.stdout.write(panel(d, io.stdout));
          const answer = (await rl.question('Approve? [y/n/s(kip)] ')).trim().toLowerCase();
          if (answer === 'y') io.stdout.write(`→ ${(await client.governance.decisions.approve(d.id)).status}\n`);
          else if (answer === 'n') io.stdout.write(`→ ${(await client.governance.decisions.reject(d.id, { reason: (await rl.question('Reason: ')).trim() || 'rejected interactively' })).status}\n`);
        }
      } finally {
        rl.close();
      }
      return 0;
    } catch (error) {
      throw describeApiError(error);
    } finally {
      await client.close();
    }
  },
});

/**
 * One decision as a bordered panel, at most `columns` wide (the terminal's width in the TUI): the reasoning
 * wraps onto up to three lines, other lines are cut with an ellipsis.
 */
export function panel(d: Decision, stream: CommandIO['stdout'], columns = 104): string {
  const c = painter(stream);
  const risk = d.risk_level === 'CRITICAL' || d.risk_level === 'HIGH' ? c.red(d.risk_level) : d.risk_level === 'MEDIUM' ? c.yellow(d.risk_level) : c.green(d.risk_level);
  const minutes = Math.round((Date.parse(d.deadline_at) - Date.now()) / 60_000);
  const room = Math.max(20, columns - 4);
  const reasoning = wrapAnsi(`reasoning: ${d.reasoning}`, room, { hard: true }).split('\n');
  const lines = [
    `${c.bold(d.action_type)}  ${d.id}`,
    `risk ${risk} (${d.risk_score})  automation ${d.automation_level}  tier ${d.tier}`,
    `deadline ${d.deadline_at.replace('T', ' ').slice(0, 19)} (${minutes >= 0 ? `in ${minutes} min` : `${-minutes} min ago`})`,
    `votes ${d.approvals_received}/${d.approvals_required}  proposed by ${d.proposed_by}`,
    `params ${JSON.stringify(d.params)}`,
    ...(reasoning.length > 3 ? [...reasoning.slice(0, 2), `${reasoning[2]}…`] : reasoning),
  ].map((l) => fit(l, room));
  const width = Math.max(...lines.map((l) => stringWidth(l)));
  return [`┌${'─'.repeat(width + 2)}┐`, ...lines.map((l) => `│ ${l}${' '.repeat(Math.max(0, width - stringWidth(l)))} │`), `└${'─'.repeat(width + 2)}┘`, ''].join('\n');
}
