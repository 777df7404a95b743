// Transpiles every workspace's src/ to dist/ (one file per module, no bundling).
// Type checking is `npm run typecheck`; this step only strips types, so it takes well under a second.
import { build } from 'esbuild';
import { readdirSync, rmSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const workspaces = ['apps', 'packages'].flatMap((group) =>
  readdirSync(join(root, group)).map((name) => join(root, group, name)),
);

function sources(dir) {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !e.name.endsWith('.d.ts'))
    .map((e) => join(e.parentPath, e.name));
}

const started = performance.now();
await Promise.all(
  workspaces
    .filter((ws) => existsSync(join(ws, 'src')))
    .map(async (ws) => {
      rmSync(join(ws, 'dist'), { recursive: true, force: true });
      await build({
        entryPoints: sources(join(ws, 'src')),
        outdir: join(ws, 'dist'),
        outbase: join(ws, 'src'),
        platform: 'node',
        format: 'esm',
        target: 'node20',
        sourcemap: 'linked',
        logLevel: 'warning',
      });
    }),
);
if (!process.env.MAXIMUS_BUILD_QUIET) {
  console.error(`built ${workspaces.length} workspaces in ${Math.round(performance.now() - started)} ms`);
}
