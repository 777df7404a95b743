import { randomUUID } from 'node:crypto';
import type { EsgtEvent, EsgtGate, EsgtTriggerParams, Principal } from '@maximus/contracts';
import type { Queryable } from '@maximus/kit/db';
import type { Emit } from '@maximus/kit/outbox';
import { CoreErrors } from '../errors.js';
import type { Deps } from './deps.js';
import { evaluateGates, GATE_REASONS, salience as salienceOf, salienceThreshold } from './domain/gates.js';
import { assemblyOf, loadAt, recruit } from './domain/health.js';
import type { IgnitionResult } from './domain/ignition.js';
import { deriveSeed } from './domain/prng.js';
import { nodeView } from './fabric.js';
import type { GateRow, NodeRow } from './store.js';

type Draft = Omit<EsgtEvent, 'node_count'>;

async function record(deps: Deps, tx: Queryable, emit: Emit, event: Draft): Promise<EsgtEvent> {
  await deps.store.insertEvent(tx, { ...event, replica: deps.election.replica });
  const full: EsgtEvent = { ...event, node_count: event.nodes.length };
  await emit(`consciousness.esgt.${event.outcome}`, full);
  return full;
}

/**
 * One ignition attempt, on any replica. The gates are checked with the shared gate row locked (`FOR UPDATE`), so
 * at most one ignition runs across replicas; the Kuramoto run happens outside the transaction, in the worker; the
 * outcome, the recruits' load and the gate's release commit together with the bus event. Every attempt — blocked,
 * failed or successful — is an `esgt_events` row and a `consciousness.esgt.<outcome>` event.
 * @throws CORE_ERR_SAFETY_SHUT_DOWN (503) while the kill switch holds (after recording the blocked attempt)
 */
export async function ignite(deps: Deps, params: EsgtTriggerParams, principal: Principal | undefined): Promise<EsgtEvent> {
  const { options, store, fabric } = deps;
  const stimulus = { novelty: params.novelty, relevance: params.relevance, urgency: params.urgency, confidence: params.confidence ?? 1 };
  const salience = salienceOf(stimulus);
  const startedAt = new Date(deps.now());
  const triggeredBy = principal?.id ?? 'anonymous';
  const baseFor = (arousalBefore: number) => ({
    salience,
    stimulus,
    threshold: salienceThreshold(arousalBefore, options.threshold),
    arousal_before: arousalBefore,
    context: params.context ?? {},
    triggered_by: triggeredBy,
    started_at: startedAt.toISOString(),
  });
  const blocked = (base: ReturnType<typeof baseFor>, gate: EsgtGate, gates: EsgtEvent['gates'], reason: string): Draft => ({
    ...base,
    id: randomUUID(),
    outcome: 'blocked',
    gate,
    reason,
    gates,
    arousal_after: null,
    nodes: [],
    coherence: null,
    phases: [],
    seed: null,
    simulated_ms: null,
    wall_ms: null,
    finished_at: new Date(deps.now()).toISOString(),
  });

  const safety = deps.safety();
  await safety.refresh();
  if (safety.isShutDown()) {
    const status = safety.snapshot();
    const base = baseFor((await store.state()).arousal);
    const event = await deps.ctx.outbox.transaction((tx, emit) =>
      record(deps, tx, emit, blocked(base, 'kill_switch', [{ gate: 'kill_switch', passed: false, detail: `emergency shutdown since ${status.since ?? '?'}` }], `the emergency shutdown is in force: ${status.reason ?? 'no reason recorded'}`)),
    );
    deps.triggers.inc({ outcome: 'blocked' });
    throw new CoreErrors.ShutDown(status.reason ?? `no reason recorded; attempt ${event.id} recorded as blocked`);
  }

  const decision = await deps.ctx.outbox.transaction(async (tx, emit) => {
    const now = deps.now();
    // One statement: the gate row (locked), the ignitions in the frequency window, every node's health, arousal.
    const { rows } = await tx.query<GateRow & { recent: string | number; arousal: number; nodes: NodeRow[] | null }>(
      `SELECT g.active_id, g.active_nodes, g.active_since, g.active_replica, g.last_end_at, g.runs,
              (SELECT count(*) FROM core.esgt_events WHERE outcome <> 'blocked' AND started_at > $1) AS recent,
              (SELECT arousal FROM core.consciousness_state WHERE id) AS arousal,
              (SELECT json_agg(json_build_object('id', id, 'state', state, 'load', load, 'load_at', load_at, 'state_since', state_since)) FROM core.tig_nodes) AS nodes
       FROM core.esgt_gate g WHERE g.id FOR UPDATE OF g`,
      [new Date(now - options.gates.windowMs).toISOString()],
    );
    const gate = rows[0]!;
    const base = baseFor(gate.arousal);
    let active = gate.active_id !== null;
    if (active && gate.active_since && now - new Date(gate.active_since).getTime() > options.gates.staleMs) {
      // The replica that held it stopped mid-run: the attempt is closed as failed, and the gate freed.
      await record(deps, tx, emit, {
        ...base,
        id: gate.active_id!,
        outcome: 'failed',
        gate: null,
        reason: `abandoned: replica ${gate.active_replica ?? '?'} stopped during the ignition (no result after ${options.gates.staleMs} ms)`,
        salience: 0,
        stimulus: { novelty: 0, relevance: 0, urgency: 0, confidence: 0 },
        gates: [],
        arousal_after: null,
        nodes: gate.active_nodes ?? [],
        coherence: null,
        phases: [],
        seed: null,
        simulated_ms: null,
        wall_ms: null,
        context: { abandoned: true },
        triggered_by: 'system',
        started_at: new Date(gate.active_since).toISOString(),
        finished_at: new Date(now).toISOString(),
      });
      deps.triggers.inc({ outcome: 'failed' });
      await tx.query('UPDATE core.esgt_gate SET active_id = NULL, active_nodes = NULL, active_since = NULL, active_replica = NULL, last_end_at = $1 WHERE id', [new Date(now).toISOString()]);
      active = false;
    }
    const view = nodeView(fabric.n, gate.nodes ?? [], undefined, (load, at, t) => loadAt(load, at, t, options.health));
    const healthy = (v: number) => view.health(v) === 'active';
    const probe = recruit(fabric, healthy, (v) => view.load(v, now), 0);
    const size = Math.min(probe.component, Math.max(options.gates.minNodes, Math.round(salience * probe.component)));
    const recruits = probe.component >= options.gates.minNodes ? recruit(fabric, healthy, (v) => view.load(v, now), size).nodes : [];
    const recentRuns = Number(gate.recent) + (active ? 1 : 0);
    const checks = evaluateGates({
      salience,
      threshold: base.threshold,
      active,
      activeId: gate.active_id,
      sinceLastMs: gate.last_end_at ? now - new Date(gate.last_end_at).getTime() : null,
      refractoryMs: options.gates.refractoryMs,
      recentRuns,
      maxRuns: options.gates.maxRuns,
      windowMs: options.gates.windowMs,
      healthyComponent: probe.component,
      minNodes: options.gates.minNodes,
    });
    const failed = checks.find((c) => !c.passed);
    if (failed) return { kind: 'blocked' as const, event: await record(deps, tx, emit, blocked(base, failed.gate, checks, `${GATE_REASONS[failed.gate]}: ${failed.detail}`)) };
    const id = randomUUID();
    const runs = Number(gate.runs) + 1;
    await tx.query('UPDATE core.esgt_gate SET active_id = $1, active_nodes = $2, active_since = $3, active_replica = $4, runs = $5 WHERE id', [id, recruits, new Date(now).toISOString(), deps.election.replica, runs]);
    return { kind: 'go' as const, id, recruits, checks, base, seed: deriveSeed(options.fabric.seed, runs) };
  });
  if (decision.kind === 'blocked') {
    deps.triggers.inc({ outcome: 'blocked' });
    return decision.event;
  }

  const { id, recruits, checks, seed, base } = decision;
  let result: IgnitionResult | undefined;
  let failure: string | undefined;
  try {
    result = await deps.compute.ignite({ op: 'ignite', assembly: assemblyOf(fabric, recruits), salience, seed, params: options.ignition });
  } catch (error) {
    failure = `the simulation failed: ${(error as Error).message}`;
  }
  const finishedAt = new Date(deps.now());
  const success = result?.synchronized === true;
  const event = await deps.ctx.outbox.transaction(async (tx, emit) => {
    const at = finishedAt.toISOString();
    await tx.query(
      `INSERT INTO core.tig_nodes (id, state, load, load_at, state_since)
       SELECT unnest($1::int[]), 'active', $2, $3, $3
       ON CONFLICT (id) DO UPDATE SET load = core.tig_nodes.load * exp(-greatest(0, extract(epoch FROM ($3::timestamptz - core.tig_nodes.load_at))) / $4) + $2, load_at = $3`,
      [recruits, options.health.perIgnition, at, options.health.tauS],
    );
    const { rows } = await tx.query<{ arousal: number }>(
      'UPDATE core.esgt_gate SET active_id = NULL, active_nodes = NULL, active_since = NULL, active_replica = NULL, last_end_at = $2 WHERE id AND active_id = $1 RETURNING (SELECT arousal FROM core.consciousness_state WHERE id) AS arousal',
      [id, at],
    );
    if (success && options.ignitionFeedback.delta !== 0) {
      await store.insertModulation(tx, { id: randomUUID(), delta: options.ignitionFeedback.delta, durationSeconds: options.ignitionFeedback.durationS, source: `esgt:${id}`, createdBy: 'system', startsAt: finishedAt });
    }
    const arousalAfter = rows[0]?.arousal ?? (await store.state(tx)).arousal;
    const reason = failure ?? (success
      ? `synchronised: r ${result!.coherence.at_sync} ≥ ${options.ignition.coherenceThreshold} after ${result!.coherence.time_to_sync_ms} ms simulated`
      : `no synchronisation within ${options.ignition.syncBudgetMs} ms simulated: peak r ${result!.coherence.peak} < ${options.ignition.coherenceThreshold}`);
    return record(deps, tx, emit, {
      ...base,
      id,
      outcome: success ? 'success' : 'failed',
      gate: null,
      reason,
      gates: checks,
      arousal_after: arousalAfter,
      nodes: recruits,
      coherence: result?.coherence ?? null,
      phases: result?.phases ?? [],
      seed,
      simulated_ms: result?.simulated_ms ?? null,
      wall_ms: result?.wall_ms ?? null,
      finished_at: at,
    });
  });
  deps.triggers.inc({ outcome: event.outcome });
  return event;
}
