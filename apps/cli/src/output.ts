import { Chalk } from 'chalk';
import cliTruncate from 'cli-truncate';
import stringWidth from 'string-width';

/** Colours only on a terminal that wants them (NO_COLOR, FORCE_COLOR and pipes respected by chalk). */
export function painter(stream: NodeJS.WriteStream) {
  return new Chalk({ level: stream.isTTY && !process.env.NO_COLOR ? Math.max(1, stream.getColorDepth() >= 8 ? 2 : 1) as 1 | 2 : 0 });
}

// eslint-disable-next-line no-control-regex -- ANSI colour codes are what we strip
const ANSI = /\x1b\[[0-9;]*m/g;
const width = (s: string) => s.replace(ANSI, '').length;

/** A plain aligned table: a header row, then rows; cells may carry colour codes. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ''))));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c + ' '.repeat((widths[i] ?? 0) - width(c))))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

/** Every line of `text` cut to `columns` (an ellipsis marks the cut; colour codes are kept and closed): for 80-column terminals. */
export function fit(text: string, columns: number): string {
  const room = Math.max(1, columns);
  return text
    .split('\n')
    .map((line) => (stringWidth(line) > room ? cliTruncate(line, room, { position: 'end' }) : line))
    .join('\n');
}
