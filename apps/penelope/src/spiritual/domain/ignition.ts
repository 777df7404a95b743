/** What one ESGT attempt meant for peace: an ignition that synchronised, one that ran and failed, or one a gate held back. */
export type IgnitionOutcome = 'success' | 'failure' | 'blocked' | 'unknown';

const SUCCESS = new Set(['success', 'succeeded', 'ignited', 'synchronized', 'synchronised', 'completed', 'complete']);
const FAILURE = new Set(['failure', 'failed', 'desynchronized', 'desynchronised', 'timeout', 'error']);
const BLOCKED = new Set(['blocked', 'refused', 'rejected', 'gated', 'refractory', 'throttled']);

function classify(word: string): IgnitionOutcome {
  const w = word.toLowerCase();
  if (SUCCESS.has(w)) return 'success';
  if (FAILURE.has(w)) return 'failure';
  if (BLOCKED.has(w)) return 'blocked';
  return 'unknown';
}

/**
 * The outcome of a `consciousness.esgt.*` event: the payload's `outcome` (or `status`, `result`), else the
 * topic's last segment (`consciousness.esgt.failed`), else `synchronized` (or `success`) as a boolean. Only attempts that ran count for
 * peace: a gate that blocks an ignition is the system holding itself back, not instability.
 */
export function classifyIgnition(topic: string, payload: Record<string, unknown>): IgnitionOutcome {
  for (const key of ['outcome', 'status', 'result']) {
    const value = payload[key];
    if (typeof value === 'string') {
      const outcome = classify(value);
      if (outcome !== 'unknown') return outcome;
    }
  }
  const fromTopic = classify(topic.split('.').at(-1) ?? '');
  if (fromTopic !== 'unknown') return fromTopic;
  for (const key of ['synchronized', 'synchronised', 'success']) {
    const value = payload[key];
    if (typeof value === 'boolean') return value ? 'success' : 'failure';
  }
  return 'unknown';
}
