import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embeddedGateway, type TestGateway } from './gateway-helpers.js';
// @ts-expect-error: a plain ESM module shared with scripts/api-doc.mjs
import { renderApiReference } from './fixtures/api-reference.mjs';

describe('docs/api.md', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await embeddedGateway();
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it('lists every route the services serve, as they describe themselves (run `npm run docs` after changing a route)', async () => {
    const expected = (await (renderApiReference as (app: unknown) => Promise<string>)(gateway.app)).trim();
    expect(readFileSync(new URL('../docs/api.md', import.meta.url), 'utf8').trim()).toBe(expected);
  });
});
