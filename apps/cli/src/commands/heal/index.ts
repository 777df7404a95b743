import type { Decision, Diagnosis, HealingFocus, HealingLanguage, PatchSummary } from '@maximus/contracts';
import type { Maximus } from '@maximus/sdk';
import { defineCommand, ExitError, type CommandIO } from '../../spec.js';
import { gatewayClient, URL_OPTION } from '../../client.js';
import { painter } from '../../output.js';
import { describeApiError } from '../../errors.js';
import { collect } from './files.js';

interface HealOptions {
  url?: string;
  language?: HealingLanguage;
  focus?: HealingFocus;
  apply?: boolean;
  workspace?: string;
  json?: boolean;
}

const LANGUAGES = ['python', 'typescript', 'javascript'];
const FOCI = ['errors', 'warnings', 'performance', 'security', 'all'];
const FINAL = new Set(['executed', 'failed', 'rejected', 'cancelled', 'expired']);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits for a diagnosis's patches — the analysers', then the model's when one was asked — showing progress on stderr. */
async function patchesOf(client: Maximus, diagnosis: Diagnosis, io: CommandIO, quiet: boolean): Promise<Diagnosis> {
  let d = diagnosis;
  const tty = io.stderr.isTTY;
  const wait = async (until: (x: Diagnosis) => boolean, label: string, done: (x: Diagnosis) => string) => {
    if (until(d)) return;
    let dots = 0;
    if (!quiet) io.stderr.write(label);
    while (!until(d)) {
      await Promise.race([sleep(500), io.interrupted.then(() => { throw new ExitError('interrupted', 130); })]);
      d = await client.healing.retrieve(d.id);
      if (!quiet && (tty || ++dots % 4 === 0)) io.stderr.write('.');
    }
    if (!quiet) io.stderr.write(` ${done(d)}\n`);
  };
  await wait((x) => x.patches_status !== 'pending', 'Building and verifying patches', (x) => `${x.patch_count} patch(es)`);
  await wait((x) => x.model_patch_status !== 'pending', 'Asking the language model for a patch', (x) => x.model_patch_status);
  return d;
}

/** The patch to show and apply: the best verified analyser patch (highest confidence), else a verified model patch. */
export function bestOf(patches: readonly PatchSummary[]): PatchSummary | undefined {
  const byScore = (a: PatchSummary, b: PatchSummary) => b.confidence - a.confidence || b.mansidao_score - a.mansidao_score;
  const verified = patches.filter((p) => p.verified);
  return verified.filter((p) => p.origin === 'analyser').sort(byScore)[0] ?? verified.filter((p) => p.origin === 'model').sort(byScore)[0];
}

/** Why the model patch did not come, from `patches_error` (undefined when it came, was not asked, or core has no model). */
export function modelFailure(d: Diagnosis): string | undefined {
  if (d.model_patch_status !== 'failed') return undefined;
  // PENELOPE appends the model's reason last, after any failure of the analysers' patches.
  const at = d.patches_error?.lastIndexOf('model patch: ') ?? -1;
  return at < 0 ? 'no reason recorded' : d.patches_error!.slice(at + 'model patch: '.length);
}

function coloured(diff: string, stream: CommandIO['stdout']): string {
  const c = painter(stream);
  return diff
    .split('\n')
    .map((line) => (line.startsWith('+++') || line.startsWith('---') ? c.bold(line) : line.startsWith('+') ? c.green(line) : line.startsWith('-') ? c.red(line) : line.startsWith('@@') ? c.cyan(line) : line))
    .join('\n');
}

/** "Found N issues" and the first 30 of them, one a line (also the TUI's /heal). */
export function summary(d: Diagnosis, stream: CommandIO['stdout']): string {
  const c = painter(stream);
  const s = d.issues_by_severity;
  const lines = [c.bold(`Found ${d.total_issues} issue${d.total_issues === 1 ? '' : 's'}`) + ` (${s.error} error, ${s.warning} warning, ${s.info} info; ${d.fixable_issues} fixable) in ${d.files.length} file(s), ${Math.round(d.timings.analysis_ms)} ms`];
  for (const i of d.issues.slice(0, 30)) {
    const sev = i.severity === 'error' ? c.red('error') : i.severity === 'warning' ? c.yellow('warn ') : c.dim('info ');
    lines.push(`  ${sev} ${i.file}:${i.line}:${i.column}  ${c.bold(i.rule)}  ${i.message.split('\n')[0] ?? ''}${i.fixable ? c.dim(` [${i.fix_safety} fix]`) : ''}`);
  }
  if (d.issues.length > 30) lines.push(c.dim(`  … and ${d.issues.length - 30} more (--json lists them all)`));
  return lines.join('\n') + '\n';
}

/**
 * A patch: title, origin, safety, confidence, mansidão, verification, and its coloured diff (also the TUI's /heal). A
 * model patch says so, in yellow: a language model wrote it, and a person should read it before approving it.
 */
export function bestPanel(p: PatchSummary, stream: CommandIO['stdout'], heading = 'Best patch'): string {
  const c = painter(stream);
  const m = p.mansidao;
  return [
    c.bold(`${heading}: ${p.title}`),
    ...(p.origin === 'model' ? [c.yellow('  proposed by a language model, not by the analysers: read it before approving (never safe; unsafe only when your tests pass on it)')] : []),
    `  ${p.id}  ${p.origin}  safety ${p.safety_class}  confidence ${p.confidence}  ${c.bold(`mansidão ${p.mansidao_score}`)} ${m.within_limits ? c.green('(within limits)') : c.yellow('(outside the limits)')}`,
    `  ${m.lines_changed} line(s), ${m.functions_modified} function(s), reversibility ${m.reversibility}${m.breaking_change ? c.red(`, breaking: ${m.breaking_changes.join('; ')}`) : ''}`,
    `  ${p.verified ? 'verified' : 'rejected'}: ${p.verification.reasons.join('; ')}`,
    '',
    coloured(p.diff, stream),
  ].join('\n');
}

/** Waits for a decision to reach a final state, printing each state it enters. */
async function follow(client: Maximus, decision: Decision, io: CommandIO, json: boolean): Promise<Decision> {
  let last = '';
  let d: Decision = decision;
  for (;;) {
    const state = `${d.status}/${d.tier}`;
    if (!json && state !== last) {
      io.stderr.write(`Decision ${d.id}: ${d.status}${d.status === 'pending' ? ` (${d.risk_level} risk, ${d.tier} tier) — approve with: maximus governance approve ${d.id}` : ''}\n`);
      last = state;
    }
    if (FINAL.has(d.status)) return d;
    const stop = await Promise.race([sleep(1000).then(() => false), io.interrupted.then(() => true)]);
    if (stop) throw new ExitError(`stopped waiting; decision ${d.id} is ${d.status}`, 130);
    d = await client.governance.decisions.retrieve(d.id);
  }
}

export const heal = defineCommand<HealOptions>({
  name: 'heal',
  summary: 'Diagnose code with PENELOPE, show the best verified patch, and (--apply) ask to apply it through governance',
  description:
    'Sends the file, or the Python/TypeScript/JavaScript files under a directory (tests apart: test_*.py, *.test.ts…), to PENELOPE; ' +
    'prints the issues ("Found N issues"), then the best patch — the highest confidence among the verified analyser patches, else a verified model patch — as a coloured diff with its mansidão score; ' +
    'when core has a language model, PENELOPE also asks it for a patch, shown after it and marked as the model\'s. ' +
    '--apply creates the governance apply_patch decision (a person approves it) and waits for it, printing its id and state; ' +
    'approved, PENELOPE writes the patch into --workspace (default: the directory diagnosed; it must be one MAXIMUS_PENELOPE_WORKSPACES allows).',
  args: [{ name: 'path', description: 'a file or a directory', required: true }],
  options: [
    URL_OPTION,
    { flags: '--language <language>', description: `${LANGUAGES.join(', ')} (default: the most common among the files)` },
    { flags: '--focus <focus>', description: `${FOCI.join(', ')} (default: all)` },
    { flags: '--apply', description: 'ask to apply the best patch (a governance decision) and wait for it' },
    { flags: '--workspace <dir>', description: 'with --apply: where the patch is written (default: the diagnosed directory)' },
    { flags: '--json', description: 'machine-readable output' },
  ],
  examples: [
    { command: 'maximus heal src/util.py', explains: 'diagnose one file and show the best patch' },
    { command: 'maximus heal ./service --focus security', explains: 'only security findings, for every file under ./service' },
    { command: 'maximus heal ./service --apply', explains: 'and ask to apply the best patch there, waiting for the decision' },
    { command: 'maximus heal app.ts --json', explains: 'diagnosis, patches and best patch as JSON' },
  ],
  async run(args, options, io) {
    const [path] = args;
    if (!path) throw new ExitError('heal needs a file or a directory', 2);
    if (options.language && !LANGUAGES.includes(options.language)) throw new ExitError(`--language must be one of ${LANGUAGES.join(', ')}`, 2);
    if (options.focus && !FOCI.includes(options.focus)) throw new ExitError(`--focus must be one of ${FOCI.join(', ')}`, 2);
    const collected = collect(path, options.language);
    const json = options.json === true;
    const { client } = gatewayClient(options, io, { timeout: 300_000, maxRetries: 1 });
    try {
      if (!json) io.stderr.write(`Analysing ${collected.files.length} ${collected.language} file(s)${collected.tests.length ? ` and ${collected.tests.length} test file(s)` : ''}…\n`);
      const diagnosis = await client.healing.diagnose({ language: collected.language, files: collected.files, ...(collected.tests.length ? { tests: collected.tests } : {}), ...(options.focus ? { focus: options.focus } : {}) });
      if (!json) io.stdout.write(summary(diagnosis, io.stdout));
      const done = await patchesOf(client, diagnosis, io, json);
      const patches = done.patches_status === 'ready' ? (await client.healing.patches.list({ diagnosis_id: done.id })).data : [];
      const best = bestOf(patches);
      const model = patches.find((p) => p.origin === 'model');
      if (!json) {
        if (done.patches_status === 'failed') io.stdout.write(`Patches could not be built: ${done.patches_error ?? 'unknown error'}\n`);
        else if (best) io.stdout.write(bestPanel(best, io.stdout));
        else io.stdout.write(patches.length ? `No patch passed verification (${patches.length} rejected).\n` : 'No patch to propose.\n');
        if (model && model !== best) io.stdout.write(`\n${bestPanel(model, io.stdout, 'Also proposed')}`);
        const failure = modelFailure(done);
        if (failure) io.stdout.write(`No model patch: ${failure}\n`);
      }
      let decision: Decision | undefined;
      if (options.apply) {
        if (!best) throw new ExitError('--apply: there is no verified patch to apply', 1);
        const workspace = options.workspace ?? collected.root;
        const requested = await client.healing.patches.apply(best.id, { workspace });
        if (!json) io.stderr.write(`Asked to apply ${best.id} to ${workspace}\n`);
        decision = await follow(client, requested.decision, io, json);
        if (!json) io.stdout.write(`Decision ${decision.id}: ${decision.status}${decision.error ? ` (${decision.error})` : ''}\n`);
      }
      if (json) io.stdout.write(JSON.stringify({ diagnosis: done, patches, best: best ?? null, ...(decision ? { decision } : {}) }, null, 2) + '\n');
      return decision && decision.status !== 'executed' ? 1 : 0;
    } catch (error) {
      if (error instanceof ExitError) throw error;
      throw describeApiError(error);
    } finally {
      await client.close();
    }
  },
});
