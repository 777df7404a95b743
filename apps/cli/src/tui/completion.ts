import { readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { SlashCommand } from './context.js';

/**
 * Splits a command line into words: whitespace separates them, quotes ('…' or "…") and a backslash keep
 * spaces inside one (`/analyze "my dir/x.ts"`, `/heal my\ dir/x.ts`).
 */
export function tokenize(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let quote: string | undefined;
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quote) {
      if (ch === quote) quote = undefined;
      else word += ch;
    } else if (ch === '\\' && i + 1 < line.length) {
      word += line[++i];
      inWord = true;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

const escape = (path: string) => path.replace(/([\s\\"'])/g, '\\$1');

/**
 * Files and directories that complete `partial` (as typed, backslash escapes included), relative to `cwd`;
 * `~/` is the home directory; directories end with `/`; dot files only when the partial name starts with a dot.
 */
export function completePath(partial: string, cwd = process.cwd()): string[] {
  const typed = tokenize(partial)[0] ?? '';
  const cut = typed.lastIndexOf('/') + 1;
  const shownDir = typed.slice(0, cut);
  const base = typed.slice(cut);
  const dir = shownDir.startsWith('~/') ? join(homedir(), shownDir.slice(2)) : resolve(cwd, shownDir || '.');
  let names: { name: string; directory: boolean }[];
  try {
    names = readdirSync(dir, { withFileTypes: true }).map((e) => {
      let directory = e.isDirectory();
      if (e.isSymbolicLink()) {
        try {
          directory = statSync(join(dir, e.name)).isDirectory();
        } catch {
          // A dangling link completes as a file.
        }
      }
      return { name: e.name, directory };
    });
  } catch {
    return [];
  }
  return names
    .filter((e) => e.name.startsWith(base) && (base.startsWith('.') || !e.name.startsWith('.')))
    .map((e) => escape(shownDir + e.name) + (e.directory ? '/' : ''))
    .sort();
}

/** The word being typed at the end of `line` (as typed, escapes included) and the words before it. */
function lastWord(line: string): { before: string[]; partial: string } {
  let start = line.length;
  while (start > 0 && !(/\s/.test(line[start - 1]!) && line[start - 2] !== '\\')) start--;
  return { before: tokenize(line.slice(0, start)), partial: line.slice(start) };
}

/** readline's completer: slash commands, then each command's arguments (paths for /analyze and /heal). */
export function completer(commands: readonly SlashCommand[], hints: ReadonlyMap<string, readonly string[]>) {
  return (line: string): [string[], string] => {
    if (!line.startsWith('/')) return [[], line];
    const { before, partial } = lastWord(line);
    if (before.length === 0) {
      const matches = commands.filter((c) => `/${c.name}`.startsWith(partial));
      // A unique command that takes arguments gets its space, ready for them.
      if (matches.length === 1) return [[`/${matches[0]!.name}${matches[0]!.usage ? ' ' : ''}`], partial];
      return [matches.map((c) => `/${c.name}`), partial];
    }
    const command = commands.find((c) => `/${c.name}` === before[0]);
    if (!command?.complete) return [[], partial];
    return [[...command.complete(before.length - 1, partial, before.slice(1), hints)], partial];
  };
}
