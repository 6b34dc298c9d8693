/**
 * bᵀA⁻¹b (the Mahalanobis form; here the T² of the smoothed vector) from the packed Cholesky
 * factor L of A: solves L y = b by forward substitution into `scratch` and returns yᵀy.
 */
export function mahalanobisSquared(factor: readonly number[], size: number, vector: readonly number[], scratch: number[]): number {
  let squaredNorm = 0;
  let rowStart = 0;
  for (let row = 0; row < size; row++) {
    let sum = vector[row];
    for (let k = 0; k < row; k++) sum -= factor[rowStart + k] * scratch[k];
    const y = sum / factor[rowStart + row];
    scratch[row] = y;
    squaredNorm += y * y;
    rowStart += row + 1;
  }
  return squaredNorm;
}
