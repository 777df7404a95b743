// Writes the SDK's API reference into docs/sdk/ from its TSDoc (TypeDoc with typedoc-plugin-markdown):
//   node scripts/sdk-doc.mjs   (part of `npm run docs`)
// test/sdk-docs.test.ts fails when an export has no TSDoc example, or when docs/sdk/ misses an export.
import { rmSync } from 'node:fs';
import { Application, LogLevel } from 'typedoc';

const root = new URL('..', import.meta.url).pathname;
const out = `${root}docs/sdk`;
const app = await Application.bootstrapWithPlugins({
  entryPoints: [`${root}packages/sdk/src/index.ts`],
  tsconfig: `${root}packages/sdk/tsconfig.doc.json`,
  plugin: ['typedoc-plugin-markdown'],
  out,
  name: '@maximus/sdk',
  readme: `${root}packages/sdk/README.md`,
  mergeReadme: true,
  excludePrivate: true,
  excludeProtected: true,
  excludeInternal: true,
  excludeExternals: true,
  disableSources: true,
  hideGenerator: true,
  sort: ['source-order'],
  logLevel: LogLevel.Warn,
  // typedoc-plugin-markdown: one page per module member kind, index tables.
  outputFileStrategy: 'members',
  indexFormat: 'table',
  parametersFormat: 'table',
  interfacePropertiesFormat: 'table',
  classPropertiesFormat: 'table',
  enumMembersFormat: 'table',
  typeDeclarationFormat: 'table',
  useCodeBlocks: true,
  expandObjects: true,
  entryFileName: 'README.md',
});
const project = await app.convert();
if (!project) throw new Error('TypeDoc could not convert the SDK');
rmSync(out, { recursive: true, force: true });
await app.generateOutputs(project);
if (app.logger.hasErrors()) process.exitCode = 1;
