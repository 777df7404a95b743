import cliTruncate from 'cli-truncate';
import stringWidth from 'string-width';
import wrapAnsi from 'wrap-ansi';

/** Columns a string takes on screen (colour codes and zero-width characters count for nothing, wide ones for two). */
export const columnsOf = (text: string): number => stringWidth(text);

export { fit } from '../output.js';

/** `text` word-wrapped at `columns` (words longer than a line broken); lines that fit are left as they are. */
export const wrap = (text: string, columns: number): string =>
  text
    .split('\n')
    .map((line) => (stringWidth(line) > columns ? wrapAnsi(line, Math.max(1, columns), { hard: true }) : line))
    .join('\n');

/** `text` cut in the middle to `columns`, for identifiers whose start and end both matter (URLs, principal ids). */
export const middle = (text: string, columns: number): string => (stringWidth(text) > columns ? cliTruncate(text, Math.max(1, columns), { position: 'middle' }) : text);

/** Whether the terminal takes UTF-8 (the locale says so): else spinners and marks fall back to ASCII. */
export function unicodeTerminal(env: Readonly<Record<string, string | undefined>>): boolean {
  if (env.TERM === 'linux') return false; // the Linux console's font lacks the Braille block
  const locale = env.LC_ALL || env.LC_CTYPE || env.LANG || '';
  return /utf-?8/i.test(locale) || Boolean(env.WT_SESSION);
}

export interface Glyphs {
  readonly spinner: readonly string[];
  readonly prompt: string;
  readonly connected: string;
  readonly disconnected: string;
  readonly separator: string;
}

export function glyphs(unicode: boolean): Glyphs {
  return unicode
    ? { spinner: ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'], prompt: '› ', connected: '●', disconnected: '○', separator: '│' }
    : { spinner: ['|', '/', '-', '\\'], prompt: '> ', connected: '*', disconnected: 'o', separator: '|' };
}

/** Seconds with one decimal: `3.4s`. */
export const elapsed = (sinceMs: number): string => `${((performance.now() - sinceMs) / 1000).toFixed(1)}s`;

// ANSI control sequences the screen uses (DEC/ECMA-48: xterm, tmux, screen, the Linux console, Windows Terminal).
export const CSI = '\x1b[';
export const ANSI = {
  saveCursor: '\x1b7',
  restoreCursor: '\x1b8',
  clearLine: `${CSI}2K`,
  clearDown: `${CSI}0J`,
  reverse: `${CSI}7m`,
  reset: `${CSI}0m`,
  up: (n: number) => (n > 0 ? `${CSI}${n}A` : ''),
  to: (row: number, column = 1) => `${CSI}${row};${column}H`,
  /** DECSTBM: scroll only rows top..bottom (1-based); `ESC[r` resets it to the whole screen. */
  scrollRegion: (top: number, bottom: number) => `${CSI}${top};${bottom}r`,
  resetScrollRegion: `${CSI}r`,
} as const;
