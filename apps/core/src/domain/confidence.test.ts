import { describe, expect, it } from 'vitest';
import { CONFIDENCE_WEIGHTS, completionOf, confidenceScore, toolSuccess, type ConfidenceInputs } from './confidence.js';

const KEYS = ['tool_success', 'completion', 'reflection', 'grounding'] as const;
const GRID = [0, 0.1, 0.25, 0.5, 0.75, 0.9, 1];

describe('confidence score', () => {
  it('is the documented weighted sum', () => {
    expect(confidenceScore({ tool_success: 1, completion: 1, reflection: 1, grounding: 1 })).toBe(1);
    expect(confidenceScore({ tool_success: 0, completion: 0, reflection: 0, grounding: 0 })).toBe(0);
    expect(confidenceScore({ tool_success: 0.5, completion: 1, reflection: 0.75, grounding: 0 })).toBeCloseTo(0.35 * 0.5 + 0.15 + 0.25 * 0.75, 10);
    expect(Object.values(CONFIDENCE_WEIGHTS).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it('rises strictly with each input, the others held (monotone on a grid)', () => {
    for (const key of KEYS) {
      for (const a of GRID) {
        for (const b of GRID) {
          const base: ConfidenceInputs = { tool_success: a, completion: b, reflection: a, grounding: b };
          let previous = -1;
          for (const v of GRID) {
            const score = confidenceScore({ ...base, [key]: v });
            expect(score).toBeGreaterThan(previous);
            previous = score;
          }
        }
      }
    }
  });

  it('is 0 for an empty answer, and clamps inputs outside [0, 1]', () => {
    expect(confidenceScore({ tool_success: 1, completion: 1, reflection: 1, grounding: 1 }, true)).toBe(0);
    expect(confidenceScore({ tool_success: 2, completion: -1, reflection: Number.NaN, grounding: 1 })).toBeCloseTo(0.6, 10);
  });

  it('measures its inputs: tool outcomes and stop reasons', () => {
    expect(toolSuccess(3, 4)).toBe(0.75);
    expect(toolSuccess(0, 0)).toBe(0.5);
    expect(completionOf('end_turn')).toBe(1);
    expect(completionOf('stop')).toBe(1);
    expect(completionOf('max_tokens')).toBe(0.5);
    expect(completionOf('length')).toBe(0.5);
    expect(completionOf('refusal')).toBe(0);
    expect(completionOf('content_filter')).toBe(0);
  });
});
