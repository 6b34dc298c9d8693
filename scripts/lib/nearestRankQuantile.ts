/** Nearest-rank quantile (the smallest value with at least a share `p` of the values at or below it); NaN when empty. */
export function nearestRankQuantile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil(p * sorted.length))) - 1];
}
