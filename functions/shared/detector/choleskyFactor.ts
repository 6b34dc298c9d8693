import { packedIndex } from './packedIndex';

/**
 * Cholesky factor L (packed lower triangle) of a symmetric positive definite matrix given by its
 * packed lower triangle, so that A = L Lᵀ. Returns null when A is not positive definite.
 */
export function choleskyFactor(matrix: readonly number[], size: number): number[] | null {
  const factor = new Array<number>(matrix.length).fill(0);
  for (let row = 0; row < size; row++) {
    for (let col = 0; col <= row; col++) {
      let sum = matrix[packedIndex(row, col)];
      for (let k = 0; k < col; k++) sum -= factor[packedIndex(row, k)] * factor[packedIndex(col, k)];
      if (row === col) {
        if (!(sum > 0)) return null;
        factor[packedIndex(row, row)] = Math.sqrt(sum);
      } else {
        factor[packedIndex(row, col)] = sum / factor[packedIndex(col, col)];
      }
    }
  }
  return factor;
}
