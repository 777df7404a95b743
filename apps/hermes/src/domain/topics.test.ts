import { describe, expect, it } from 'vitest';
import { topicMatches } from '@maximus/kit/bus';
import { coveringFilter, parseTopics, patternRegex } from './topics.js';

describe('topic patterns', () => {
  it('parses, deduplicates and validates a list', () => {
    expect(parseTopics(' a.* , b.>,a.*')).toEqual({ patterns: ['a.*', 'b.>'] });
    expect(parseTopics('')).toMatchObject({ problem: expect.stringContaining('no topic') });
    expect(parseTopics('a.>.b')).toMatchObject({ problem: expect.stringContaining('a.>.b') });
    expect(parseTopics('a..b')).toHaveProperty('problem');
    expect(parseTopics('a b')).toHaveProperty('problem');
  });

  it('turns a pattern into a regular expression that agrees with the bus', () => {
    const cases = ['a.b', 'a.*', 'a.>', '*.b', '>', 'a-b.*.c'];
    const topics = ['a', 'a.b', 'a.c', 'a.b.c', 'x.b', 'a-b.q.c', 'axb.q.c', 'ab'];
    for (const pattern of cases) {
      const regex = new RegExp(patternRegex(pattern));
      for (const topic of topics) expect(regex.test(topic), `${pattern} ~ ${topic}`).toBe(topicMatches(pattern, topic));
    }
  });

  it('covers several patterns with everything, one with itself', () => {
    expect(coveringFilter(['a.*'])).toBe('a.*');
    expect(coveringFilter(['a.*', 'b.>'])).toBe('>');
  });
});
