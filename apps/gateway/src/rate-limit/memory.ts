/** Fixed-window counters in a Map; expired windows are swept periodically, so memory stays bounded. */
export interface MemoryCounter {
  /** Adds one hit to `key` (created to expire `ttlMs` after `now`) and returns the count. */
  hit(key: string, ttlMs: number, now: number): number;
  /** Counters held, expired ones included until the next sweep. */
  readonly size: number;
  /** Stops the sweep timer. */
  close(): void;
}

export interface MemoryCounterOptions {
  /** @default 10000 */
  sweepEveryMs?: number;
  /**
   * Most counters held. Past it expired ones are swept at once and, should that not be enough, the
   * oldest counters are forgotten (their subjects start afresh: it fails open, never closed). @default 100000
   */
  maxEntries?: number;
}

interface Entry {
  count: number;
  expiresAt: number;
}

/** Counters of this process only: the embedded limiter, and the fallback while Redis is away. */
export function createMemoryCounter(options: MemoryCounterOptions = {}): MemoryCounter {
  const maxEntries = options.maxEntries ?? 100_000;
  const entries = new Map<string, Entry>();

  function sweep(now: number): void {
    for (const [key, entry] of entries) if (entry.expiresAt <= now) entries.delete(key);
  }

  const timer = setInterval(() => sweep(Date.now()), options.sweepEveryMs ?? 10_000);
  timer.unref();

  return {
    hit(key, ttlMs, now) {
      let entry = entries.get(key);
      if (!entry || entry.expiresAt <= now) {
        if (entries.size >= maxEntries) {
          sweep(now);
          // Map iterates in insertion order: the first keys are the oldest windows.
          for (const old of entries.keys()) {
            if (entries.size < maxEntries) break;
            entries.delete(old);
          }
        }
        entry = { count: 0, expiresAt: now + ttlMs };
        entries.set(key, entry);
      }
      entry.count += 1;
      return entry.count;
    },
    get size() {
      return entries.size;
    },
    close() {
      clearInterval(timer);
    },
  };
}
