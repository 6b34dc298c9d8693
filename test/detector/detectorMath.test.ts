import { chiSquareQuantile } from '../../functions/shared/detector/chiSquareQuantile';
import { choleskyFactor } from '../../functions/shared/detector/choleskyFactor';
import { factorWithShrinkage } from '../../functions/shared/detector/factorWithShrinkage';
import { mahalanobisSquared } from '../../functions/shared/detector/mahalanobisSquared';
import { packedIndex } from '../../functions/shared/detector/packedIndex';

/** Packed lower triangle of a full symmetric matrix. */
function pack(matrix: readonly (readonly number[])[]): number[] {
  return matrix.flatMap((row, i) => row.slice(0, i + 1));
}

describe('packed linear algebra', () => {
  const matrix = [
    [4, 2, 0.6],
    [2, 5, 1.5],
    [0.6, 1.5, 3],
  ];

  it('factors a positive definite matrix so that L Lᵀ gives it back', () => {
    const factor = choleskyFactor(pack(matrix), 3) as number[];
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j <= i; j++) {
        let sum = 0;
        for (let k = 0; k <= j; k++) sum += factor[packedIndex(i, k)] * factor[packedIndex(j, k)];
        expect(sum).toBeCloseTo(matrix[i][j], 12);
      }
    }
  });

  it('returns null for a matrix that is not positive definite, which shrinkage then repairs', () => {
    const singular = pack([
      [1, 1],
      [1, 1],
    ]);
    expect(choleskyFactor(singular, 2)).toBeNull();
    expect(factorWithShrinkage(singular, 2)).toEqual(choleskyFactor(pack([[1, 0.7], [0.7, 1]]), 2));
  });

  it('computes bᵀA⁻¹b', () => {
    // A = [[2, 1], [1, 2]], A⁻¹ = [[2, -1], [-1, 2]] / 3; b = (1, 2): bᵀA⁻¹b = (2 - 4 + 8) / 3 = 2.
    const factor = choleskyFactor(pack([[2, 1], [1, 2]]), 2) as number[];
    expect(mahalanobisSquared(factor, 2, [1, 2], [0, 0])).toBeCloseTo(2, 12);
  });
});

describe('chiSquareQuantile', () => {
  it.each([
    [1, 10.828, 0.031],
    [2, 13.816, 0.025],
    [3, 16.266, 0.02],
    [6, 22.458, 0.01],
    [8, 26.124, 0.01],
    [20, 45.315, 0.01],
  ])('approximates the exact 0.999 quantile for %i degrees of freedom (%f) within %f', (degrees, exact, tolerance) => {
    expect(Math.abs(chiSquareQuantile(degrees) / exact - 1)).toBeLessThan(tolerance);
  });
});
