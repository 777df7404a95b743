import type { Fruit, FruitsReport, ScoreInput, ScoreStatus, Virtue, VirtuesReport } from '@maximus/contracts';
import { defineCommand, type CommandIO } from '../../spec.js';
import { gatewayClient, URL_OPTION } from '../../client.js';
import { fit, painter } from '../../output.js';
import { describeApiError } from '../../errors.js';

interface SpiritualOptions {
  url?: string;
  json?: boolean;
}

// eslint-disable-next-line no-control-regex -- ANSI colour codes are what we strip
const ANSI = /\x1b\[[0-9;]*m/g;
const visible = (s: string) => s.replace(ANSI, '').length;
const pad = (s: string, width: number) => s + ' '.repeat(Math.max(0, width - visible(s)));

/** `12 s`, `5 min`, `2 h`, `7 d`. */
export function span(seconds: number): string {
  if (seconds < 120) return `${Math.round(seconds)} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86_400)} d`;
}

/** The inputs worth a glance: those with a value, as `name value`. */
function inputs(list: readonly ScoreInput[]): string {
  const shown = list.filter((i) => i.value !== null).map((i) => `${i.name} ${Number.isInteger(i.value) ? i.value : i.value!.toFixed(3)}`);
  return shown.join(', ');
}

/**
 * The fruits and virtues as a panel: each with ✓ (healthy) or ⚠ (warning, critical), its score and what it
 * measures; "no data" where nothing was measured. Colours and the frame only on a terminal, at most `columns` wide.
 */
export function renderSpiritual(fruits: FruitsReport, virtues: VirtuesReport, stream: CommandIO['stdout'], columns = 144): string {
  const c = painter(stream);
  const tty = Boolean(stream.isTTY);
  const mark = (status: ScoreStatus) => (status === 'healthy' ? c.green('✓') : status === 'warning' ? c.yellow('⚠') : status === 'critical' ? c.red('⚠') : c.dim('·'));
  const score = (s: Fruit | Virtue) => {
    if (s.score === null) return c.dim('no data');
    const text = s.score.toFixed(2);
    return s.status === 'healthy' ? c.green(text) : s.status === 'warning' ? c.yellow(text) : c.red(text);
  };
  const windowOf = (kind: 'signals' | 'outcomes') => fruits.fruits.find((f) => f.window.kind === kind)?.window.seconds ?? 0;
  const overall = (value: number | null) => (value === null ? 'no data' : value.toFixed(2));
  const labelWidth = Math.max(...fruits.fruits.map((f) => f.label.length), ...virtues.virtues.map((v) => v.label.length));
  const line = (s: Fruit | Virtue, detail: string) => `${mark(s.status)} ${pad(c.bold(s.label), labelWidth)}  ${pad(score(s), 7)}  ${detail}`;
  const lines = [
    c.bold(`Fruits of the Spirit (Galatians 5:22-23)`) + `  overall ${overall(fruits.overall_score)}  healthy ${fruits.healthy_count}/${fruits.fruits.length} (${fruits.scored_count} with data)`,
    ...fruits.fruits.map((f) => line(f, f.metric)),
    '',
    c.bold('Virtues') + `  overall ${overall(virtues.overall_score)}  healthy ${virtues.healthy_count}/${virtues.virtues.length}`,
    ...virtues.virtues.map((v) => line(v, inputs(v.inputs) || (v.no_data_reason ?? ''))),
    '',
    c.dim(
      `windows: signals ${span(windowOf('signals'))}, outcomes ${span(windowOf('outcomes'))}` +
        ` · last sample ${fruits.collector.last_pass_at ? `${span((Date.parse(fruits.computed_at) - Date.parse(fruits.collector.last_pass_at)) / 1000)} ago` : 'never'}` +
        ` (${fruits.collector.passes_in_window} in the window)` +
        ` · cache ${fruits.cache.status} (age ${span(fruits.cache.age_seconds)}, ttl ${span(fruits.cache.ttl_seconds)})`,
    ),
  ];
  if (!tty) return lines.join('\n') + '\n';
  // Within `columns` (the terminal's width in the TUI): longer lines are cut, the frame stays whole.
  const width = Math.min(columns - 4, Math.max(...lines.map(visible)));
  const framed = lines.map((l) => fit(l, width));
  return [`┌${'─'.repeat(width + 2)}┐`, ...framed.map((l) => `│ ${pad(l, width)} │`), `└${'─'.repeat(width + 2)}┘`, ''].join('\n');
}

export const spiritual = defineCommand<SpiritualOptions>({
  name: 'spiritual',
  summary: 'PENELOPE\'s fruits and virtues: scores of the platform from measured signals',
  description:
    'Reads GET /penelope/api/v1/spiritual/fruits and /virtues: the nine fruits of Galatians 5:22-23 (✓ healthy, ⚠ warning or critical, ' +
    '"no data" when nothing was measured yet), each with its score and what it measures; the overall scores, the healthy count and the ' +
    'virtue metrics (sophia, praotes, tapeinophrosyne). docs/spiritual.md gives every formula.',
  options: [URL_OPTION, { flags: '--json', description: 'print both reports as JSON ({fruits, virtues}), with every formula and input' }],
  examples: [
    { command: 'maximus spiritual', explains: 'the panel' },
    { command: 'maximus spiritual --json | jq \'.fruits.fruits[] | {name, score, formula}\'', explains: 'each fruit\'s score and formula' },
  ],
  async run(_args, options, io) {
    const { client } = gatewayClient(options, io, { maxRetries: 1 });
    try {
      const [fruits, virtues] = await Promise.all([client.spiritual.fruits(), client.spiritual.virtues()]);
      io.stdout.write(options.json ? JSON.stringify({ fruits, virtues }, null, 2) + '\n' : renderSpiritual(fruits, virtues, io.stdout));
      return 0;
    } catch (error) {
      throw describeApiError(error);
    } finally {
      await client.close();
    }
  },
});
