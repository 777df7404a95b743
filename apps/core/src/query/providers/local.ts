import type { QueryContext, ToolExecutionResult } from '@maximus/contracts';
import type { ContextItem } from '../hooks.js';
import { diagnoseInput } from '../tools.js';
import type { Provider, ProviderInput, ProviderOutput } from './types.js';

const STATE = /\b(conscious\w*|arousal|ignit\w*|esgt|tig|state|alert\w*|awake|drowsy|kuramoto|coherence)\b/i;
const GOVERNANCE = /\b(decisions?|approv\w*|governance|pending|reject\w*|escalat\w*|sla|quorum|vetos?)\b/i;
const FENCED = /```([A-Za-z]*)\n([\s\S]*?)```/;

/** Code written inline in the question, as a fenced block. */
export function inlineCode(query: string): { code: string; language: string | undefined } | undefined {
  const m = FENCED.exec(query);
  if (!m?.[2]?.trim()) return undefined;
  const tag = m[1]?.toLowerCase();
  const language = tag === 'py' || tag === 'python' ? 'python' : tag === 'ts' || tag === 'typescript' ? 'typescript' : tag === 'js' || tag === 'javascript' ? 'javascript' : undefined;
  return { code: m[2], language };
}

/** The tools a question calls for, and why: what the local provider runs. */
export function plan(query: string, context: QueryContext | undefined): { tool: string; input: Record<string, unknown>; why: string }[] {
  const steps: { tool: string; input: Record<string, unknown>; why: string }[] = [];
  const inline = inlineCode(query);
  if (context?.code || context?.files?.length || inline) {
    const input = diagnoseInput(context, inline?.code);
    if (!input.language && inline?.language && !context?.code) input.language = inline.language;
    steps.push({ tool: 'diagnose_code', input, why: context?.files?.length ? `${context.files.length} file(s) sent` : context?.code ? 'code sent in the context' : 'a code block in the question' });
  }
  const words = query.replace(FENCED, ' ');
  const state = STATE.exec(words);
  if (state) steps.push({ tool: 'consciousness_state', input: {}, why: `the question mentions "${state[0]}"` });
  const governance = GOVERNANCE.exec(words);
  if (governance) steps.push({ tool: 'governance_stats', input: {}, why: `the question mentions "${governance[0]}"` });
  return steps;
}

const TITLES: Record<string, string> = {
  diagnose_code: 'Code diagnosis (PENELOPE)',
  consciousness_state: 'Consciousness state',
  governance_stats: 'Governance',
};

const scalar = (v: unknown) => v === null || ['string', 'number', 'boolean'].includes(typeof v);
const show = (v: unknown) => (typeof v === 'number' && !Number.isInteger(v) ? String(Math.round(v * 10_000) / 10_000) : typeof v === 'string' ? v : JSON.stringify(v));

/** An object as a bullet list: scalars as `key: value`, nested objects flattened one level, arrays counted. */
export function bullets(value: unknown, limit = 40): string[] {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return [`- ${show(value)}`];
  const lines: string[] = [];
  for (const [key, v] of Object.entries(value)) {
    if (scalar(v)) lines.push(`- ${key}: ${show(v)}`);
    else if (Array.isArray(v)) lines.push(`- ${key}: ${v.length} item(s)`);
    else if (v && typeof v === 'object') {
      const inner = Object.entries(v as Record<string, unknown>).filter(([, x]) => scalar(x)).map(([k, x]) => `${k} ${show(x)}`);
      lines.push(`- ${key}: ${inner.length ? inner.join(', ') : JSON.stringify(v).slice(0, 200)}`);
    }
  }
  return lines.slice(0, limit);
}

const ISSUE_LISTS = ['issues', 'findings', 'problems', 'diagnostics'];

/** PENELOPE's findings as a list (severity, location, message), whatever the list is called. */
function diagnosisLines(output: unknown): string[] {
  if (!output || typeof output !== 'object') return bullets(output);
  const record = output as Record<string, unknown>;
  // Several calls (one per language, 50 files each): each diagnosis in turn.
  if (Array.isArray(record.diagnoses)) {
    return (record.diagnoses as unknown[]).flatMap((d, i) => [`- diagnosis ${i + 1} of ${(record.diagnoses as unknown[]).length}:`, ...diagnosisLines(d).map((l) => `  ${l}`)]);
  }
  const listKey = ISSUE_LISTS.find((k) => Array.isArray(record[k]));
  const head = bullets(Object.fromEntries(Object.entries(record).filter(([k]) => k !== listKey)), 12);
  if (!listKey) return head;
  const issues = record[listKey] as Record<string, unknown>[];
  if (!issues.length) return [...head, `- ${listKey}: none found`];
  const lines = issues.slice(0, 50).map((issue) => {
    const where = [issue.file ?? issue.path, issue.line].filter((x) => x !== undefined && x !== null).map(show).join(':');
    const what = issue.message ?? issue.description ?? issue.title ?? JSON.stringify(issue);
    const sev = issue.severity ?? issue.level;
    return `- ${sev ? `**${show(sev)}** ` : ''}${where ? `\`${where}\` ` : ''}${show(what)}${issue.rule ?? issue.code ? ` (${show(issue.rule ?? issue.code)})` : ''}`;
  });
  if (issues.length > 50) lines.push(`- … and ${issues.length - 50} more`);
  return [...head, `- ${listKey} (${issues.length}):`, ...lines.map((l) => `  ${l}`)];
}

function section(result: ToolExecutionResult): string {
  const title = `### ${TITLES[result.tool] ?? result.tool} — \`${result.tool}\``;
  if (result.status === 'error') {
    return `${title}\n\nThe tool **failed** after ${Math.round(result.duration_ms)} ms${result.error_code ? ` (${result.error_code})` : ''}: ${result.error ?? 'no reason given'}. What it would have told is unknown.`;
  }
  const lines = result.tool === 'diagnose_code' ? diagnosisLines(result.output) : bullets(result.output);
  return `${title}\n\n${lines.join('\n')}`;
}

function summary(results: readonly ToolExecutionResult[]): string {
  const ok = results.filter((r) => r.status === 'ok').map((r) => `\`${r.tool}\``);
  const failed = results.filter((r) => r.status === 'error').map((r) => `\`${r.tool}\``);
  const parts = [];
  if (ok.length) parts.push(`${ok.join(', ')} answered`);
  if (failed.length) parts.push(`${failed.join(', ')} failed`);
  return `I ran ${results.length} tool(s) for this question: ${parts.join('; ')}.`;
}

function contextSection(items: readonly ContextItem[]): string | undefined {
  if (!items.length) return undefined;
  return `### Context\n\n${items.map((i) => `- (${i.source}) ${i.text}`).join('\n')}`;
}

const NOTICE = '_Answered by the local provider: no language model was used. This answer is composed deterministically from the tool results and context above._';

/** The offline provider: runs the tools the question calls for and writes their results out as Markdown. */
export function createLocalProvider(): Provider {
  return {
    name: 'local',
    model: null,
    async answer(input: ProviderInput): Promise<ProviderOutput> {
      const steps = plan(input.query, input.context);
      const trace = steps.length ? steps.map((s) => `plan: ${s.tool} because ${s.why}`) : ['plan: no tool matches the question'];
      const results = await Promise.all(steps.map((s) => input.tools.execute(s.tool, s.input)));
      for (const r of results) trace.push(`${r.tool}: ${r.status}${r.error ? ` (${r.error})` : ''} in ${Math.round(r.duration_ms)} ms`);
      const blocks = steps.length
        ? ['## Answer', summary(results), ...results.map(section)]
        : [
            '## Answer',
            'No tool matches this question, so I have nothing measured to answer it with. I can analyse code (send it in `context.code`, `context.files` or a fenced code block), ' +
              'report the consciousness model\'s state (ask about arousal, ignitions or the TIG fabric) and summarise governance (ask about pending decisions or approvals).',
          ];
      const context = contextSection(input.retrieved.items);
      if (context) blocks.push(context);
      blocks.push('---', NOTICE);
      const text = blocks.join('\n\n') + '\n';
      if (input.onDelta) for (const piece of text.split(/(?<=\n\n)/)) input.onDelta(piece);
      return { text, raw: trace.join('\n'), stopReason: 'complete' };
    },
  };
}
