import type { ComponentHealth } from '@maximus/contracts';

/**
 * The cache adapter: in-memory LRU (embedded, or connected without REDIS_URL) or Redis.
 * Values are JSON. A cache is an optimisation: callers treat its failures as misses.
 */
export interface Cache {
  readonly kind: 'memory' | 'redis';
  /** The value, or undefined when absent or expired. @throws KIT_ERR_CACHE_UNAVAILABLE */
  get<T = unknown>(key: string): Promise<T | undefined>;
  /** @throws KIT_ERR_CACHE_UNAVAILABLE */
  set(key: string, value: unknown, ttlMs: number): Promise<void>;
  /** @throws KIT_ERR_CACHE_UNAVAILABLE */
  delete(key: string): Promise<void>;
  health(timeoutMs?: number): Promise<ComponentHealth>;
  close(): Promise<void>;
}
