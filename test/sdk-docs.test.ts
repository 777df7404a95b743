import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// The SDK's documentation: every export carries TSDoc with an @example, and the reference that
// `npm run docs` generates into docs/sdk/ (scripts/sdk-doc.mjs, TypeDoc) has a page for each.

const root = new URL('..', import.meta.url).pathname;
const index = join(root, 'packages/sdk/src/index.ts');

interface Exported {
  name: string;
  kind: 'classes' | 'interfaces' | 'type-aliases' | 'functions' | 'variables';
  hasDoc: boolean;
  hasExample: boolean;
}

function exportsOfTheSdk(): Exported[] {
  const program = ts.createProgram([index], { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, customConditions: ['source'], noEmit: true, strict: true, skipLibCheck: true, types: ['node'] });
  const checker = program.getTypeChecker();
  const module = checker.getSymbolAtLocation(program.getSourceFile(index)!)!;
  return checker
    .getExportsOfModule(module)
    .filter((s) => s.name !== 'default')
    .map((exported) => {
      const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      const declaration = symbol.declarations?.[0];
      const kind: Exported['kind'] =
        symbol.flags & ts.SymbolFlags.Class
          ? 'classes'
          : symbol.flags & ts.SymbolFlags.Interface
            ? 'interfaces'
            : symbol.flags & ts.SymbolFlags.TypeAlias
              ? 'type-aliases'
              : symbol.flags & ts.SymbolFlags.Function
                ? 'functions'
                : 'variables';
      // A variable's TSDoc sits on its statement.
      const documented = declaration && ts.isVariableDeclaration(declaration) ? declaration.parent.parent : declaration;
      const docs = documented ? ts.getJSDocCommentsAndTags(documented) : [];
      const tags = documented ? ts.getJSDocTags(documented) : [];
      return { name: exported.name, kind, hasDoc: docs.length > 0, hasExample: tags.some((t) => t.tagName.text === 'example') };
    });
}

describe('SDK documentation', () => {
  const exported = exportsOfTheSdk();

  it('finds the exports of @maximus/sdk', () => {
    expect(exported.map((e) => e.name)).toEqual(expect.arrayContaining(['Maximus', 'RequestOptions', 'CircuitOpenError', 'SDK_ROUTES', 'openEventStream']));
  });

  it('gives every export TSDoc with an @example', () => {
    const missing = exported.filter((e) => !e.hasDoc || !e.hasExample).map((e) => `${e.name}${e.hasDoc ? ' (no @example)' : ' (no TSDoc)'}`);
    expect(missing, `exports of packages/sdk/src/index.ts without TSDoc and an @example:\n  ${missing.join('\n  ')}\n`).toEqual([]);
  });

  it('names every environment variable the SDK reads in its README (the head of docs/sdk/)', async () => {
    const { SDK_ENV_VARS } = await import('@maximus/sdk');
    const readme = readFileSync(join(root, 'packages/sdk/README.md'), 'utf8');
    expect(Object.keys(SDK_ENV_VARS).filter((name) => !readme.includes(`\`${name}\``))).toEqual([]);
  });

  it('has a page in docs/sdk/ for every export (run `npm run docs` after adding one)', () => {
    const readme = readFileSync(join(root, 'docs/sdk/README.md'), 'utf8');
    const missing = exported.filter((e) => !existsSync(join(root, 'docs/sdk', e.kind, `${e.name}.md`)) || !readme.includes(`(${e.kind}/${e.name}.md)`)).map((e) => e.name);
    expect(missing, `exports missing from docs/sdk/:\n  ${missing.join('\n  ')}\n`).toEqual([]);
  });
});
