/** Rows (from `from` on) where a 0/1 series is 1: SKAB's `changepoint` column marks its changepoints so. */
export function markedRows(series: ArrayLike<number>, from: number): number[] {
  const rows: number[] = [];
  for (let row = Math.max(from, 0); row < series.length; row++) if (series[row] > 0) rows.push(row);
  return rows;
}
