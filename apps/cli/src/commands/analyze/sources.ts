import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, extname, isAbsolute, join, relative } from 'node:path';
import type { QueryContext } from '@maximus/contracts';
import { ExitError } from '../../spec.js';

/** Extensions sent for analysis, and the language each means. */
export const SOURCE_EXTENSIONS: Readonly<Record<string, NonNullable<QueryContext['language']>>> = {
  '.py': 'python',
  '.ts': 'typescript',
  '.tsx': 'typescript',
  '.mts': 'typescript',
  '.cts': 'typescript',
  '.js': 'javascript',
  '.jsx': 'javascript',
  '.mjs': 'javascript',
  '.cjs': 'javascript',
};

/** Folders never walked into. */
const SKIPPED = new Set(['node_modules', '.git', 'dist', 'build', 'coverage', '__pycache__', '.venv', 'venv', '.tox', '.mypy_cache']);

/** Limits of one request (the API takes at most 200 files of 500 000 characters). */
export const LIMITS = { files: 200, fileChars: 500_000, totalChars: 2_000_000 } as const;

export interface CollectedSources {
  readonly context: QueryContext;
  /** What was sent, for the summary line. */
  readonly files: number;
  readonly chars: number;
  /** Files left out, and why. */
  readonly skipped: string[];
}

/** The code of `-` (stdin), a file, or a directory's source files, as a query context. */
export async function collectSources(target: string, stdin: NodeJS.ReadableStream, language?: string): Promise<CollectedSources> {
  const lang = language === undefined ? undefined : checkLanguage(language);
  if (target === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk));
    const code = Buffer.concat(chunks).toString('utf8');
    if (!code.trim()) throw new ExitError('nothing to analyse: stdin was empty', 2);
    if (code.length > LIMITS.fileChars) throw new ExitError(`stdin holds ${code.length} characters; at most ${LIMITS.fileChars} are sent`, 2);
    return { context: { code, ...(lang ? { language: lang } : {}) }, files: 1, chars: code.length, skipped: [] };
  }
  let stat;
  try {
    stat = statSync(target);
  } catch {
    throw new ExitError(`${target}: no such file or directory`, 2);
  }
  if (stat.isFile()) {
    const code = readFileSync(target, 'utf8');
    if (!code.trim()) throw new ExitError(`nothing to analyse: ${target} is empty`, 2);
    if (code.length > LIMITS.fileChars) throw new ExitError(`${target} holds ${code.length} characters; at most ${LIMITS.fileChars} are sent`, 2);
    const guessed = lang ?? SOURCE_EXTENSIONS[extname(target).toLowerCase()];
    const name = relative(process.cwd(), target);
    const path = !name || name.startsWith('..') || isAbsolute(name) ? basename(target) : name;
    return { context: { files: [{ path, content: code }], ...(guessed ? { language: guessed } : {}) }, files: 1, chars: code.length, skipped: [] };
  }
  const files: { path: string; content: string }[] = [];
  const skipped: string[] = [];
  let chars = 0;
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED.has(entry.name) && !entry.name.startsWith('.')) walk(path);
        continue;
      }
      if (!entry.isFile() || !(extname(entry.name).toLowerCase() in SOURCE_EXTENSIONS) || entry.name.endsWith('.d.ts')) continue;
      const name = relative(target, path);
      const content = readFileSync(path, 'utf8');
      if (content.length > LIMITS.fileChars) skipped.push(`${name} (${content.length} characters)`);
      else if (files.length >= LIMITS.files) skipped.push(`${name} (more than ${LIMITS.files} files)`);
      else if (chars + content.length > LIMITS.totalChars) skipped.push(`${name} (over ${LIMITS.totalChars} characters in all)`);
      else {
        files.push({ path: name, content });
        chars += content.length;
      }
    }
  };
  walk(target);
  if (!files.length) throw new ExitError(`nothing to analyse: no source file (${Object.keys(SOURCE_EXTENSIONS).join(' ')}) under ${target}`, 2);
  return { context: { files, ...(lang ? { language: lang } : {}) }, files: files.length, chars, skipped };
}

function checkLanguage(language: string): NonNullable<QueryContext['language']> {
  if (language === 'python' || language === 'typescript' || language === 'javascript') return language;
  throw new ExitError(`--language must be python, typescript or javascript, not ${language}`, 2);
}
