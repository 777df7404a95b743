// Rewrites the variables table of docs/configuration.md from ENV_VARS (run after `npm run build`):
//   node scripts/config-doc.mjs
// packages/kit/src/config/config.test.ts fails when the two disagree.
import { readFileSync, writeFileSync } from 'node:fs';
import { ENV_VARS } from '../packages/kit/dist/config/index.js';

const path = new URL('../docs/configuration.md', import.meta.url);
const doc = readFileSync(path, 'utf8');
const start = doc.indexOf('| Variable |');
const rest = doc.slice(start).split('\n');
const tableLength = rest.findIndex((line) => !line.startsWith('|'));
const escape = (s) => s.replaceAll('|', '\\|');
const rows = ENV_VARS.map((v) => `| \`${v.name}\` | ${v.default === undefined ? 'unset' : `\`${v.default}\``} | ${escape(v.description)}${v.secret ? ' Secret: never printed or logged.' : ''} |`);
const table = ['| Variable | Default | Description |', '|---|---|---|', ...rows];
writeFileSync(path, doc.slice(0, start) + [...table, ...rest.slice(tableLength)].join('\n'));
