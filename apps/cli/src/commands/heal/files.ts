import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, relative, resolve, sep } from 'node:path';
import type { HealingLanguage, SourceFile } from '@maximus/contracts';
import { ExitError } from '../../spec.js';

const LANGUAGE_OF: Readonly<Record<string, HealingLanguage>> = {
  '.py': 'python', '.pyi': 'python',
  '.ts': 'typescript', '.tsx': 'typescript', '.mts': 'typescript', '.cts': 'typescript',
  '.js': 'javascript', '.jsx': 'javascript', '.mjs': 'javascript', '.cjs': 'javascript',
};
const SKIP = new Set(['node_modules', '.git', 'dist', 'build', '__pycache__', '.venv', 'venv', '.mypy_cache', '.ruff_cache', 'coverage']);
const TEST_FILE = /(^test_.*\.py$|_test\.py$|\.(test|spec)\.[cm]?[jt]sx?$)/;
/** The service takes at most 50 files and 4 MB per diagnosis. */
const MAX_FILES = 50;
const MAX_BYTES = 4_000_000;

export interface Collected {
  language: HealingLanguage;
  /** The directory the paths are relative to (the workspace `--apply` writes into by default). */
  root: string;
  files: SourceFile[];
  tests: SourceFile[];
}

function walk(dir: string, out: string[]): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.') && entry.name !== '.') continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIP.has(entry.name)) walk(full, out);
    } else if (entry.isFile() && LANGUAGE_OF[extname(entry.name)]) {
      out.push(full);
    }
  }
}

/** The files to diagnose under `path` (a file or a directory): one language (the most common, or `--language`); tests apart. */
export function collect(path: string, language?: HealingLanguage): Collected {
  const absolute = resolve(path);
  let info;
  try {
    info = statSync(absolute);
  } catch {
    throw new ExitError(`${path}: no such file or directory`, 2);
  }
  const root = info.isDirectory() ? absolute : dirname(absolute);
  const found: string[] = [];
  if (info.isDirectory()) walk(absolute, found);
  else found.push(absolute);
  const counts = new Map<HealingLanguage, number>();
  for (const f of found) {
    const l = LANGUAGE_OF[extname(f)];
    if (l) counts.set(l, (counts.get(l) ?? 0) + 1);
  }
  const chosen = language ?? [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
  if (!chosen) throw new ExitError(`${path}: no Python, TypeScript or JavaScript file found`, 2);
  const accepts = (f: string) => {
    const l = LANGUAGE_OF[extname(f)];
    return l === chosen || (chosen === 'typescript' && l === 'javascript');
  };
  const selected = found.filter(accepts).sort();
  if (selected.length > MAX_FILES * 2) throw new ExitError(`${path}: ${selected.length} ${chosen} files; heal takes at most ${MAX_FILES} (point it at a smaller directory)`, 2);
  const files: SourceFile[] = [];
  const tests: SourceFile[] = [];
  let bytes = 0;
  for (const f of selected) {
    const content = readFileSync(f, 'utf8');
    bytes += Buffer.byteLength(content);
    const rel = relative(root, f).split(sep).join('/');
    (TEST_FILE.test(basename(f)) ? tests : files).push({ path: rel, content });
  }
  if (!files.length) throw new ExitError(`${path}: only test files found; nothing to diagnose`, 2);
  if (files.length > MAX_FILES || tests.length > MAX_FILES) throw new ExitError(`${path}: more than ${MAX_FILES} files or tests; point heal at a smaller directory`, 2);
  if (bytes > MAX_BYTES) throw new ExitError(`${path}: ${bytes} bytes of code; heal takes at most ${MAX_BYTES}`, 2);
  return { language: chosen, root, files, tests };
}
