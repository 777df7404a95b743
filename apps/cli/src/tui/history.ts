import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/** Lines the history keeps (the oldest go first). */
export const HISTORY_SIZE = 500;

/** `$XDG_STATE_HOME/maximus/history`, or `~/.local/state/maximus/history` (the XDG default). */
export function historyPath(env: Readonly<Record<string, string | undefined>>): string {
  return join(env.XDG_STATE_HOME || join(homedir(), '.local', 'state'), 'maximus', 'history');
}

/**
 * The prompt's history, one entry a line, oldest first (as shells keep theirs). Read once at start, written
 * whole after every new entry (it is small), through a temporary file so that a crash never leaves half of it.
 */
export class History {
  readonly path: string;
  #entries: string[];
  #warned = false;

  constructor(path: string, readonly size = HISTORY_SIZE) {
    this.path = path;
    let text = '';
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      // No history yet.
    }
    this.#entries = text.split('\n').filter((l) => l.trim() !== '').slice(-size);
  }

  /** Newest first, as readline wants it. */
  get newestFirst(): string[] {
    return [...this.#entries].reverse();
  }

  /**
   * Replaces the history with readline's (newest first) and saves it.
   * @returns an error message when the file cannot be written (once; the session goes on without it)
   */
  save(newestFirst: readonly string[]): string | undefined {
    // Completion leaves a trailing space (`/governance `): the same command, once.
    const trimmed = newestFirst.map((e) => e.trimEnd()).filter((e, i, all) => e !== '' && all.indexOf(e) === i);
    this.#entries = trimmed.slice(0, this.size).reverse();
    try {
      mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
      const temporary = `${this.path}.${process.pid}.tmp`;
      writeFileSync(temporary, this.#entries.join('\n') + '\n', { mode: 0o600 });
      chmodSync(temporary, 0o600);
      renameSync(temporary, this.path);
      return undefined;
    } catch (error) {
      if (this.#warned) return undefined;
      this.#warned = true;
      return `history not saved (${(error as Error).message})`;
    }
  }
}
