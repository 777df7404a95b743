import type { RateLimitPolicy } from '@maximus/kit/config';
import type { Database } from '@maximus/kit/db';
import type { Logger } from '@maximus/kit/logger';

const MAX_AGE_MS = 1000;

interface Row {
  principal: string;
  route_class: string;
  limit: number;
  window_seconds: number;
}

/** Per-principal rate-limit overrides from `gateway.rate_limit_overrides`, read at most once a second. */
export class RateOverrides {
  readonly #db: Database;
  readonly #log: Logger;
  #byKey = new Map<string, RateLimitPolicy>();
  #loadedAt = Number.NEGATIVE_INFINITY;
  #loading: Promise<void> | undefined;

  constructor(db: Database, log: Logger) {
    this.#db = db;
    this.#log = log;
  }

  /** The override for a principal and route class (a class-specific row wins over `*`), if any. */
  async policyFor(principal: string, routeClass: string): Promise<RateLimitPolicy | undefined> {
    if (performance.now() - this.#loadedAt > MAX_AGE_MS) await this.reload();
    return this.#byKey.get(`${principal}\n${routeClass}`) ?? this.#byKey.get(`${principal}\n*`);
  }

  reload(): Promise<void> {
    this.#loading ??= this.#load().finally(() => {
      this.#loading = undefined;
    });
    return this.#loading;
  }

  async #load(): Promise<void> {
    try {
      const { rows } = await this.#db.query<Row>('SELECT principal, route_class, "limit", window_seconds FROM gateway.rate_limit_overrides WHERE expires_at IS NULL OR expires_at > now()');
      this.#byKey = new Map(rows.map((r) => [`${r.principal}\n${r.route_class}`, { limit: r.limit, windowSeconds: r.window_seconds }]));
      this.#loadedAt = performance.now();
    } catch (error) {
      this.#log.warn({ err: error }, 'could not read the rate-limit overrides; keeping the last ones');
    }
  }
}
