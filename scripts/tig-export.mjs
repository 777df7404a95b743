// Prints the TIG fabric that core builds for `n m p seed` in the export shape of GET /consciousness/tig/graph
// (every node active), from the built domain code: `npm run build && node scripts/tig-export.mjs 100 3 0.3 42`.
// scripts/tig-reference.py feeds it to networkx to make the reference fixtures of the metric tests.
import { createFabric } from '../apps/core/dist/consciousness/domain/graph.js';
import { links } from '../apps/core/dist/consciousness/domain/links.js';

const [n, m, p, seed] = process.argv.slice(2).map(Number);
if (![n, m, p, seed].every(Number.isFinite)) throw new Error('usage: node scripts/tig-export.mjs <nodes> <m> <triadic_p> <seed>');
const g = createFabric({ n, m, triadicP: p, seed });
const nodes = Array.from({ length: n }, (_, id) => ({ id, state: 'active' }));
process.stdout.write(JSON.stringify({ nodes, edges: links(g, g, seed, () => false) }) + '\n');
