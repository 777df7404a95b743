// Writes the permission table into docs/security.md from the code (run after `npm run build`):
//   node scripts/security-doc.mjs
import { readFileSync, writeFileSync } from 'node:fs';
import { PERMISSIONS } from '../apps/gateway/dist/index.js';

const path = new URL('../docs/security.md', import.meta.url);
const doc = readFileSync(path, 'utf8');
const table = ['| method | path | minimum role | class | what |', '|---|---|---|---|---|', ...PERMISSIONS.map((r) => `| ${r.method} | \`${r.path}\` | ${r.role} | ${r.class} | ${r.what} |`)].join('\n');
writeFileSync(path, doc.replace(/<!-- permissions:start -->[\s\S]*<!-- permissions:end -->/, `<!-- permissions:start -->\n${table}\n<!-- permissions:end -->`));
