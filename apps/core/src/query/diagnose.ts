/**
 * The requests `diagnose_code` makes to PENELOPE (`POST /api/v1/healing/diagnose`), which takes one language per
 * call, `code` or `files` (not both), at most 50 files, and relative paths: files are grouped by language (from
 * their extension) and cut into calls of 50; a snippet without a language gets a guessed one, and says so.
 */
export type Language = 'python' | 'typescript' | 'javascript';

export interface DiagnoseRequest {
  readonly language: Language;
  readonly code?: string;
  readonly files?: { path: string; content: string }[];
  /** True when the language was guessed from the code. */
  readonly guessed: boolean;
}

export const LANGUAGES: readonly Language[] = ['python', 'typescript', 'javascript'];
const MAX_FILES = 50;

const BY_EXTENSION: Readonly<Record<string, Language>> = {
  py: 'python',
  ts: 'typescript',
  tsx: 'typescript',
  mts: 'typescript',
  cts: 'typescript',
  js: 'javascript',
  jsx: 'javascript',
  mjs: 'javascript',
  cjs: 'javascript',
};

/** The language of a file name, if its extension says. */
export function languageOfPath(path: string): Language | undefined {
  const ext = /\.([A-Za-z]+)$/.exec(path)?.[1]?.toLowerCase();
  return ext ? BY_EXTENSION[ext] : undefined;
}

/** A best guess from the code itself: Python's `def`/`import x`/block colons, TypeScript's type syntax, else JavaScript. */
export function guessLanguage(code: string): Language {
  if (/^\s*(def |class \w+(\(.*\))?:|from [\w.]+ import |import \w+(\.\w+)*\s*$|elif |print\()/m.test(code)) return 'python';
  if (/\b(interface|type)\s+\w+[\s<={]|:\s*(string|number|boolean|any|unknown|void)\b|\bas const\b|\bpublic\s+\w+\s*\(/.test(code)) return 'typescript';
  return 'javascript';
}

/** A path PENELOPE accepts: relative, `/` separators, no `..` or `.` segments. */
export function safePath(path: string, fallback: string): string {
  const clean = path.replace(/\\/g, '/').replace(/^[A-Za-z]:/, '').split('/').filter((s) => s && s !== '.' && s !== '..').join('/');
  return clean || fallback;
}

/** The diagnose calls for a tool input (`code` and/or `files`, and an optional `language`). */
export function diagnoseRequests(input: { code?: string; files?: { path: string; content: string }[]; language?: Language }): DiagnoseRequest[] {
  const requests: DiagnoseRequest[] = [];
  if (input.code) {
    const language = input.language ?? guessLanguage(input.code);
    requests.push({ language, code: input.code, guessed: !input.language });
  }
  const groups = new Map<Language, { path: string; content: string }[]>();
  for (const [i, file] of (input.files ?? []).entries()) {
    const language = languageOfPath(file.path) ?? input.language ?? guessLanguage(file.content);
    const list = groups.get(language) ?? [];
    list.push({ path: safePath(file.path, `file${i + 1}.${language === 'python' ? 'py' : language === 'typescript' ? 'ts' : 'js'}`), content: file.content });
    groups.set(language, list);
  }
  for (const [language, files] of groups) {
    for (let i = 0; i < files.length; i += MAX_FILES) requests.push({ language, files: files.slice(i, i + MAX_FILES), guessed: false });
  }
  return requests;
}
