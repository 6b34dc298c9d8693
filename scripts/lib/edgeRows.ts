/** Rows (from `from` on, compared with the row before) where a 0/1 series changes value. */
export function edgeRows(series: ArrayLike<number>, from: number): number[] {
  const rows: number[] = [];
  for (let row = Math.max(from, 1); row < series.length; row++) {
    if (series[row] > 0 !== series[row - 1] > 0) rows.push(row);
  }
  return rows;
}
