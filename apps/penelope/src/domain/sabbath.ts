/** Sabbath mode: no patch is applied on Saturday or Sunday (UTC); one approved then waits until Monday 00:00 UTC. */

const DAY = 86_400_000;

/** Saturday or Sunday, UTC. */
export function isRestDay(at: Date): boolean {
  const day = at.getUTCDay();
  return day === 6 || day === 0;
}

/** The next Monday 00:00 UTC strictly after `at`. */
export function nextMonday(at: Date): Date {
  const midnight = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate());
  const daysAhead = (8 - at.getUTCDay()) % 7 || 7;
  return new Date(midnight + daysAhead * DAY);
}

/** When an approved patch may be applied: now, or (Sabbath mode on a rest day) the next Monday 00:00 UTC. */
export function applyTime(now: Date, sabbath: boolean): Date {
  return sabbath && isRestDay(now) ? nextMonday(now) : now;
}
