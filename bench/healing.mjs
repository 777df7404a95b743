// PENELOPE healing: the seeded-defect suite (fix rate among fixable, false fixes, verification rejections) and
// diagnose times of a 2,600-line Python file and a 2,000-line TypeScript file on warm analyser workers, with the cold
// start (a fresh worker loading Ruff's WebAssembly, the TypeScript compiler and ESLint) measured separately as the
// baseline. Everything runs through the worker pool the service uses. Run: npm run build && node bench/healing.mjs
// BENCH_ITERATIONS (default 15) sets the warm runs per file; BENCH_PART=times skips the suite.
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { AnalyserPool, defaultWorkerUrl, loadDefectCases, runDefectCase, summarise } from '@maximus/penelope';

const iterations = Number(process.env.BENCH_ITERATIONS ?? 15);
const part = process.env.BENCH_PART ?? 'all';
const log = { info() {}, warn() {}, error() {}, debug() {}, child() { return log; } };
const round = (x) => Math.round(x * 10) / 10;
const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

/** A realistic Python module: classes, functions, comprehensions, I/O — and a few defects every 400 lines. */
function pythonFile(lines) {
  const out = ['"""Inventory service (generated for the benchmark)."""', 'import json', 'import os', 'import re', 'from dataclasses import dataclass', 'from typing import Dict, List, Optional', ''];
  for (let i = 0; out.join('\n').split('\n').length < lines; i++) {
    out.push(
      '',
      '@dataclass',
      `class Item${i}:`,
      '    name: str',
      '    quantity: int = 0',
      '    tags: Optional[List[str]] = None',
      '',
      '    def label(self) -> str:',
      `        return f"{self.name} x{self.quantity} #${i}"`,
      '',
      '    def is_empty(self) -> bool:',
      i % 8 === 0 ? '        return self.quantity == None or self.quantity == 0' : '        return self.quantity == 0',
      '',
      '',
      `def load_items_${i}(path: str) -> List[Item${i}]:`,
      '    items = []',
      '    if not os.path.exists(path):',
      '        return items',
      '    with open(path) as handle:',
      '        data = json.load(handle)',
      '    for entry in data.get("items", []):',
      '        name = entry.get("name", "")',
      '        if not re.match(r"^[a-z0-9-]+$", name):',
      '            continue',
      `        items.append(Item${i}(name=name, quantity=int(entry.get("quantity", 0)), tags=entry.get("tags")))`,
      '    return items',
      '',
      '',
      `def summarise_${i}(items: List[Item${i}]) -> Dict[str, int]:`,
      '    totals: Dict[str, int] = {}',
      '    for item in items:',
      '        for tag in item.tags or []:',
      '            totals[tag] = totals.get(tag, 0) + item.quantity',
      i % 8 === 4 ? '    try:\n        del totals["unused"]\n    except:\n        pass' : '    totals.pop("unused", None)',
      '    return {key: value for key, value in sorted(totals.items()) if value > 0}',
    );
  }
  return out.join('\n') + '\n';
}

/** A realistic TypeScript module: interfaces, classes, async functions — and a few defects every 400 lines. */
function typescriptFile(lines) {
  const out = ["import { readFile } from 'node:fs/promises';", "import { join } from 'node:path';", ''];
  for (let i = 0; out.length < lines; i++) {
    out.push(
      '',
      `export interface Order${i} {`,
      '  id: string;',
      '  total: number;',
      '  lines: { sku: string; quantity: number; price: number }[];',
      '}',
      '',
      `export class OrderBook${i} {`,
      `  readonly #orders = new Map<string, Order${i}>();`,
      '',
      `  add(order: Order${i}): void {`,
      '    this.#orders.set(order.id, order);',
      '  }',
      '',
      `  total(): number {`,
      '    let sum = 0;',
      '    for (const order of this.#orders.values()) sum += order.total;',
      '    return sum;',
      '  }',
      '',
      `  find(id: string): Order${i} | undefined {`,
      i % 8 === 0 ? '    if (typeof id == "string") return this.#orders.get(id);' : '    if (typeof id === "string") return this.#orders.get(id);',
      '    return undefined;',
      '  }',
      '}',
      '',
      `export async function loadOrders${i}(dir: string): Promise<Order${i}[]> {`,
      `  const text = await readFile(join(dir, 'orders-${i}.json'), 'utf8');`,
      `  const parsed = JSON.parse(text) as { orders: Order${i}[] };`,
      '  return parsed.orders.filter((o) => o.lines.length > 0);',
      '}',
      '',
      `export function price${i}(order: Order${i}): number {`,
      i % 8 === 4 ? '  let total = 0;' : '  const initial = 0;',
      i % 8 === 4 ? '  return order.lines.reduce((sum, l) => sum + l.quantity * l.price, total);' : '  return order.lines.reduce((sum, l) => sum + l.quantity * l.price, initial);',
      '}',
    );
  }
  return out.join('\n') + '\n';
}

async function timeAnalyses(pool, language, base, path) {
  const samples = [];
  const inWorker = [];
  let issues = 0;
  for (let i = 0; i < iterations; i++) {
    const files = [{ path, content: `${base}${language === 'python' ? '#' : '//'} run ${i}\n` }];
    const started = performance.now();
    const result = await pool.run('analyse', { language, files, focus: 'all' });
    samples.push(performance.now() - started);
    inWorker.push(result.analysis_ms);
    issues = result.findings.length;
  }
  if (process.env.BENCH_DEBUG) console.error(language, samples.map(Math.round).join(' '), '| worker', inWorker.map(Math.round).join(' '));
  samples.sort((a, b) => a - b);
  inWorker.sort((a, b) => a - b);
  return { p50: round(pct(samples, 50)), p95: round(pct(samples, 95)), worker_p50: round(pct(inWorker, 50)), issues };
}

const python = pythonFile(2600);
const typescript = typescriptFile(2000);
const lineCount = (text) => text.split('\n').length - 1;

// Cold (the baseline): a fresh worker thread whose first request loads that language's analyser itself — what every
// request would pay without warm workers.
const cold = {};
for (const [language, content, path] of [['python', python, 'inventory.py'], ['typescript', typescript, 'orders.ts']]) {
  const started = performance.now();
  const worker = new Worker(defaultWorkerUrl());
  await new Promise((resolve, reject) => {
    worker.once('message', (m) => (m.error ? reject(new Error(m.error)) : resolve(m.result)));
    worker.once('error', reject);
    worker.postMessage({ id: 1, op: 'analyse', payload: { language, files: [{ path, content }], focus: 'all' } });
  });
  cold[language] = round(performance.now() - started);
  await worker.terminate();
}

const pool = new AnalyserPool({ size: 1, log });
const warmStarted = performance.now();
await pool.start();
const warmUp = round(performance.now() - warmStarted);
const py = await timeAnalyses(pool, 'python', python, 'inventory.py');
const ts = await timeAnalyses(pool, 'typescript', typescript, 'orders.ts');

console.log('| file | lines | issues | warm p50 ms | warm p95 ms | in worker p50 ms | cold first request ms | cold/warm |');
console.log('|---|---|---|---|---|---|---|---|');
console.log(`| Python (Ruff) | ${lineCount(python)} | ${py.issues} | ${py.p50} | ${py.p95} | ${py.worker_p50} | ${cold.python} | ${round(cold.python / py.p50)}× |`);
console.log(`| TypeScript (tsc + ESLint) | ${lineCount(typescript)} | ${ts.issues} | ${ts.p50} | ${ts.p95} | ${ts.worker_p50} | ${cold.typescript} | ${round(cold.typescript / ts.p50)}× |`);
console.log(`\nwarm-up of a pool worker (Ruff, then TypeScript + ESLint for TypeScript and for JavaScript), once at service start: ${warmUp} ms; targets: Python < 100 ms, TypeScript < 500 ms warm`);

if (part !== 'times') {
  const cases = loadDefectCases(fileURLToPath(new URL('../apps/penelope/fixtures/defects', import.meta.url)));
  const deps = { run: (op, payload) => pool.run(op, payload), testTimeoutMs: 30_000 };
  const started = performance.now();
  const outcomes = [];
  for (const c of cases) outcomes.push(await runDefectCase(deps, c));
  const byLanguage = (filter) => summarise(outcomes.filter(filter));
  const rows = [['Python', byLanguage((o) => o.language === 'python')], ['TypeScript/JavaScript', byLanguage((o) => o.language !== 'python')], ['all', summarise(outcomes)]];
  console.log('\n| seeded defects | cases | detected | fixable | fixed | fix rate | rejected as expected | verification rejections | verified patches | broken accepted |');
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const [name, s] of rows) {
    console.log(`| ${name} | ${s.cases} | ${s.detected} | ${s.fixable} | ${s.fixed} | ${Math.round(s.fix_rate * 1000) / 10}% | ${s.rejected_as_expected}/${s.expected_rejections} | ${s.verification_rejections} | ${s.patches_verified} | ${s.broken_accepted} (false-fix rate ${s.false_fix_rate}) |`);
  }
  const missed = outcomes.filter((o) => !o.detected || (o.expected !== 'none' && !o.met));
  if (missed.length) console.log(`\nnot as expected: ${missed.map((o) => o.id).join(', ')}`);
  console.log(`\nsuite: ${outcomes.length} cases in ${round((performance.now() - started) / 1000)} s; goal ≥ 90% fixed among fixable, 0 broken patches accepted`);
}
await pool.close();
