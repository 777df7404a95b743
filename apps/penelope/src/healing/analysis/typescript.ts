import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import ts from 'typescript';
import type { SourceFile } from '@maximus/contracts';
import type { Edit } from './text.js';

const require = createRequire(import.meta.url);

/** Where the analysed files live for the compiler and ESLint: a virtual directory that exists nowhere on disk. */
export const VIRTUAL_ROOT = '/__penelope__';
export const virtualPath = (path: string) => `${VIRTUAL_ROOT}/${path}`;
export const realPath = (virtual: string) => (virtual.startsWith(`${VIRTUAL_ROOT}/`) ? virtual.slice(VIRTUAL_ROOT.length + 1) : virtual);

function compilerOptions(language: 'typescript' | 'javascript'): ts.CompilerOptions {
  // @types/node beside this package: Node code type-checks; the DOM library: browser code too.
  const typeRoots = [dirname(dirname(require.resolve('@types/node/package.json')))];
  const common: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.es2023.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'],
    types: ['node'],
    typeRoots,
    skipLibCheck: true,
    noEmit: true,
    noUnusedLocals: true,
    allowUnreachableCode: false,
    allowUnusedLabels: false,
    noFallthroughCasesInSwitch: true,
    allowImportingTsExtensions: true,
    resolveJsonModule: true,
    jsx: ts.JsxEmit.Preserve,
    esModuleInterop: true,
  };
  return language === 'typescript'
    ? { ...common, strict: true, noImplicitReturns: true, allowJs: true, checkJs: false }
    : { ...common, strict: false, allowJs: true, checkJs: true, noImplicitAny: false };
}

/**
 * A warm TypeScript language service over in-memory files. The standard library and @types/node are parsed once (the
 * document registry keeps them); each analysis replaces the user files and bumps their versions, so a program update
 * re-checks only them.
 */
export class TsProject {
  readonly service: ts.LanguageService;
  readonly options: ts.CompilerOptions;
  readonly #files = new Map<string, { text: string; version: number }>();
  #version = 0;

  constructor(readonly language: 'typescript' | 'javascript', registry: ts.DocumentRegistry) {
    this.options = compilerOptions(language);
    const files = this.#files;
    const host: ts.LanguageServiceHost = {
      getCompilationSettings: () => this.options,
      getScriptFileNames: () => [...files.keys()],
      getScriptVersion: (name) => String(files.get(name)?.version ?? 0),
      getScriptSnapshot: (name) => {
        const own = files.get(name);
        if (own) return ts.ScriptSnapshot.fromString(own.text);
        return name.startsWith(VIRTUAL_ROOT) ? undefined : librarySnapshot(name);
      },
      getCurrentDirectory: () => VIRTUAL_ROOT,
      getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
      fileExists: (name) => files.has(name) || (!name.startsWith(VIRTUAL_ROOT) && ts.sys.fileExists(name)),
      readFile: (name) => files.get(name)?.text ?? (name.startsWith(VIRTUAL_ROOT) ? undefined : ts.sys.readFile(name)),
      directoryExists: (dir) => dir === VIRTUAL_ROOT || [...files.keys()].some((f) => f.startsWith(`${dir}/`)) || (!dir.startsWith(VIRTUAL_ROOT) && ts.sys.directoryExists(dir)),
      getDirectories: (dir) => (dir.startsWith(VIRTUAL_ROOT) ? [] : ts.sys.getDirectories(dir)),
      useCaseSensitiveFileNames: () => true,
    };
    this.service = ts.createLanguageService(host, registry);
  }

  /** Replaces the user files (unchanged contents keep their version, so the checker reuses their work). */
  setFiles(files: readonly SourceFile[]): void {
    const wanted = new Set(files.map((f) => virtualPath(f.path)));
    for (const name of [...this.#files.keys()]) if (!wanted.has(name)) this.#files.delete(name);
    for (const f of files) {
      const name = virtualPath(f.path);
      const existing = this.#files.get(name);
      if (existing?.text !== f.content) this.#files.set(name, { text: f.content, version: ++this.#version });
    }
  }

  program(): ts.Program {
    const program = this.service.getProgram();
    if (!program) throw new Error('the TypeScript language service has no program');
    return program;
  }

  /** Syntactic and semantic diagnostics of one user file. */
  diagnostics(path: string): { syntactic: readonly ts.Diagnostic[]; semantic: readonly ts.Diagnostic[] } {
    const name = virtualPath(path);
    const syntactic = this.service.getSyntacticDiagnostics(name);
    return { syntactic, semantic: syntactic.length ? [] : this.service.getSemanticDiagnostics(name) };
  }

  /** The code fixes the language service offers for one diagnostic. */
  codeFixes(path: string, diagnostic: ts.Diagnostic): readonly ts.CodeFixAction[] {
    const start = diagnostic.start ?? 0;
    try {
      return this.service.getCodeFixesAtPosition(virtualPath(path), start, start + (diagnostic.length ?? 0), [diagnostic.code], FORMAT, PREFERENCES);
    } catch {
      // A code fix provider that throws on odd input offers nothing, like the editor would.
      return [];
    }
  }
}

/** Library files (lib.*.d.ts, @types/node) never change: read each once per worker (the language service asks for every snapshot on each update). */
const libraries = new Map<string, ts.IScriptSnapshot | undefined>();
function librarySnapshot(name: string): ts.IScriptSnapshot | undefined {
  if (!libraries.has(name)) {
    const text = ts.sys.readFile(name);
    libraries.set(name, text === undefined ? undefined : ts.ScriptSnapshot.fromString(text));
  }
  return libraries.get(name);
}

const FORMAT: ts.FormatCodeSettings = { ...ts.getDefaultFormatCodeSettings('\n'), indentSize: 2, tabSize: 2, convertTabsToSpaces: true };
const PREFERENCES: ts.UserPreferences = { quotePreference: 'auto', includeCompletionsForModuleExports: false };

/** The edits of a code fix, keyed by real (request) path. */
export function codeFixEdits(fix: ts.CodeFixAction): Edit[] {
  return fix.changes.flatMap((change) =>
    change.textChanges.map((t) => ({ file: realPath(change.fileName), start: t.span.start, end: t.span.start + t.span.length, text: t.newText })),
  );
}

export function diagnosticCategory(category: ts.DiagnosticCategory): 'error' | 'warning' | 'suggestion' | 'message' {
  switch (category) {
    case ts.DiagnosticCategory.Error:
      return 'error';
    case ts.DiagnosticCategory.Warning:
      return 'warning';
    case ts.DiagnosticCategory.Suggestion:
      return 'suggestion';
    default:
      return 'message';
  }
}
