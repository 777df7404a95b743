import type { HealingFocus, IssueCategory, IssueSeverity, SafetyClass } from '@maximus/contracts';

/**
 * The rule table (docs/healing.md prints the same): severity, category and — where the analyser does not say —
 * the safety class of a rule's fix.
 *
 * - Ruff's WebAssembly build returns fixes without their applicability, so the class of each Ruff fix comes from the
 *   "Fix safety" section of the rule's documentation, transcribed below; a fix of a rule not listed is `unsafe`.
 * - ESLint: a rule's `fix` is `safe` (ESLint applies fixes only when they keep behaviour), its `suggestions` are
 *   `suggestion-only` (ESLint never applies them automatically).
 * - TypeScript code fixes: by fix name below; a name not listed is `suggestion-only`.
 */

export interface RuleInfo {
  severity: IssueSeverity;
  category: IssueCategory;
}

/** Ruff rules selected (`lint.select`), and preview rules selected explicitly. */
export const RUFF_SELECT = ['E4', 'E7', 'E9', 'F', 'B', 'UP', 'SIM', 'RET', 'PLE', 'PLW', 'PERF', 'S', 'ASYNC', 'RUF', 'PIE', 'C4'] as const;
/** Ignored: S101 (`assert` is how pytest tests), RUF012 (mutable class defaults: noisy without type context). */
export const RUFF_IGNORE = ['S101', 'RUF012'] as const;

/** Ruff codes whose fix keeps behaviour (`safe`); every other fixable code is `unsafe`. */
const RUFF_SAFE = new Set([
  'F401', // unused import (unsafe in __init__.py: handled below)
  'F541', // f-string without placeholders
  'F632', // `is` with a literal → `==`
  'F901', // raise NotImplemented → NotImplementedError
  'E401', // multiple imports on one line
  'E703', // useless semicolon
  'E713', // `not x in y` → `x not in y`
  'E714', // `not x is y` → `x is not y`
  'B009', // getattr with a constant
  'B010', // setattr with a constant
  'B013', // redundant tuple in except
  'B014', // duplicate exception in except
  'UP004', 'UP005', 'UP006', 'UP007', 'UP008', 'UP009', 'UP010', 'UP011', 'UP012', 'UP015', 'UP018', 'UP019', 'UP020', 'UP021', 'UP022', 'UP023',
  'UP024', 'UP025', 'UP026', 'UP029', 'UP030', 'UP031', 'UP032', 'UP033', 'UP034', 'UP035', 'UP036', 'UP037', 'UP039', 'UP040', 'UP041', 'UP045',
  'UP003', // type(1) → int
  'SIM101', 'SIM103', 'SIM109', 'SIM110', 'SIM111', 'SIM118', 'SIM201', 'SIM202', 'SIM208', 'SIM210', 'SIM211', 'SIM212', 'SIM300',
  'RET501', 'RET502', 'RET503', 'RET505', 'RET506', 'RET507', 'RET508',
  'PIE790', // unnecessary pass
  'PIE794', // duplicate class field
  'PIE800', 'PIE804', 'PIE808', 'PIE810',
  'PLW0120', // else on a loop without break
  'PLW3301', // nested min/max
  'PLE0604', 'PLE0605',
  'RUF010', 'RUF019', 'RUF020', 'RUF100',
  'C400', 'C401', 'C402', 'C403', 'C404', 'C405', 'C406', 'C408', 'C409', 'C410', 'C411', 'C413', 'C414', 'C416', 'C417', 'C418', 'C419',
]);

/** Ruff codes whose fix is only for display (never applied by `ruff --fix`): suggestion-only. */
const RUFF_DISPLAY_ONLY = new Set(['E731', 'PERF401', 'PERF402', 'B004']);

const RUFF_ERRORS = /^(E9|F82|F70|F63[1-4]|F50|F60|PLE|invalid-syntax)/;
const RUFF_SECURITY = /^S\d/;
const RUFF_PERFORMANCE = /^(PERF|C4)/;
const RUFF_STYLE = /^(UP|SIM|RET|PIE|RUF|E4|E7[0-4]|C9)/;

export function ruffRule(code: string): RuleInfo {
  if (RUFF_ERRORS.test(code)) return { severity: 'error', category: 'correctness' };
  if (RUFF_SECURITY.test(code)) return { severity: 'warning', category: 'security' };
  if (RUFF_PERFORMANCE.test(code)) return { severity: 'info', category: 'performance' };
  if (RUFF_STYLE.test(code) && !['E711', 'E712', 'E721', 'E722'].includes(code)) return { severity: 'info', category: 'style' };
  return { severity: 'warning', category: 'correctness' };
}

export function ruffFixSafety(code: string, file: string): SafetyClass {
  if (RUFF_DISPLAY_ONLY.has(code)) return 'suggestion-only';
  if (code === 'F401' && /(^|\/)__init__\.py$/.test(file)) return 'unsafe';
  return RUFF_SAFE.has(code) ? 'safe' : 'unsafe';
}

/** ESLint rules (on top of `@eslint/js` recommended; typescript-eslint's recommended and type-aware rules for TypeScript). */
export const ESLINT_EXTRA_RULES: Record<string, 'warn'> = {
  eqeqeq: 'warn',
  'prefer-const': 'warn',
  'no-var': 'warn',
  'no-useless-return': 'warn',
  'no-unneeded-ternary': 'warn',
  'no-lonely-if': 'warn',
  'no-useless-rename': 'warn',
  'no-extra-bind': 'warn',
  'no-useless-concat': 'warn',
  'no-throw-literal': 'warn',
  'no-await-in-loop': 'warn',
  'no-eval': 'warn',
  'no-implied-eval': 'warn',
  'no-new-func': 'warn',
  'no-script-url': 'warn',
  'no-return-assign': 'warn',
  'no-self-compare': 'warn',
  'no-unmodified-loop-condition': 'warn',
  'no-unreachable-loop': 'warn',
  'no-promise-executor-return': 'warn',
  'no-constructor-return': 'warn',
  'array-callback-return': 'warn',
  yoda: 'warn',
  radix: 'warn',
};

/** Type-aware typescript-eslint rules (the program comes from the warm TypeScript language service). */
export const ESLINT_TYPED_RULES: Record<string, 'warn' | 'off'> = {
  'require-await': 'off',
  'no-unused-vars': 'off',
  '@typescript-eslint/no-unused-vars': 'off',
  '@typescript-eslint/require-await': 'warn',
  '@typescript-eslint/no-floating-promises': 'warn',
  '@typescript-eslint/await-thenable': 'warn',
  '@typescript-eslint/no-unnecessary-type-assertion': 'warn',
  '@typescript-eslint/no-implied-eval': 'warn',
  '@typescript-eslint/return-await': 'warn',
};

const ESLINT_ERRORS = new Set([
  'no-undef', 'no-dupe-keys', 'no-dupe-args', 'no-dupe-class-members', 'no-func-assign', 'no-import-assign', 'no-const-assign', 'getter-return',
  'no-unsafe-finally', 'no-obj-calls', 'no-new-native-nonconstructor', 'no-class-assign', 'no-setter-return', 'no-this-before-super', 'constructor-super',
  'no-unsafe-negation', 'use-isnan', 'valid-typeof', 'no-invalid-regexp', 'for-direction', 'no-compare-neg-zero', 'no-self-assign',
  '@typescript-eslint/await-thenable', '@typescript-eslint/no-misused-promises',
]);
const ESLINT_SECURITY = new Set(['no-eval', 'no-implied-eval', 'no-new-func', 'no-script-url', '@typescript-eslint/no-implied-eval']);
const ESLINT_PERFORMANCE = new Set(['no-await-in-loop']);

export function eslintRule(ruleId: string, type: string | undefined): RuleInfo {
  if (ESLINT_SECURITY.has(ruleId)) return { severity: 'warning', category: 'security' };
  if (ESLINT_PERFORMANCE.has(ruleId)) return { severity: 'info', category: 'performance' };
  if (ESLINT_ERRORS.has(ruleId)) return { severity: 'error', category: 'correctness' };
  if (type === 'problem') return { severity: 'warning', category: 'correctness' };
  return { severity: 'info', category: 'style' };
}

/** TypeScript errors that are lint findings rather than type errors: reported as warnings. */
const TS_LINT_LIKE = new Set([6133, 6138, 6192, 6196, 6198, 6199, 6205, 7027, 7028, 7029, 7030, 6385, 6387]);
/**
 * Findings about the environment, not the code: a module or its declarations cannot be found (PENELOPE analyses the
 * files it is given, without their dependencies). Not reported.
 */
export const TS_ENVIRONMENT = new Set([2307, 2792, 7016, 2875, 2688, 2726, 1259]);

export function tsRule(code: number, category: 'error' | 'warning' | 'suggestion' | 'message'): RuleInfo {
  if (TS_LINT_LIKE.has(code)) return { severity: 'warning', category: 'correctness' };
  if (category === 'error') return { severity: 'error', category: 'correctness' };
  if (category === 'warning') return { severity: 'warning', category: 'correctness' };
  return { severity: 'info', category: 'style' };
}

/** TypeScript code fixes PENELOPE offers, by fix name. Not listed: `suggestion-only`. Never offered: the ones that silence a check. */
export const TS_CODEFIXES: Record<string, SafetyClass | ((description: string) => SafetyClass)> = {
  /** "Remove import from 'x'" keeps behaviour; "Remove unused declaration" may drop an initializer's effects. */
  unusedIdentifier: (description) => (/^Remove (unused )?import|^Remove import from|^Delete all unused imports|^Remove unused destructuring declaration/i.test(description) ? 'safe' : 'unsafe'),
  /** Code after a return or throw never runs: removing it keeps behaviour. */
  fixUnreachableCode: 'safe',
  fixUnusedLabel: 'safe',
  /** Awaiting changes when the rest runs: behaviour changes (usually the intended one). */
  addMissingAwait: 'unsafe',
  fixAwaitInSyncFunction: 'unsafe',
  addMissingAsync: 'unsafe',
  fixMissingCallParentheses: 'unsafe',
  fixSpelling: 'suggestion-only',
};
export const TS_CODEFIX_NEVER = new Set(['disableJsDiagnostics', 'fixJSDocTypes_plain', 'fixJSDocTypes_nullable', 'unusedIdentifier_prefix', 'unusedIdentifier_infer', 'fixAddVoidToPromise']);

export function tsCodefixSafety(fixName: string, description: string): SafetyClass | null {
  if (TS_CODEFIX_NEVER.has(fixName)) return null;
  const entry = TS_CODEFIXES[fixName];
  if (entry === undefined) return 'suggestion-only';
  return typeof entry === 'function' ? entry(description) : entry;
}

/** Whether a finding of this severity and category is reported under `focus`. */
export function matchesFocus(focus: HealingFocus, finding: RuleInfo): boolean {
  switch (focus) {
    case 'all':
      return true;
    case 'errors':
      return finding.severity === 'error';
    case 'warnings':
      return finding.severity === 'warning';
    case 'performance':
      return finding.category === 'performance';
    case 'security':
      return finding.category === 'security';
  }
}

/** Safe < unsafe < suggestion-only: a patch takes the least safe class of its fixes. */
export const SAFETY_ORDER: readonly SafetyClass[] = ['safe', 'unsafe', 'suggestion-only'];

export function leastSafe(classes: Iterable<SafetyClass>): SafetyClass {
  let worst = 0;
  for (const c of classes) worst = Math.max(worst, SAFETY_ORDER.indexOf(c));
  return SAFETY_ORDER[worst] ?? 'safe';
}
