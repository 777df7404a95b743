/**
 * What a worker analyses while it warms: code shaped like what users send (classes, async functions, comprehensions,
 * generics, and the everyday defects the rules look for), analysed a few times over so that V8 compiles the
 * analysers' hot paths with its optimising tier before the first request, not during it. A first request on a
 * 2,000-line file used to take 3× the steady time; see docs/performance.md.
 */

/** How many times `warm()` analyses its corpus. Three passes bring the first real request near the steady time. */
export const WARM_PASSES = 3;

/** A Python module of `blocks` repeated, varied blocks (about 30 lines each). */
export function pythonWarmCorpus(blocks = 12): string {
  const out = ['import os', 'import json', 'from dataclasses import dataclass, field', 'from typing import Dict, List, Optional', ''];
  for (let i = 0; i < blocks; i++) {
    out.push(
      '@dataclass',
      `class Item${i}:`,
      '    name: str',
      '    quantity: int = 0',
      '    tags: List[str] = field(default_factory=list)',
      '',
      `    def total(self, prices: Dict[str, float]) -> float:`,
      '        if self.name == None:',
      '            return 0.0',
      '        return sum(prices.get(t, 0.0) * self.quantity for t in self.tags)',
      '',
      '',
      `def load_${i}(path: str) -> Optional[List[Item${i}]]:`,
      '    try:',
      '        with open(path) as handle:',
      '            raw = json.load(handle)',
      '    except:',
      '        return None',
      `    items = [Item${i}(**row) for row in raw if row.get("quantity", 0) > 0]`,
      `    unused_${i} = os.path.join(path, "x")`,
      '    return items',
      '',
      '',
      `async def fetch_${i}(client, url: str) -> str:`,
      '    response = await client.get(url)',
      '    if response.status != 200:',
      '        raise RuntimeError(f"bad status {response.status}")',
      '    return response.text',
      '',
      '',
    );
  }
  return out.join('\n');
}

/** A TypeScript (or, without types, JavaScript) module of `blocks` repeated, varied blocks (about 35 lines each). */
export function scriptWarmCorpus(language: 'typescript' | 'javascript', blocks = 12): string {
  const ts = language === 'typescript';
  const t = (typed: string, plain = '') => (ts ? typed : plain);
  const out = [ts ? "import { readFile } from 'node:fs/promises';" : "const { readFile } = require('node:fs/promises');", ''];
  for (let i = 0; i < blocks; i++) {
    if (ts) out.push(`interface Order${i} {`, '  id: string;', '  lines: { sku: string; quantity: number; price: number }[];', '  note?: string;', '}', '');
    out.push(
      `${ts ? 'export ' : ''}class Store${i}${t('<T extends { id: string }>')} {`,
      `  ${t('private readonly items = new Map<string, T>();', 'items = new Map();')}`,
      `  add(item${t(': T')})${t(': void')} {`,
      '    if (this.items.has(item.id) == true) return;',
      '    this.items.set(item.id, item);',
      '  }',
      `  find(id${t(': string')})${t(': T | undefined')} {`,
      '    return this.items.get(id);',
      '  }',
      '}',
      '',
      `${ts ? 'export ' : ''}async function load${i}(path${t(': string')})${t(`: Promise<Order${i}[]>`)} {`,
      "  const text = await readFile(path, 'utf8');",
      `  const parsed = JSON.parse(text)${t(` as { orders: Order${i}[] }`)};`,
      `  const unused${i} = parsed.orders.length;`,
      '  return parsed.orders.filter((o) => o.lines.length > 0);',
      '}',
      '',
      `${ts ? 'export ' : ''}function price${i}(order${t(`: Order${i}`)})${t(': number')} {`,
      '  let total = 0;',
      '  for (const { quantity, price } of order.lines) total += quantity * price;',
      '  return order.note?.startsWith("free") ? 0 : total;',
      '}',
      '',
      `${ts ? 'export ' : ''}async function save${i}(orders${t(`: Order${i}[]`)}) {`,
      `  orders.forEach(async (o) => { load${i}(o.id); });`,
      '  return `${orders.length} saved`;',
      '}',
      '',
    );
  }
  if (!ts) out.push(`module.exports = { ${Array.from({ length: blocks }, (_, i) => `Store${i}, load${i}, price${i}, save${i}`).join(', ')} };`, '');
  return out.join('\n');
}
