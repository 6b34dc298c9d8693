/**
 * Symmetric matrices (covariances, their Cholesky factors, co-moment sums) are stored as packed
 * lower triangles, row-major: entry (row, col), col <= row, at `packedIndex(row, col)`. That is
 * the layout of the persisted state too (half the numbers of a full matrix).
 */

/** Index of entry (row, col), col <= row, in a packed lower triangle. */
export function packedIndex(row: number, col: number): number {
  return (row * (row + 1)) / 2 + col;
}

