// Writes docs/api.md from the OpenAPI documents the services generate from their route schemas (run after
// `npm run build`): node scripts/api-doc.mjs. test/api-doc.test.ts fails when the page is out of date.
import { writeFileSync } from 'node:fs';
import { renderApiReference } from '../test/fixtures/api-reference.mjs';

writeFileSync(new URL('../docs/api.md', import.meta.url), await renderApiReference());
