import { describe, expect, it } from 'vitest';
import type { ToolExecutionResult } from '@maximus/contracts';
import { factsOf, reflect } from './reflection.js';

const tool = (name: string, status: 'ok' | 'error', output: unknown, error: string | null = null): ToolExecutionResult => ({
  call_id: name,
  tool: name,
  input: {},
  status,
  output,
  error,
  error_code: error ? 'KIT_ERR_PEER_TIMEOUT' : null,
  started_at: new Date(0).toISOString(),
  duration_ms: 1,
});
const base = { retrieved: [], context: undefined, inlineCode: false, stopReason: 'end_turn', stageNotes: [] };

describe('reflection', () => {
  it('finds the salient facts of a tool output', () => {
    expect(factsOf({ pending_total: 7, level: 'alert', arousal: 0.734, flags: [true] })).toEqual(expect.arrayContaining(['pending total', '7', 'alert', '0.734', '0.73', 'arousal']));
    expect(factsOf({ ok: 1 })).toEqual([]);
  });

  it('gives full marks to an answer that uses every source and owns up to nothing missing', () => {
    const r = reflect({ ...base, answer: 'Arousal is 0.73 (alert).', tools: [tool('consciousness_state', 'ok', { arousal: 0.734, level: 'alert' })] });
    expect(r.score).toBe(1);
    expect(r.grounding).toBe(1);
  });

  it('penalises a failed tool the answer keeps quiet about, not one it reports', () => {
    const failed = [tool('diagnose_code', 'error', null, 'penelope did not answer within 10000 ms')];
    const quiet = reflect({ ...base, answer: 'The code looks fine.', tools: failed });
    const honest = reflect({ ...base, answer: 'diagnose_code failed (timed out), so the code was not checked.', tools: failed });
    expect(quiet.notes).toContain('The answer does not say that diagnose_code failed.');
    expect(quiet.score).toBeLessThan(honest.score);
    expect(honest.notes[0]).toContain('Tool diagnose_code failed (KIT_ERR_PEER_TIMEOUT)');
  });

  it('notes code that was sent and never analysed, unbacked answers, cut-off answers and partial grounding', () => {
    const unanalysed = reflect({ ...base, answer: 'Looks fine.', tools: [], context: { code: 'x = 1' } });
    expect(unanalysed.notes).toContain('Code was sent but not analysed: diagnose_code was not called.');
    expect(unanalysed.notes).toContain('No tool result or retrieved context backs this answer.');
    expect(unanalysed.grounding).toBe(0);
    expect(unanalysed.score).toBeCloseTo(0.2, 10);
    const cut = reflect({ ...base, answer: 'Partial', tools: [], stopReason: 'max_tokens' });
    expect(cut.notes.some((n) => n.includes('cut off'))).toBe(true);
    const half = reflect({
      ...base,
      answer: 'There are 12 pending decisions.',
      tools: [tool('governance_stats', 'ok', { pending: { total: 12 } }), tool('consciousness_state', 'ok', { arousal: 0.61, level: 'alert' })],
    });
    expect(half.grounding).toBe(0.5);
    expect(half.notes).toContain('The answer refers to 1 of its 2 sources.');
    expect(reflect({ ...base, answer: '  ', tools: [] }).score).toBe(0);
  });
});
