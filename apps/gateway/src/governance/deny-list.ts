import { BlockList, isIP } from 'node:net';
import type { Database } from '@maximus/kit/db';
import type { Logger } from '@maximus/kit/logger';

/** `::ffff:10.0.0.1` → `10.0.0.1`; `10.0.0.0/8` stays. Undefined when it is neither an address nor a CIDR block. */
export function normaliseAddress(input: string): string | undefined {
  const [rawIp = '', prefix] = input.trim().toLowerCase().split('/', 2);
  const ip = rawIp.startsWith('::ffff:') && isIP(rawIp.slice(7)) === 4 ? rawIp.slice(7) : rawIp;
  const family = isIP(ip);
  if (!family) return undefined;
  if (prefix === undefined) return ip;
  const bits = Number(prefix);
  if (!/^\d{1,3}$/.test(prefix) || bits > (family === 4 ? 32 : 128)) return undefined;
  return `${ip}/${bits}`;
}

const MAX_AGE_MS = 1000;

/**
 * The deny list as this replica sees it: read from `gateway.deny_list` at most once a second (so a block written
 * by any replica holds everywhere within a second), and at once after a local change.
 */
export class DenyList {
  readonly #db: Database;
  readonly #log: Logger;
  #list = new BlockList();
  #loadedAt = Number.NEGATIVE_INFINITY;
  #loading: Promise<void> | undefined;

  constructor(db: Database, log: Logger) {
    this.#db = db;
    this.#log = log;
  }

  /** True when `ip` (as the socket gives it) is denied. */
  async blocks(ip: string | undefined): Promise<boolean> {
    const address = ip ? normaliseAddress(ip) : undefined;
    if (!address) return false;
    if (performance.now() - this.#loadedAt > MAX_AGE_MS) await this.reload();
    return this.#list.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');
  }

  /** Reads the table now (concurrent callers share one read). A failed read keeps the last list and is logged. */
  reload(): Promise<void> {
    this.#loading ??= this.#load().finally(() => {
      this.#loading = undefined;
    });
    return this.#loading;
  }

  async #load(): Promise<void> {
    try {
      const { rows } = await this.#db.query<{ address: string }>('SELECT address FROM gateway.deny_list WHERE expires_at IS NULL OR expires_at > now()');
      const list = new BlockList();
      for (const { address } of rows) {
        const [ip = '', bits] = address.split('/', 2);
        const type = isIP(ip) === 6 ? 'ipv6' : 'ipv4';
        if (bits === undefined) list.addAddress(ip, type);
        else list.addSubnet(ip, Number(bits), type);
      }
      this.#list = list;
      this.#loadedAt = performance.now();
    } catch (error) {
      this.#log.warn({ err: error }, 'could not read the deny list; keeping the last one');
    }
  }
}
