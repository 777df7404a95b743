import { createHash, randomUUID } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { NEVER, type Cancel } from './cancel.js';
import { Coalescer } from './coalesce.js';
import { headerValue, type ResponseHeaders } from './headers.js';
import type { CachePolicy, ResolvedCacheOptions } from './options.js';

/** An HTTP answer as the pipeline keeps it before parsing: every caller parses its own copy. @internal */
export interface RawResponse {
  status: number;
  headers: ResponseHeaders;
  text: string;
  /** Set once a caller took `headers` as they are: later callers of a shared answer get a copy. */
  taken?: boolean;
}

/**
 * Where a cached answer came from: `l1` (this process's memory) or `l2` (Redis).
 * @example
 * const source: CacheSource | undefined = (await client.ledger.publicKey().withResponse()).response.cache?.source;
 */
export type CacheSource = 'l1' | 'l2';

/**
 * How a call's answer relates to the cache, in `withResponse().response.cache` (absent when the call was not
 * cacheable).
 * @example
 * const { response } = await client.ledger.publicKey({ cache: { ttlMs: 60_000 } }).withResponse();
 * console.log(response.cache?.hit, response.cache?.source, response.cache?.ageMs);
 */
export interface CacheInfo {
  /** The answer came from the cache (fresh or stale). */
  hit: boolean;
  /** Which level answered, on a hit. */
  source: CacheSource | undefined;
  /** Served stale while a refresh runs (stale-while-revalidate). */
  stale: boolean;
  /** How old the answer is, in ms (0 when it was fetched for this call). */
  ageMs: number;
}

/**
 * What `client.cacheStats()` reports. `hitRatio` is `(hits + staleHits) / (hits + staleHits + misses)` over
 * the cacheable reads; 0 before the first.
 * @example
 * const { hitRatio, l1Hits, l2Hits } = client.cacheStats();
 */
export interface CacheStats {
  hits: number;
  staleHits: number;
  misses: number;
  l1Hits: number;
  l2Hits: number;
  hitRatio: number;
  /** Entries in L1 now. */
  entries: number;
  /** Resource prefixes invalidated by writes. */
  invalidations: number;
  /** Background refreshes started by stale hits. */
  revalidations: number;
  /** Redis commands that failed (each then counted as a miss, never as a failed call). */
  l2Errors: number;
}

interface Entry {
  raw: RawResponse;
  /** `Date.now()` when it was fetched (shared with other processes through L2). */
  storedAt: number;
  ttlMs: number;
  swrMs: number;
  /** The resource's version when the read started: a later write makes the entry invalid. */
  version: string;
}

interface Found {
  entry: Entry;
  source: CacheSource;
}

/** @internal A cached read's answer and how the cache served it. */
export interface CachedRead {
  raw: RawResponse;
  info: CacheInfo;
}

const sha = (text: string) => createHash('sha256').update(text).digest('base64url');

/**
 * The response cache (see {@link CacheOptions}): L1 an LRU in memory, L2 an optional Redis; TTL and
 * stale-while-revalidate per read; one fill per key at a time (in process through an in-flight map, across
 * processes through a `SET NX PX` lock); invalidation by resource prefix through per-resource versions.
 * @internal
 */
export class ResponseCache {
  readonly #options: ResolvedCacheOptions;
  readonly #l1: LRUCache<string, Entry>;
  readonly #versions = new Map<string, number>();
  readonly #fills = new Coalescer<CachedRead>();
  readonly #clock: () => number;
  readonly #stats = { hits: 0, staleHits: 0, misses: 0, l1Hits: 0, l2Hits: 0, invalidations: 0, revalidations: 0, l2Errors: 0 };

  constructor(options: ResolvedCacheOptions, clock: () => number = Date.now) {
    this.#options = options;
    this.#clock = clock;
    this.#l1 = new LRUCache({ max: options.maxEntries });
  }

  /** The policy of a read: the call's (`false`: none), else the first matching rule's. */
  policyFor(path: string, call: CachePolicy | false | undefined): CachePolicy | undefined {
    if (call === false) return undefined;
    if (call !== undefined) return call.ttlMs > 0 || (call.staleWhileRevalidateMs ?? 0) > 0 ? call : undefined;
    for (const rule of this.#options.rules) if (path.startsWith(rule.prefix)) return rule;
    return undefined;
  }

  #l1Version(resource: string): string {
    return String(this.#versions.get(resource) ?? 0);
  }

  #l2Key(kind: 'e' | 'l', key: string): string {
    return `${this.#options.keyPrefix}${kind}:${sha(key)}`;
  }

  #l2VersionKey(resource: string): string {
    return `${this.#options.keyPrefix}v:${resource}`;
  }

  /** The L2 entry of `key` if its version is the resource's current one, and that version. */
  async #readL2(key: string, resource: string): Promise<{ entry: Entry | undefined; version: string }> {
    const redis = this.#options.redis!;
    try {
      const [json, version] = await redis.mget(this.#l2Key('e', key), this.#l2VersionKey(resource));
      const current = version ?? '0';
      if (!json) return { entry: undefined, version: current };
      const entry = JSON.parse(json) as Entry;
      return { entry: entry.version === current ? entry : undefined, version: current };
    } catch {
      this.#stats.l2Errors += 1;
      return { entry: undefined, version: '0' };
    }
  }

  #age(entry: Entry): number {
    return Math.max(0, this.#clock() - entry.storedAt);
  }

  /**
   * The answer of a cacheable read: from L1, else L2, else `fetch` (once per key at a time). A stale entry
   * within its stale-while-revalidate window is served and refreshed in the background.
   */
  async read(key: string, resource: string, policy: CachePolicy, fetch: (cancel: Cancel) => Promise<RawResponse>, caller: Cancel): Promise<CachedRead> {
    const l1Version = this.#l1Version(resource);
    let found: Found | undefined;
    const inL1 = this.#l1.get(key);
    if (inL1 && inL1.version === l1Version) found = { entry: inL1, source: 'l1' };
    let l2Version = '0';
    if (!found && this.#options.redis) {
      const l2 = await this.#readL2(key, resource);
      l2Version = l2.version;
      if (l2.entry) {
        found = { entry: l2.entry, source: 'l2' };
        this.#setL1(key, { ...l2.entry, version: l1Version });
      }
    }
    if (found) {
      const age = this.#age(found.entry);
      const { ttlMs, swrMs } = found.entry;
      if (age < ttlMs || age < ttlMs + swrMs) {
        const stale = age >= ttlMs;
        if (stale) {
          this.#stats.staleHits += 1;
          this.#revalidate(key, resource, policy, fetch);
        } else {
          this.#stats.hits += 1;
        }
        if (found.source === 'l1') this.#stats.l1Hits += 1;
        else this.#stats.l2Hits += 1;
        return { raw: found.entry.raw, info: { hit: true, source: found.source, stale, ageMs: age } };
      }
    }
    this.#stats.misses += 1;
    return this.#fills.run(key, (cancel) => this.#fill(key, resource, policy, fetch, cancel, l1Version, l2Version, true), caller);
  }

  #revalidate(key: string, resource: string, policy: CachePolicy, fetch: (cancel: Cancel) => Promise<RawResponse>): void {
    this.#stats.revalidations += 1;
    const l1Version = this.#l1Version(resource);
    void this.#fills
      .run(
        key,
        async (cancel) => {
          const l2Version = this.#options.redis ? (await this.#readL2(key, resource)).version : '0';
          return this.#fill(key, resource, policy, fetch, cancel, l1Version, l2Version, false);
        },
        NEVER,
      )
      .catch(() => {}); // a failed refresh leaves the stale entry until it expires
  }

  async #fill(
    key: string,
    resource: string,
    policy: CachePolicy,
    fetch: (cancel: Cancel) => Promise<RawResponse>,
    cancel: Cancel,
    l1Version: string,
    l2Version: string,
    waitForLock: boolean,
  ): Promise<CachedRead> {
    const redis = this.#options.redis;
    let lockKey: string | undefined;
    let token: string | undefined;
    if (redis) {
      lockKey = this.#l2Key('l', key);
      token = randomUUID();
      let acquired = false;
      try {
        acquired = (await redis.set(lockKey, token, 'PX', this.#options.lockMs, 'NX')) === 'OK';
      } catch {
        this.#stats.l2Errors += 1;
      }
      if (!acquired) {
        lockKey = undefined;
        if (!waitForLock) throw new Error('another process is refreshing this entry');
        // Another process is fetching this key: wait for its answer to land in L2, up to the lock's lifetime.
        const until = performance.now() + this.#options.lockMs;
        const step = Math.max(5, Math.min(50, this.#options.lockMs / 20));
        while (performance.now() < until && !cancel.aborted) {
          await new Promise((resolve) => setTimeout(resolve, step));
          const l2 = await this.#readL2(key, resource);
          if (l2.entry) {
            this.#stats.misses -= 1;
            this.#stats.hits += 1;
            this.#stats.l2Hits += 1;
            this.#setL1(key, { ...l2.entry, version: l1Version });
            return { raw: l2.entry.raw, info: { hit: true, source: 'l2', stale: false, ageMs: this.#age(l2.entry) } };
          }
        }
      }
    }
    try {
      const raw = await fetch(cancel);
      if (raw.status >= 200 && raw.status < 300 && !/no-store/i.test(headerValue(raw.headers, 'cache-control') ?? '')) {
        const swrMs = policy.staleWhileRevalidateMs ?? 0;
        const entry: Entry = { raw, storedAt: this.#clock(), ttlMs: policy.ttlMs, swrMs, version: l1Version };
        // A write since the read started has moved the version on: the answer may predate it, keep it out.
        if (this.#l1Version(resource) === l1Version) this.#setL1(key, entry);
        if (redis) {
          try {
            await redis.set(this.#l2Key('e', key), JSON.stringify({ ...entry, version: l2Version }), 'PX', Math.max(1, Math.ceil(policy.ttlMs + swrMs)));
          } catch {
            this.#stats.l2Errors += 1;
          }
        }
      }
      return { raw, info: { hit: false, source: undefined, stale: false, ageMs: 0 } };
    } finally {
      if (redis && lockKey) {
        try {
          await redis.del(lockKey);
        } catch {
          this.#stats.l2Errors += 1;
        }
      }
    }
  }

  #setL1(key: string, entry: Entry): void {
    const ttl = entry.ttlMs + entry.swrMs - this.#age(entry);
    if (ttl > 0) this.#l1.set(key, entry, { ttl: Math.ceil(ttl) });
  }

  /** Makes every cached read under `resource` invalid, in L1 and L2 (a write went through). */
  async invalidate(resource: string): Promise<void> {
    this.#stats.invalidations += 1;
    this.#versions.set(resource, (this.#versions.get(resource) ?? 0) + 1);
    const redis = this.#options.redis;
    if (!redis) return;
    try {
      await redis.incr(this.#l2VersionKey(resource));
    } catch {
      this.#stats.l2Errors += 1;
    }
  }

  stats(): CacheStats {
    const { hits, staleHits, misses } = this.#stats;
    const reads = hits + staleHits + misses;
    return { ...this.#stats, hitRatio: reads === 0 ? 0 : (hits + staleHits) / reads, entries: this.#l1.size };
  }
}
