import { createRequire } from 'node:module';
import js from '@eslint/js';
import { Linter } from 'eslint';
import { builtinRules } from 'eslint/use-at-your-own-risk';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import type ts from 'typescript';
import { ESLINT_EXTRA_RULES, ESLINT_TYPED_RULES } from './rules.js';
import { VIRTUAL_ROOT } from './typescript.js';

const require = createRequire(import.meta.url);

/** typescript-eslint's recommended rules (not the type-checked set: its type-aware rules we pick in ESLINT_TYPED_RULES). */
function recommendedTsRules(): Linter.RulesRecord {
  const rules: Linter.RulesRecord = {};
  for (const config of tseslint.configs.recommended) Object.assign(rules, config.rules ?? {});
  return rules;
}

const asWarnings = (rules: Linter.RulesRecord): Linter.RulesRecord =>
  Object.fromEntries(Object.entries(rules).map(([name, value]) => [name, Array.isArray(value) ? ['warn', ...(value.slice(1))] : value === 'off' || value === 0 ? 'off' : 'warn']));

/**
 * ESLint (the `Linter` API, flat config in memory) with typescript-eslint's parser. The parser takes the program of the
 * warm language service (`parserOptions.programs`), so type-aware rules cost no second type check. The config objects
 * are built once; only the program in the array changes between runs.
 */
export class EslintRunner {
  readonly linter = new Linter({ configType: 'flat', cwd: VIRTUAL_ROOT });
  readonly #programs: ts.Program[] = [];
  readonly #config: Linter.Config[];
  readonly version = `${Linter.version} (typescript-eslint ${(require('typescript-eslint/package.json') as { version: string }).version})`;
  /** Rule metadata (`type`: problem / suggestion / layout), for severities. */
  readonly ruleTypes = new Map<string, string | undefined>();

  constructor(readonly language: 'typescript' | 'javascript') {
    const typed = { ...ESLINT_TYPED_RULES };
    const base = asWarnings(js.configs.recommended.rules);
    const rules: Linter.RulesRecord =
      language === 'typescript'
        ? { ...base, ...asWarnings(recommendedTsRules()), ...ESLINT_EXTRA_RULES, ...typed, 'no-undef': 'off' }
        : { ...base, ...ESLINT_EXTRA_RULES, ...typed };
    this.#config = [
      {
        files: ['**/*.{ts,tsx,mts,cts,js,jsx,mjs,cjs}'],
        languageOptions: {
          parser: tseslint.parser,
          parserOptions: { programs: this.#programs, ecmaFeatures: { jsx: true } },
          ecmaVersion: 'latest',
          sourceType: 'module',
          globals: { ...globals.node, ...globals.browser, ...globals.es2021 },
        },
        linterOptions: { reportUnusedDisableDirectives: 'off' },
        plugins: { '@typescript-eslint': tseslint.plugin as unknown as NonNullable<Linter.Config['plugins']>[string] },
        rules,
      },
    ];
    for (const [name, rule] of Object.entries((tseslint.plugin as { rules?: Record<string, unknown> }).rules ?? {})) this.ruleTypes.set(`@typescript-eslint/${name}`, (rule as { meta?: { type?: string } }).meta?.type);
    for (const [name, rule] of builtinRules) this.ruleTypes.set(name, rule.meta?.type);
  }

  /** Lints one file of `program` (the file must be in it). */
  verify(fileName: string, text: string, program: ts.Program): Linter.LintMessage[] {
    this.#programs.length = 0;
    this.#programs.push(program);
    return this.linter.verify(text, this.#config, { filename: fileName });
  }
}
