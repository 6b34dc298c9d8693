import { choleskyFactor } from './choleskyFactor';
import { DETECTOR_INTERNALS } from './constants';
import { DetectorError } from './errors';

/**
 * Cholesky factor of the covariance after shrinking its off-diagonal toward zero (few effective
 * samples make correlations noisy); shrinks further if still not positive definite.
 */
export function factorWithShrinkage(covariance: readonly number[], size: number): number[] {
  let shrinkage: number = DETECTOR_INTERNALS.covarianceShrinkage;
  for (;;) {
    const shrunk = covariance.map((value, position) => (isDiagonal(position) ? value : (1 - shrinkage) * value));
    const factor = choleskyFactor(shrunk, size);
    if (factor !== null) return factor;
    // Fully shrunk, the matrix is its positive diagonal, which always has a factor.
    if (shrinkage >= 1) throw new DetectorError('covariance diagonal must be positive');
    shrinkage = Math.min(1, shrinkage + 0.2);
  }
}

/** Whether a packed lower-triangle position lies on the diagonal (position = k(k+3)/2). */
function isDiagonal(position: number): boolean {
  const k = Math.round((Math.sqrt(8 * position + 9) - 3) / 2);
  return (k * (k + 3)) / 2 === position;
}
