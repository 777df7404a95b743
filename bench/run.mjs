// npm run bench [-- name…]: runs the named benchmarks (default: all) one after the other.
const all = ['startup', 'gateway', 'security', 'ledger', 'bus', 'query', 'consciousness', 'healing', 'sdk'];
const chosen = process.argv.slice(2).length ? process.argv.slice(2) : all;
for (const name of chosen) {
  if (!all.includes(name)) throw new Error(`unknown benchmark ${name}; choose from ${all.join(', ')}`);
  console.log(`\n# bench/${name}.mjs\n`);
  await import(`./${name}.mjs`);
}
