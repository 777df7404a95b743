import { randomUUID } from 'node:crypto';
import type { ArousalContribution, ArousalState, SafetyViolationKind } from '@maximus/contracts';
import type { Deps } from './deps.js';
import { clamp01, combinedPressure, levelOf, modulationAt, pressures, stepArousal, stepStress, type ArousalLevel, type PlatformSignals } from './domain/arousal.js';
import { salienceThreshold } from './domain/gates.js';
import { loadAt, nextState } from './domain/health.js';
import { combineRequestSignals, LocalSignals, type ReplicaSignals } from './signals.js';
import type { ModulationRow } from './store.js';

const iso = (t: Date | string | number) => new Date(t).toISOString();

export function modulationView(m: ModulationRow, now: number) {
  const startsAt = new Date(m.starts_at).getTime();
  const endsAt = new Date(m.ends_at).getTime();
  return {
    id: m.id,
    delta: m.delta,
    duration_seconds: m.duration_seconds,
    source: m.source,
    created_by: m.created_by,
    starts_at: iso(startsAt),
    ends_at: iso(endsAt),
    current: modulationAt({ delta: m.delta, startsAt, endsAt }, now),
  };
}

/** The watched conditions (docs/consciousness.md): each opens at one bound and closes at a looser one. */
export const SAFETY_BOUNDS = {
  saturation: { value: 0.95, holdS: 10, clearBelow: 0.9 },
  oscillation: { levelChanges: 6, windowS: 60, clearBelow: 2 },
  storm: { attempts: 20, windowS: 10, clearBelow: 10 },
} as const;

/**
 * The leader's loops: arousal integration from the measured signals (every tick), node health (every health
 * period), the safety monitor, and state snapshots. Every replica runs the reporter: it writes its own request
 * signals for the leader and follows the shared arousal for its gauge.
 */
export class Loops {
  readonly #deps: Deps;
  readonly #local: LocalSignals;
  #timers: NodeJS.Timeout[] = [];
  #running = new Set<Promise<void>>();
  #lastTick = 0;
  #stress = 0;
  #value: number | undefined;
  #level: ArousalLevel | undefined;
  #history: { at: number; value: number; level: ArousalLevel }[] = [];
  #saturatedSince: number | undefined;
  #outboxSchemas: { list: string[]; at: number } = { list: [], at: 0 };
  #lastSnapshot = 0;
  #lastPrune = 0;

  constructor(deps: Deps) {
    this.#deps = deps;
    this.#local = new LocalSignals(deps.ctx, deps.options.signalWindowS);
  }

  async start(): Promise<void> {
    const { options } = this.#deps;
    await this.#local.window(); // the first sample: windows start here
    this.#every(options.tickMs, () => this.report());
    this.#every(options.tickMs, () => (this.#deps.election.isLeader() ? this.tick() : Promise.resolve()));
    this.#every(options.healthMs, () => (this.#deps.election.isLeader() ? this.health() : Promise.resolve()));
  }

  async stop(): Promise<void> {
    for (const t of this.#timers) clearInterval(t);
    this.#timers = [];
    await Promise.all([...this.#running]);
  }

  /** Called when this replica becomes the leader: claims the state row and makes sure every node has a row. */
  async lead(): Promise<void> {
    const { store, options, election } = this.#deps;
    const now = new Date(this.#deps.now()).toISOString();
    const fabric = { nodes: options.fabric.nodes, m: options.fabric.m, triadic_p: options.fabric.triadicP, seed: options.fabric.seed };
    await store.db.transaction(async (tx) => {
      const state = await store.state(tx);
      const same = JSON.stringify(state.fabric) === JSON.stringify(fabric);
      if (!same) {
        await tx.query('DELETE FROM core.tig_nodes');
        await tx.query('UPDATE core.consciousness_state SET fabric = $1, graph_changed_at = $2 WHERE id', [JSON.stringify(fabric), now]);
      }
      await tx.query(`INSERT INTO core.tig_nodes (id, state, load, load_at, state_since) SELECT g, 'active', 0, $2, $2 FROM generate_series(0, $1::int - 1) g ON CONFLICT (id) DO NOTHING`, [options.fabric.nodes, now]);
      await tx.query('UPDATE core.consciousness_state SET leader = $1, leader_since = $2, arousal = CASE WHEN heartbeat_at IS NULL THEN $3 ELSE arousal END WHERE id', [election.replica, now, options.arousal.baseline]);
    });
    const state = await store.state();
    this.#value = state.arousal;
    this.#stress = state.stress;
    this.#level = levelOf(state.arousal);
    this.#lastTick = this.#deps.now();
  }

  /** Called when this replica stops leading: the next leadership starts from the shared state again. */
  follow(): void {
    this.#value = undefined;
    this.#level = undefined;
    this.#history = [];
    this.#saturatedSince = undefined;
  }

  #every(ms: number, fn: () => Promise<void>): void {
    let busy = false;
    const timer = setInterval(() => {
      if (busy) return;
      busy = true;
      const run = fn()
        .catch((error: unknown) => this.#deps.ctx.log.warn({ err: error }, 'consciousness loop pass failed; will retry'))
        .finally(() => {
          busy = false;
          this.#running.delete(run);
        });
      this.#running.add(run);
    }, ms);
    timer.unref();
    this.#timers.push(timer);
  }

  /** Every replica: its request window for the leader, and the shared arousal for its gauge. */
  async report(): Promise<void> {
    const { store, election } = this.#deps;
    const w = await this.#local.window();
    await store.db.query(
      `INSERT INTO core.consciousness_signals (replica, requests, errors, buckets, window_seconds, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (replica) DO UPDATE SET requests = $2, errors = $3, buckets = $4, window_seconds = $5, updated_at = $6`,
      [election.replica, w.requests, w.errors, JSON.stringify(w.buckets), w.windowSeconds, iso(this.#deps.now())],
    );
    if (!election.isLeader()) this.#deps.arousalGauge.set((await store.state()).arousal);
  }

  async #signals(now: number): Promise<PlatformSignals> {
    const { db } = this.#deps.store;
    const freshMs = Math.max(5000, 3 * this.#deps.options.tickMs);
    const { rows } = await db.query<ReplicaSignals>('SELECT requests, errors, buckets, window_seconds FROM core.consciousness_signals WHERE updated_at > $1', [iso(now - freshMs)]);
    const pendingRows = await db.query<{ risk_level: keyof PlatformSignals['pending']; n: string | number }>(`SELECT risk_level, count(*) AS n FROM core.governance_decisions WHERE status = 'pending' GROUP BY risk_level`);
    const pending = { LOW: 0, MEDIUM: 0, HIGH: 0, CRITICAL: 0 };
    for (const r of pendingRows.rows) pending[r.risk_level] = Number(r.n);
    if (now - this.#outboxSchemas.at > 60_000) {
      const { rows: schemas } = await db.query<{ table_schema: string }>(`SELECT table_schema FROM information_schema.tables WHERE table_name = 'outbox' AND table_type = 'BASE TABLE' AND table_schema ~ '^[a-z][a-z0-9_]*$' ORDER BY table_schema`);
      this.#outboxSchemas = { list: schemas.map((s) => s.table_schema), at: now };
    }
    let queueDepth = 0;
    if (this.#outboxSchemas.list.length) {
      const sql = this.#outboxSchemas.list.map((s) => `(SELECT count(*) FROM "${s}".outbox WHERE published_at IS NULL)`).join(' + ');
      const { rows: q } = await db.query<{ n: string | number }>(`SELECT ${sql} AS n`);
      queueDepth = Number(q[0]?.n ?? 0);
    }
    return { ...combineRequestSignals(rows), pending, queueDepth };
  }

  /** The leader's arousal step: measure, integrate, store (fenced: only while this replica is the recorded leader). */
  async tick(): Promise<void> {
    const deps = this.#deps;
    const { options, store } = deps;
    const p = options.arousal;
    if (this.#value === undefined) await this.lead();
    const now = deps.now();
    const dt = Math.max(0, (now - this.#lastTick) / 1000);
    this.#lastTick = now;
    const signals = await this.#signals(now);
    const x = pressures(signals, p);
    this.#stress = stepStress(this.#stress, combinedPressure(x, p), dt, p);
    const modulations = (await store.activeModulations(new Date(now))).map((m) => modulationView(m, now));
    const w = p.weights;
    const pendingTotal = signals.pending.LOW + signals.pending.MEDIUM + signals.pending.HIGH + signals.pending.CRITICAL;
    const contributions: ArousalContribution[] = [
      { name: 'error_rate', signal: signals.errorRate, unit: 'fraction of requests answered 5xx', pressure: x.errors, weight: w.errors, value: w.errors * x.errors, description: `burn rate of the ${p.sloAvailability} availability objective over ${Math.round(signals.windowSeconds)} s, saturating at ${p.burnRateSaturation}×` },
      { name: 'latency', signal: signals.latencyP95 === null ? null : signals.latencyP95 * 1000, unit: 'ms (p95)', pressure: x.latency, weight: w.latency, value: w.latency * x.latency, description: `p95 against the ${p.sloLatencyP95 * 1000} ms objective: 0 at half of it, 1 at one and a half times it` },
      { name: 'pending_decisions', signal: pendingTotal, unit: 'pending governance decisions', pressure: x.pending, weight: w.pending, value: w.pending * x.pending, description: `1 − exp(−weighted/${p.pendingScale}), weights LOW 0.5, MEDIUM 1, HIGH 2, CRITICAL 4` },
      { name: 'queue_depth', signal: signals.queueDepth, unit: 'unpublished outbox events', pressure: x.queue, weight: w.queue, value: w.queue * x.queue, description: `1 − exp(−depth/${p.queueScale}), every service's outbox` },
      { name: 'stress', signal: this.#stress, unit: 'leaky average of the combined pressure', pressure: this.#stress, weight: w.stress, value: w.stress * this.#stress, description: `time constant ${p.stressTauS} s: sustained pressure builds it` },
    ];
    const modulation = modulations.reduce((s, m) => s + m.current, 0);
    const target = clamp01(p.baseline + contributions.reduce((s, c) => s + c.value, 0) + modulation);
    const value = stepArousal(this.#value ?? p.baseline, target, dt, p);
    const level = levelOf(value);
    const detail: ArousalState = {
      value,
      level,
      baseline: p.baseline,
      target,
      contributions: [...contributions, { name: 'modulations', signal: modulations.length, unit: 'active modulations', pressure: 0, weight: 1, value: modulation, description: 'each delta decaying linearly to 0 over its duration' }],
      modulations,
      esgt_threshold: salienceThreshold(value, options.threshold),
      updated_at: iso(now),
    };
    const previous = this.#level;
    const written = await deps.ctx.outbox.transaction(async (tx, emit) => {
      const r = await tx.query('UPDATE core.consciousness_state SET arousal = $1, stress = $2, arousal_detail = $3, heartbeat_at = $4 WHERE id AND leader = $5', [value, this.#stress, JSON.stringify(detail), iso(now), deps.election.replica]);
      if (r.rowCount === 0) return false;
      if (previous !== undefined && previous !== level) await emit('consciousness.arousal.level_changed', { from: previous, to: level, value, target, at: iso(now) });
      return true;
    });
    if (!written) {
      // Another replica is the recorded leader (this one lost the lock meanwhile): re-claim on the next tick only if still leader.
      this.#value = undefined;
      return;
    }
    this.#value = value;
    this.#level = level;
    deps.arousalGauge.set(value);
    this.#history.push({ at: now, value, level });
    while (this.#history.length && now - this.#history[0]!.at > SAFETY_BOUNDS.oscillation.windowS * 1000) this.#history.shift();
    await this.#monitor(now, value);
    if (now - this.#lastSnapshot >= options.snapshotMs) await this.snapshot(now);
  }

  async #monitor(now: number, value: number): Promise<void> {
    const { saturation, oscillation, storm } = SAFETY_BOUNDS;
    if (value >= saturation.value) this.#saturatedSince ??= now;
    else if (value < saturation.clearBelow) this.#saturatedSince = undefined;
    const saturatedFor = this.#saturatedSince === undefined ? 0 : (now - this.#saturatedSince) / 1000;
    await this.#violation('arousal_saturated', saturatedFor >= saturation.holdS, this.#saturatedSince === undefined, value, saturation.value, `arousal ${value.toFixed(3)} ≥ ${saturation.value} for ${saturatedFor.toFixed(0)} s`);
    let changes = 0;
    for (let i = 1; i < this.#history.length; i++) if (this.#history[i]!.level !== this.#history[i - 1]!.level) changes++;
    await this.#violation('arousal_oscillating', changes >= oscillation.levelChanges, changes < oscillation.clearBelow, changes, oscillation.levelChanges, `${changes} level changes in ${oscillation.windowS} s`);
    const attempts = await this.#deps.store.attemptsSince(new Date(now - storm.windowS * 1000));
    const total = attempts.success + attempts.blocked + attempts.failed;
    await this.#violation('ignition_storm', total >= storm.attempts, total < storm.clearBelow, total, storm.attempts, `${total} ignition attempts in ${storm.windowS} s (${attempts.success} successful, ${attempts.blocked} blocked, ${attempts.failed} failed)`);
  }

  /** Opens a violation when `open` (none of its kind active), raises its worst value while active, closes it when `clear`. */
  async #violation(kind: SafetyViolationKind, open: boolean, clear: boolean, value: number, threshold: number, detail: string): Promise<void> {
    const deps = this.#deps;
    const at = iso(deps.now());
    await deps.ctx.outbox.transaction(async (tx, emit) => {
      const { rows } = await tx.query<{ id: string; value: number }>('SELECT id, value FROM core.safety_violations WHERE kind = $1 AND ended_at IS NULL FOR UPDATE', [kind]);
      const active = rows[0];
      if (!active && open) {
        const id = randomUUID();
        await tx.query('INSERT INTO core.safety_violations (id, kind, detail, value, threshold, started_at) VALUES ($1, $2, $3, $4, $5, $6)', [id, kind, detail, value, threshold, at]);
        await emit('consciousness.safety.violation', { id, kind, detail, value, threshold, started_at: at });
        deps.ctx.log.warn({ kind, detail }, 'consciousness safety violation');
      } else if (active && clear) {
        await tx.query('UPDATE core.safety_violations SET ended_at = $2 WHERE id = $1', [active.id, at]);
        await emit('consciousness.safety.violation_cleared', { id: active.id, kind, ended_at: at });
      } else if (active && value > active.value) {
        await tx.query('UPDATE core.safety_violations SET value = $2, detail = $3 WHERE id = $1', [active.id, value, detail]);
      }
    });
  }

  /** The node-health pass: loads decayed to now, states moved with hysteresis; changes stored and published. */
  async health(): Promise<void> {
    const deps = this.#deps;
    const { options, store } = deps;
    const now = deps.now();
    const changes: { id: number; from: string; to: string; load: number }[] = [];
    await deps.ctx.outbox.transaction(async (tx, emit) => {
      for (const row of await store.nodes(tx)) {
        const load = loadAt(row.load, new Date(row.load_at).getTime(), now, options.health);
        const age = (now - new Date(row.state_since).getTime()) / 1000;
        const next = nextState(row.state, load, age, options.health);
        if (next !== row.state) changes.push({ id: row.id, from: row.state, to: next, load: Math.round(load * 1000) / 1000 });
      }
      if (!changes.length) return;
      const at = iso(now);
      await tx.query(
        `UPDATE core.tig_nodes AS n SET state = c.state, state_since = $3, reason = c.reason
         FROM (SELECT unnest($1::int[]) AS id, unnest($2::text[]) AS state, unnest($4::text[]) AS reason) AS c WHERE n.id = c.id`,
        [changes.map((c) => c.id), changes.map((c) => c.to), at, changes.map((c) => `load ${c.load} (${c.from} → ${c.to})`)],
      );
      await tx.query('UPDATE core.consciousness_state SET graph_changed_at = $1 WHERE id', [at]);
      await emit('consciousness.tig.nodes_changed', { at, changes });
    });
  }

  async snapshot(now: number): Promise<void> {
    const deps = this.#deps;
    this.#lastSnapshot = now;
    const state = await deps.snapshotState();
    await deps.store.db.query('INSERT INTO core.consciousness_snapshots (taken_at, replica, arousal, level, state) VALUES ($1, $2, $3, $4, $5)', [iso(now), deps.election.replica, state.arousal.value, state.arousal.level, JSON.stringify(state)]);
    if (now - this.#lastPrune > 3_600_000) {
      this.#lastPrune = now;
      await deps.store.db.query('DELETE FROM core.consciousness_snapshots WHERE taken_at < $1', [iso(now - deps.options.snapshotRetentionHours * 3_600_000)]);
      await deps.store.db.query('DELETE FROM core.consciousness_signals WHERE updated_at < $1', [iso(now - 3_600_000)]);
    }
  }
}
