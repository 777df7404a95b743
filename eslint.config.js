// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { importX } from 'eslint-plugin-import-x';
import globals from 'globals';

const services = ['core', 'penelope', 'maba', 'nis', 'adw', 'eikos', 'thoth', 'hermes'];
const apps = [...services, 'gateway', 'cli'];

/** No deep imports into another package's src/ or dist/: packages are used through their exports. */
const noDeepImports = [
  { group: ['@maximus/*/src/*', '@maximus/*/dist/*', '**/packages/*/src/**', '**/apps/*/src/**'], message: 'Import a package through its exports (e.g. @maximus/kit/db), never its files.' },
];

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '.maximus/**', 'coverage/**', 'apps/penelope/fixtures/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.js', 'scripts/*.mjs', 'bench/*.mjs', 'apps/cli/bin/*.js', 'test/fixtures/*.mjs'] }, tsconfigRootDir: import.meta.dirname },
      globals: globals.node,
    },
    plugins: { 'import-x': importX },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-self-import': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      'no-restricted-imports': ['error', { patterns: noDeepImports }],
    },
  },
  // The SDK is a client library: it never depends on the service runtime.
  {
    files: ['packages/sdk/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [...noDeepImports, { group: ['@maximus/kit', '@maximus/kit/*'], message: 'The SDK never imports the kit.' }, { group: apps.map((a) => `@maximus/${a}`), message: 'Packages never import apps.' }] }],
    },
  },
  { files: ['packages/kit/**/*.ts', 'packages/contracts/**/*.ts'], rules: { 'no-restricted-imports': ['error', { patterns: [...noDeepImports, { group: apps.map((a) => `@maximus/${a}`), message: 'Packages never import apps.' }] }] } },
  // Apps never import each other; the CLI is the composition root and may import every app's entry point.
  ...apps
    .filter((a) => a !== 'cli')
    .map((app) => ({
      files: [`apps/${app}/**/*.ts`],
      rules: {
        'no-restricted-imports': ['error', { patterns: [...noDeepImports, { group: apps.filter((a) => a !== app).map((a) => `@maximus/${a}`), message: 'Apps never import each other (the CLI composes them).' }] }],
      },
    })),
  {
    files: ['**/*.test.ts', 'test/**/*.ts', 'bench/**'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  { files: ['**/*.js', '**/*.mjs'], ...tseslint.configs.disableTypeChecked },
);
