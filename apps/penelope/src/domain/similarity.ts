/** Code shape: shingles of AST node kinds. Similarity of healing cases: Jaccard indexes of rules, files and shape. */

const SHINGLE = 4;
/** A bottom-k sketch: the smallest hashes of the shingle set stand for it (Jaccard estimated on them). */
const SKETCH = 256;

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** The shape of a file: hashes of every run of 4 consecutive node kinds (pre-order), the 256 smallest kept. */
export function shapeSketch(kinds: readonly string[]): number[] {
  const set = new Set<number>();
  for (let i = 0; i + SHINGLE <= kinds.length; i++) set.add(fnv1a(kinds.slice(i, i + SHINGLE).join(' ')));
  if (!set.size && kinds.length) set.add(fnv1a(kinds.join(' ')));
  return [...set].sort((a, b) => a - b).slice(0, SKETCH);
}

/** |A ∩ B| / |A ∪ B|; two empty sets are identical (1). */
export function jaccard<T>(a: Iterable<T>, b: Iterable<T>): number {
  const A = new Set(a);
  const B = new Set(b);
  if (!A.size && !B.size) return 1;
  let inter = 0;
  for (const x of A) if (B.has(x)) inter++;
  return inter / (A.size + B.size - inter);
}

/** Jaccard on two bottom-k sketches: over the k smallest hashes of their union. */
export function sketchSimilarity(a: readonly number[], b: readonly number[]): number {
  if (!a.length && !b.length) return 1;
  const union = [...new Set([...a, ...b])].sort((x, y) => x - y).slice(0, SKETCH);
  const A = new Set(a);
  const B = new Set(b);
  let both = 0;
  for (const h of union) if (A.has(h) && B.has(h)) both++;
  return union.length ? both / union.length : 0;
}

/** A file's name for comparison: its base name (the directory differs between projects more than the file does). */
export const fileKey = (path: string) => (path.split('/').pop() ?? path).toLowerCase();

export const SIMILARITY_WEIGHTS = { rules: 0.5, files: 0.2, shape: 0.3 } as const;

export interface CaseShape {
  rules: readonly string[];
  files: readonly string[];
  shape: readonly number[];
}

export function caseSimilarity(a: CaseShape, b: CaseShape): { similarity: number; components: { rules: number; files: number; shape: number } } {
  const rules = jaccard(a.rules, b.rules);
  const files = jaccard(a.files.map(fileKey), b.files.map(fileKey));
  const shape = sketchSimilarity(a.shape, b.shape);
  const r = (x: number) => Math.round(x * 10_000) / 10_000;
  return { similarity: r(SIMILARITY_WEIGHTS.rules * rules + SIMILARITY_WEIGHTS.files * files + SIMILARITY_WEIGHTS.shape * shape), components: { rules: r(rules), files: r(files), shape: r(shape) } };
}
