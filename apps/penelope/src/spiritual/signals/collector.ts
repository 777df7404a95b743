import { SERVICE_NAMES, type ConsistencyProof, type LedgerPublicKey, type ServiceHealth, type ServiceName, type SignedTreeHead } from '@maximus/contracts';
import type { Queryable } from '@maximus/kit/db';
import type { PeerError } from '@maximus/kit/peers';
import type { ServiceContext } from '@maximus/kit/service';
import { checkConsistency, checkSignature, type LedgerCheck, type TrustedHead } from '../domain/ledger-check.js';
import { counterDeltas, parseSamples, scrapeTotals, type ScrapeTotals } from '../domain/prometheus.js';
import { ProcessMonitor, type ProcessReading } from './process.js';

export interface CollectorOptions {
  /** The latency SLO, seconds (patience's bucket). */
  readonly sloSeconds: number;
  /** Passes are due this often (across replicas). */
  readonly intervalSeconds: number;
  /** Samples older than twice their window are deleted. */
  readonly signalsWindowSeconds: number;
  readonly outcomesWindowSeconds: number;
  /** @default 5000 */
  readonly scrapeTimeoutMs?: number;
}

/** What one pass measured (also what `collectNow()` resolves with). */
export interface PassReport {
  readonly taken_at: string;
  readonly scraped: readonly ServiceName[];
  readonly scrape_failures: Readonly<Partial<Record<ServiceName, string>>>;
  readonly probes: readonly { service: ServiceName; available: boolean; status: string; restarted: boolean }[];
  readonly ledger_checks: readonly LedgerCheck[];
  /** Why the ledger was not checked, when it was not. */
  readonly ledger_skipped: string | null;
}

interface Scrape {
  readonly service: ServiceName;
  readonly totals: ScrapeTotals;
}

interface Probe {
  readonly service: ServiceName;
  readonly available: boolean;
  readonly status: string;
  readonly latency_ms: number;
  readonly started_at: Date | null;
  readonly error: string | null;
}

const T = {
  collector: 'penelope.spiritual_collector',
  samples: 'penelope.spiritual_metric_samples',
  probes: 'penelope.spiritual_health_probes',
  checks: 'penelope.spiritual_ledger_checks',
  events: 'penelope.spiritual_events',
};
/** A new instance must have started this much later than every instance seen before to count as a restart. */
const RESTART_TOLERANCE_MS = 1000;
/** Both prom-client and {@link ProcessMonitor} sample the event loop every 10 ms and include that period in the delay. */
const LAG_RESOLUTION_SECONDS = 0.01;
const LOCK = 'maximus:penelope:spiritual-signals';

/**
 * Samples the running platform: every service's `/metrics` and `/health` through `ctx.peers`, and EIKOS's signed
 * tree head with a consistency proof from the last head it trusted. One replica per interval does it: a pass is
 * claimed in a transaction holding a Postgres advisory lock (`pg_try_advisory_xact_lock`), and only when the last
 * pass is older than 80% of the interval. Everything measured goes to penelope's tables, so windows survive
 * restarts and every replica reads the same samples.
 */
export class SignalCollector {
  readonly #ctx: ServiceContext;
  readonly #options: CollectorOptions;
  readonly #monitor = new ProcessMonitor();
  #publicKey: LedgerPublicKey | undefined;

  constructor(ctx: ServiceContext, options: CollectorOptions) {
    this.#ctx = ctx;
    this.#options = options;
  }

  /** One pass: null when another replica holds the lock or (unless `force`) the last pass is recent. */
  async pass(force = false): Promise<PassReport | null> {
    if (!(await this.#claim(force))) return null;
    const takenAt = new Date();
    const [scrapes, probes, ledger] = await Promise.all([this.#scrapeAll(), this.#probeAll(), this.#checkLedger()]);
    const own = this.#monitor.read();
    const failures: Partial<Record<ServiceName, string>> = {};
    for (const s of scrapes) if ('error' in s) failures[s.service] = s.error;
    const scraped = scrapes.filter((s): s is Scrape => !('error' in s));
    const restarted = await this.#ctx.db.transaction(async (tx) => {
      await this.#storeSamples(tx, takenAt, scraped, own);
      const restarts = await this.#storeProbes(tx, takenAt, probes, scraped);
      await this.#storeLedger(tx, takenAt, ledger.checks, ledger.trusted);
      await this.#prune(tx, takenAt);
      return restarts;
    });
    return {
      taken_at: takenAt.toISOString(),
      scraped: scraped.map((s) => s.service),
      scrape_failures: failures,
      probes: probes.map((p) => ({ service: p.service, available: p.available, status: p.status, restarted: restarted.has(p.service) })),
      ledger_checks: ledger.checks,
      ledger_skipped: ledger.skipped,
    };
  }

  stop(): void {
    this.#monitor.stop();
  }

  async #claim(force: boolean): Promise<boolean> {
    return this.#ctx.db.transaction(async (tx) => {
      const { rows } = await tx.query<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0)) AS locked', [LOCK]);
      if (!rows[0]?.locked) return false;
      const due = force ? '' : ` AND (last_pass_at IS NULL OR last_pass_at <= now() - make_interval(secs => ${this.#options.intervalSeconds * 0.8}))`;
      const claimed = await tx.query(`UPDATE ${T.collector} SET last_pass_at = now() WHERE id = 1${due} RETURNING id`);
      return claimed.rows.length === 1;
    });
  }

  #scrapeAll(): Promise<(Scrape | { service: ServiceName; error: string })[]> {
    const sloSeconds = this.#options.sloSeconds;
    return Promise.all(
      SERVICE_NAMES.map(async (service) => {
        try {
          const { body } = await this.#ctx.peers.request<string>(service, { method: 'GET', path: '/metrics', timeoutMs: this.#options.scrapeTimeoutMs ?? 5000 });
          return { service, totals: scrapeTotals(parseSamples(typeof body === 'string' ? body : ''), sloSeconds) };
        } catch (error) {
          return { service, error: (error as Error).message };
        }
      }),
    );
  }

  #probeAll(): Promise<Probe[]> {
    const timeoutMs = this.#ctx.config.healthTimeoutMs;
    return Promise.all(
      SERVICE_NAMES.map(async (service): Promise<Probe> => {
        const started = performance.now();
        const latency = () => Math.round((performance.now() - started) * 100) / 100;
        const startedAt = (health: Partial<ServiceHealth> | undefined) =>
          typeof health?.uptime_seconds === 'number' ? new Date(Date.now() - health.uptime_seconds * 1000) : null;
        try {
          const { body } = await this.#ctx.peers.request<ServiceHealth>(service, { method: 'GET', path: '/health', timeoutMs });
          return { service, available: true, status: body.status, latency_ms: latency(), started_at: startedAt(body), error: null };
        } catch (error) {
          const e = error as PeerError;
          const body = e.problem as Partial<ServiceHealth> | undefined;
          const status = e.code === 'KIT_ERR_PEER_TIMEOUT' ? 'timeout' : typeof body?.status === 'string' ? body.status : 'unreachable';
          return { service, available: false, status, latency_ms: latency(), started_at: startedAt(body), error: e.message };
        }
      }),
    );
  }

  async #checkLedger(): Promise<{ checks: LedgerCheck[]; trusted: TrustedHead | undefined; skipped: string | null }> {
    const peers = this.#ctx.peers;
    let head: SignedTreeHead;
    try {
      head = (await peers.request<SignedTreeHead>('eikos', { method: 'GET', path: '/api/v1/ledger/root' })).body;
      if (this.#publicKey?.key_id !== head.key_id) {
        this.#publicKey = (await peers.request<LedgerPublicKey>('eikos', { method: 'GET', path: '/api/v1/ledger/public-key' })).body;
      }
    } catch (error) {
      // Unreachable is kindness's business; faithfulness is about what the ledger says when it answers.
      return { checks: [], trusted: undefined, skipped: `the ledger did not answer: ${(error as Error).message}` };
    }
    const signature = checkSignature(head, this.#publicKey.pem);
    if (!signature.passed) return { checks: [signature], trusted: undefined, skipped: null };
    const { rows } = await this.#ctx.db.query<{ size: string | null; root: string | null }>(`SELECT trusted_tree_size::text AS size, trusted_root_hash AS root FROM ${T.collector} WHERE id = 1`);
    const row = rows[0];
    const previous: TrustedHead | undefined = row?.size != null && row.root ? { tree_size: Number(row.size), root_hash: row.root } : undefined;
    let proof: ConsistencyProof | undefined;
    if (previous && previous.tree_size > 0 && head.tree_size > previous.tree_size) {
      try {
        proof = (await peers.request<ConsistencyProof>('eikos', { method: 'GET', path: `/api/v1/ledger/consistency?from=${previous.tree_size}&to=${head.tree_size}` })).body;
      } catch (error) {
        const e = error as PeerError;
        // A refusal to prove sizes its own signed head covers is a failed check; an outage is not.
        if (e.code !== 'KIT_ERR_PEER_REJECTED') return { checks: [signature], trusted: undefined, skipped: `no consistency proof: ${e.message}` };
      }
    }
    const consistency = checkConsistency(previous, head, proof);
    const checks = consistency ? [signature, consistency] : [signature];
    const trusted = !consistency || consistency.passed ? { tree_size: head.tree_size, root_hash: head.root_hash } : undefined;
    return { checks, trusted, skipped: null };
  }

  async #storeSamples(tx: Queryable, takenAt: Date, scraped: readonly Scrape[], own: ProcessReading): Promise<void> {
    const { rows } = await tx.query<{ service: string; cumulative: ScrapeTotals; taken_at: Date | string }>(
      `SELECT DISTINCT ON (service) service, cumulative, taken_at FROM ${T.samples} ORDER BY service, taken_at DESC`,
    );
    const previous = new Map(rows.map((r) => [r.service, r]));
    const anyProcessMetrics = scraped.some((s) => s.totals.cpu_seconds !== null);
    for (const { service, totals } of scraped) {
      const before = previous.get(service);
      const { deltas, reset } = counterDeltas(before?.cumulative, totals);
      let source: 'metrics' | 'self' | null = null;
      let cpu: number | null = null;
      let elapsed: number | null = null;
      let lag: number | null = null;
      if (totals.cpu_seconds !== null) {
        source = 'metrics';
        const prevCpu = before?.cumulative.cpu_seconds;
        if (before && typeof prevCpu === 'number') {
          cpu = totals.cpu_seconds >= prevCpu ? totals.cpu_seconds - prevCpu : totals.cpu_seconds;
          elapsed = (takenAt.getTime() - new Date(before.taken_at).getTime()) / 1000;
        }
        lag = totals.event_loop_lag_p99_seconds === null ? null : Math.max(0, totals.event_loop_lag_p99_seconds - LAG_RESOLUTION_SECONDS);
      } else if (!anyProcessMetrics && service === this.#ctx.name) {
        source = 'self';
        cpu = own.cpu_seconds;
        elapsed = own.elapsed_seconds;
        lag = Math.max(0, own.event_loop_lag_p99_seconds - LAG_RESOLUTION_SECONDS);
      }
      await tx.query(
        `INSERT INTO ${T.samples} (taken_at, service, cumulative, requests, server_errors, answered_429, within_slo, slo_bucket_seconds, errors, rate_limited,
           counter_reset, process_source, cpu_seconds, elapsed_seconds, event_loop_lag_p99_seconds)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
        [takenAt.toISOString(), service, JSON.stringify(totals), deltas.requests, deltas.server_errors, deltas.answered_429, deltas.within_slo, totals.slo_bucket_seconds,
          deltas.errors, deltas.rate_limited, reset, source, cpu, elapsed, lag],
      );
    }
  }

  /** Stores the probes; returns the services whose answering instance is new (a restart). */
  async #storeProbes(tx: Queryable, takenAt: Date, probes: readonly Probe[], scraped: readonly Scrape[]): Promise<Set<ServiceName>> {
    const { rows } = await tx.query<{ service: string; latest: Date | string }>(`SELECT service, max(started_at) AS latest FROM ${T.probes} WHERE started_at IS NOT NULL GROUP BY service`);
    const latest = new Map(rows.map((r) => [r.service, new Date(r.latest).getTime()]));
    const processStart = new Map(scraped.filter((s) => s.totals.process_start_time_seconds !== null).map((s) => [s.service, s.totals.process_start_time_seconds! * 1000]));
    const restarted = new Set<ServiceName>();
    for (const probe of probes) {
      // The process's own start time when the service exports it (connected), else now - uptime from /health.
      const fromMetrics = processStart.get(probe.service);
      const startedAt = fromMetrics !== undefined ? new Date(fromMetrics) : probe.started_at;
      const seen = latest.get(probe.service);
      const isRestart = startedAt !== null && seen !== undefined && startedAt.getTime() > seen + RESTART_TOLERANCE_MS;
      if (isRestart) restarted.add(probe.service);
      await tx.query(
        `INSERT INTO ${T.probes} (taken_at, service, available, status, latency_ms, started_at, restarted, error) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [takenAt.toISOString(), probe.service, probe.available, probe.status, probe.latency_ms, startedAt?.toISOString() ?? null, isRestart, probe.error],
      );
    }
    return restarted;
  }

  async #storeLedger(tx: Queryable, takenAt: Date, checks: readonly LedgerCheck[], trusted: TrustedHead | undefined): Promise<void> {
    for (const c of checks) {
      await tx.query(
        `INSERT INTO ${T.checks} (checked_at, kind, from_size, to_size, from_root, to_root, passed, problem) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [takenAt.toISOString(), c.kind, c.from_size, c.to_size, c.from_root, c.to_root, c.passed, c.problem],
      );
    }
    if (checks.some((c) => !c.passed)) this.#ctx.log.warn({ problems: checks.filter((c) => !c.passed).map((c) => c.problem) }, 'spiritual: a ledger check failed');
    if (trusted) await tx.query(`UPDATE ${T.collector} SET trusted_tree_size = $1, trusted_root_hash = $2 WHERE id = 1`, [trusted.tree_size, trusted.root_hash]);
  }

  async #prune(tx: Queryable, now: Date): Promise<void> {
    const signals = new Date(now.getTime() - 2 * this.#options.signalsWindowSeconds * 1000).toISOString();
    const outcomes = new Date(now.getTime() - 2 * this.#options.outcomesWindowSeconds * 1000).toISOString();
    await tx.query(`DELETE FROM ${T.samples} WHERE taken_at < $1`, [signals]);
    await tx.query(`DELETE FROM ${T.probes} WHERE taken_at < $1`, [signals]);
    await tx.query(`DELETE FROM ${T.checks} WHERE checked_at < $1`, [signals]);
    await tx.query(`DELETE FROM ${T.events} WHERE occurred_at < $1`, [outcomes]);
  }
}
