import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'], externalConditions: ['source'] } },
  test: {
    include: ['apps/*/src/**/*.test.ts', 'packages/*/src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // PENELOPE's analysers warm on the first diagnosis rather than in every test platform (seconds of CPU each).
    env: { MAXIMUS_PENELOPE_WARM_ON_START: 'off' },
    testTimeout: 60_000, // tests that spawn CLIs or hash 20k entries take 10–25 s on a loaded 2-core machine
    hookTimeout: 60_000,
    pool: 'forks',
    // Two cores: more workers only queue up behind PGlite's WebAssembly start.
    maxWorkers: 2,
  },
});
