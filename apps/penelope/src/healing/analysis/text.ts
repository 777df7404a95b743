/** Text positions: 1-based lines and columns in UTF-16 code units (what JavaScript strings index). */
export class LineIndex {
  readonly #starts: number[];
  readonly length: number;

  constructor(text: string) {
    this.length = text.length;
    this.#starts = [0];
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.#starts.push(i + 1);
  }

  get lineCount(): number {
    return this.#starts.length;
  }

  /** The offset of a 1-based line and column (clamped to the text). */
  offsetAt(line: number, column: number): number {
    if (line > this.#starts.length) return this.length;
    const start = this.#starts[Math.max(0, line - 1)] ?? 0;
    return Math.min(this.length, start + Math.max(0, column - 1));
  }

  /** The 1-based line and column of an offset. */
  positionAt(offset: number): { line: number; column: number } {
    let lo = 0;
    let hi = this.#starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.#starts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - (this.#starts[lo] ?? 0) + 1 };
  }
}

/** A replacement of `[start, end)` of one file by `text` (offsets in UTF-16 code units). */
export interface Edit {
  file: string;
  start: number;
  end: number;
  text: string;
}

/** Applies non-overlapping edits to one text. */
export function applyEdits(text: string, edits: readonly Edit[]): string {
  const sorted = [...edits].sort((a, b) => b.start - a.start || b.end - a.end);
  let out = text;
  for (const e of sorted) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

/** True when two edits of the same file overlap or touch (ESLint's rule: a fix starting where another ends waits for the next pass). */
export function editsConflict(a: Edit, b: Edit): boolean {
  if (a.file !== b.file) return false;
  return a.start <= b.end && b.start <= a.end;
}
