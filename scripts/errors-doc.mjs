// Writes the error catalogues into docs/errors.md from the code (run after `npm run build`):
//   node scripts/errors-doc.mjs
// test/errors-doc.test.ts fails when the doc and the code disagree.
import { readFileSync, writeFileSync } from 'node:fs';
import { declaredErrors } from '../packages/kit/dist/errors/index.js';
import { SDK_ERROR_CODES } from '../packages/sdk/dist/index.js';

// Importing the packages declares their catalogues.
await import('../packages/kit/dist/service/index.js');
await import('../apps/gateway/dist/index.js');
await import('../apps/cli/dist/services.js');

const escape = (s) => s.replaceAll('|', '\\|');
const catalogue = ['| code | status | message |', '|---|---|---|', ...[...declaredErrors()].map(([code, e]) => `| \`${code}\` | ${e.statusCode} | ${escape(e.template)}${e.retryable === false ? ' (sent with `x-should-retry: false`)' : ''} |`)];
const sdk = ['| code | meaning |', '|---|---|', ...Object.entries(SDK_ERROR_CODES).map(([code, text]) => `| \`${code}\` | ${escape(text)} |`)];
const path = new URL('../docs/errors.md', import.meta.url);
let doc = readFileSync(path, 'utf8');
doc = doc.replace(/<!-- catalogue:start -->[\s\S]*<!-- catalogue:end -->/, `<!-- catalogue:start -->\n${catalogue.join('\n')}\n<!-- catalogue:end -->`);
doc = doc.replace(/<!-- sdk:start -->[\s\S]*<!-- sdk:end -->/, `<!-- sdk:start -->\n${sdk.join('\n')}\n<!-- sdk:end -->`);
writeFileSync(path, doc);
