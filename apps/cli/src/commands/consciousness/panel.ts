import type { ArousalState, ConsciousnessState, EsgtEvent, TigMetrics } from '@maximus/contracts';
import { painter, table } from '../../output.js';

/** Everything the panel shows: one read of each endpoint. */
export interface PanelData {
  state: ConsciousnessState;
  arousal: ArousalState;
  metrics: TigMetrics;
  recent: EsgtEvent[];
}

const f = (x: number | null | undefined, digits = 3) => (x === null || x === undefined ? '—' : x.toFixed(digits));

/** A bar of `width` cells for a value in [0, 1]. */
export function gauge(value: number, width = 30): string {
  const filled = Math.round(Math.min(1, Math.max(0, value)) * width);
  return '█'.repeat(filled) + '░'.repeat(width - filled);
}

/** The panel as text: colours only when `stream` is a terminal that wants them. */
export function renderPanel(d: PanelData, stream: NodeJS.WriteStream): string {
  const c = painter(stream);
  const { state, arousal, metrics } = d;
  const status = state.health.status === 'healthy' ? c.green('HEALTHY') : state.health.status === 'degraded' ? c.yellow('DEGRADED') : c.red('DOWN');
  const levelColour = arousal.level === 'hyperalert' ? c.red : arousal.level === 'alert' ? c.yellow : arousal.level === 'relaxed' ? c.green : c.cyan;
  const leader = state.health.leader ? `leader ${state.health.leader.replica}${state.health.leader.this_replica ? ' (answered this)' : ''}` : 'no leader yet';
  const lines: string[] = [];
  lines.push(`${c.bold('MAXIMUS consciousness')}  ${status}  ${leader}  ${state.timestamp.replace('T', ' ').slice(0, 19)}`);
  for (const reason of state.health.reasons) lines.push(`  ! ${reason}`);
  lines.push('');
  lines.push(`${c.bold('Arousal')}  ${levelColour(gauge(arousal.value))}  ${f(arousal.value)}  ${levelColour(arousal.level.toUpperCase())}`);
  lines.push(`  target ${f(arousal.target)}  baseline ${f(arousal.baseline, 2)}  ignition threshold ${f(arousal.esgt_threshold)}`);
  if (arousal.contributions.length) lines.push(`  ${arousal.contributions.map((x) => `${x.name} ${x.value >= 0 ? '+' : ''}${f(x.value)}`).join('  ')}`);
  for (const m of arousal.modulations) lines.push(`  modulation ${m.delta >= 0 ? '+' : ''}${f(m.delta, 2)} by ${m.source} (now ${f(m.current)}, until ${m.ends_at.slice(11, 19)})`);
  lines.push('');
  const s = metrics.nodes_by_state;
  lines.push(`${c.bold('TIG')}  ${metrics.node_count} nodes  ${metrics.edge_count} links  active ${s.active}  esgt ${s.esgt_mode}  degraded ${s.degraded}  offline ${s.offline}`);
  lines.push(
    `  density ${f(metrics.density, 4)}  clustering ${f(metrics.avg_clustering_coefficient, 4)}  path length ${f(metrics.avg_path_length)}${metrics.path_length_policy.connected ? '' : ` (largest component, ${metrics.path_length_policy.components} components)`}`,
  );
  lines.push(
    `  algebraic connectivity ${f(metrics.algebraic_connectivity, 4)}  efficiency ${f(metrics.effective_connectivity_index, 4)}  redundancy ${metrics.min_path_redundancy}  bottlenecks ${metrics.bottleneck_locations.length}`,
  );
  lines.push(`  latency avg ${f(metrics.avg_latency_us)} µs  max ${f(metrics.max_latency_us)} µs  bandwidth ${metrics.total_bandwidth_gbps} Gbps`);
  lines.push('');
  const r = state.esgt.recent;
  lines.push(`${c.bold('Ignitions')}  ${state.esgt.active ? c.yellow('one running  ') : ''}last ${r.window_seconds} s: ${r.success} successful, ${r.blocked} blocked, ${r.failed} failed`);
  if (d.recent.length) {
    const outcome = (e: EsgtEvent) => (e.outcome === 'success' ? c.green : e.outcome === 'failed' ? c.red : c.yellow)(e.outcome);
    const rows = d.recent.map((e) => [
      e.started_at.slice(11, 23),
      outcome(e),
      f(e.salience),
      String(e.node_count),
      e.coherence?.time_to_sync_ms != null ? `${e.coherence.time_to_sync_ms} ms` : '—',
      e.reason.length > 70 ? `${e.reason.slice(0, 69)}…` : e.reason,
    ]);
    lines.push(
      table(['TIME', 'OUTCOME', 'SALIENCE', 'NODES', 'SYNC', 'REASON'], rows)
        .trimEnd()
        .split('\n')
        .map((l) => `  ${l}`)
        .join('\n'),
    );
  } else {
    lines.push('  no ignition attempts yet');
  }
  return lines.join('\n') + '\n';
}
