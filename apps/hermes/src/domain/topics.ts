const SEGMENT = /^[A-Za-z0-9_-]+$/;

/**
 * Splits `a.*,b.>` into validated NATS-style patterns: `*` matches one segment, `>` (last only) the rest.
 * Returns the first problem instead when a pattern is malformed.
 */
export function parseTopics(raw: string): { patterns: string[] } | { problem: string } {
  const patterns = [...new Set(raw.split(',').map((p) => p.trim()).filter(Boolean))];
  if (patterns.length === 0) return { problem: 'no topic pattern given' };
  if (patterns.length > 50) return { problem: 'at most 50 topic patterns' };
  for (const pattern of patterns) {
    const segments = pattern.split('.');
    for (const [i, s] of segments.entries()) {
      const ok = SEGMENT.test(s) || s === '*' || (s === '>' && i === segments.length - 1);
      if (!ok) return { problem: `"${pattern}" is not a topic pattern (segments of [A-Za-z0-9_-], "*" for one segment, ">" last for the rest)` };
    }
  }
  return { patterns };
}

/** The POSIX regular expression (PostgreSQL `~`) equivalent to a validated pattern. */
export function patternRegex(pattern: string): string {
  const body = pattern
    .split('.')
    .map((s) => (s === '*' ? '[^.]+' : s === '>' ? '.+' : s))
    .join('\\.');
  return `^${body}$`;
}

/**
 * The narrowest single subject filter that covers every pattern (NATS 2.9 consumers take one filter):
 * the pattern itself when there is one, else everything (`>`), the rest filtered by the caller.
 */
export function coveringFilter(patterns: readonly string[]): string {
  return patterns.length === 1 && patterns[0] ? patterns[0] : '>';
}
