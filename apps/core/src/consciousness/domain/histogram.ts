/**
 * Prometheus-style quantile of a histogram window: `buckets[i]` counts observations ≤ `bounds[i]` (cumulative,
 * the +Inf bucket last), interpolated linearly inside the bucket as `histogram_quantile` does. Null without data.
 */
export function histogramQuantile(q: number, bounds: readonly number[], cumulative: readonly number[]): number | null {
  const total = cumulative.at(-1) ?? 0;
  if (total <= 0) return null;
  const rank = q * total;
  for (let i = 0; i < cumulative.length; i++) {
    if (cumulative[i]! >= rank) {
      const upper = bounds[i] ?? Number.POSITIVE_INFINITY;
      const lower = i === 0 ? 0 : bounds[i - 1]!;
      if (!Number.isFinite(upper)) return lower; // in +Inf: the highest finite bound, as Prometheus answers
      const below = i === 0 ? 0 : cumulative[i - 1]!;
      const inBucket = cumulative[i]! - below;
      return inBucket > 0 ? lower + ((upper - lower) * (rank - below)) / inBucket : upper;
    }
  }
  return bounds.at(-1) ?? null;
}
