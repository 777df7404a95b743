import { LRUCache } from 'lru-cache';
import type { Cache } from './types.js';

export interface MemoryCacheOptions {
  /** @default 10000 */
  maxEntries?: number;
}

/** An LRU in this process's memory; entries expire by TTL. Values are copied through JSON, as Redis would. */
export function createMemoryCache(options: MemoryCacheOptions = {}): Cache {
  const lru = new LRUCache<string, string>({ max: options.maxEntries ?? 10_000, ttlAutopurge: false });
  return {
    kind: 'memory',
    get<T>(key: string) {
      const raw = lru.get(key);
      return Promise.resolve(raw === undefined ? undefined : (JSON.parse(raw) as T));
    },
    set(key, value, ttlMs) {
      lru.set(key, JSON.stringify(value), { ttl: Math.max(1, Math.ceil(ttlMs)) });
      return Promise.resolve();
    },
    delete(key) {
      lru.delete(key);
      return Promise.resolve();
    },
    health: () => Promise.resolve({ status: 'healthy', kind: 'memory', latency_ms: 0 }),
    close() {
      lru.clear();
      return Promise.resolve();
    },
  };
}
