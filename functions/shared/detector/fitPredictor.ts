import { DETECTOR_INTERNALS } from './constants';
import type { PredictorState, WarmupState } from './types';

/**
 * Per-metric one-step predictors from the warm-up moments: mean, lag-1 autoregression
 * coefficient (clipped to [0, maxAutoregression]) and the scale of the prediction residual.
 * Autoregression matters because plant metrics differ in kind: a temperature wanders slowly
 * (lag-1 autocorrelation ≈ 0.98 on SKAB) and its level says little, while vibration or flow is
 * nearly white noise around a level that does matter. `indices` picks the metrics (model order).
 */
export function fitPredictor(warmup: WarmupState, indices: readonly number[], maxAutoregression: number): PredictorState {
  const mean: number[] = [];
  const coefficient: number[] = [];
  const scale: number[] = [];
  for (const index of indices) {
    const count = warmup.count[index];
    const level = warmup.mean[index];
    const variance = count > 0 ? warmup.squaredDeviations[index] / count : 0;
    const pairs = warmup.pairs[index];
    // Deviations of the pair sums about the level, in the shifted frame of the sums.
    const shiftedLevel = level - warmup.reference[index];
    const previousSquares =
      warmup.sumPreviousSquared[index] - 2 * shiftedLevel * warmup.sumPrevious[index] + pairs * shiftedLevel * shiftedLevel;
    const currentSquares =
      warmup.sumCurrentSquared[index] - 2 * shiftedLevel * warmup.sumCurrent[index] + pairs * shiftedLevel * shiftedLevel;
    const products =
      warmup.sumProducts[index] -
      shiftedLevel * (warmup.sumPrevious[index] + warmup.sumCurrent[index]) +
      pairs * shiftedLevel * shiftedLevel;
    let phi = 0;
    let residualVariance = variance;
    if (pairs >= 2 && variance > 0) {
      phi = Math.min(Math.max(products / pairs / variance, 0), maxAutoregression);
      residualVariance = Math.max((currentSquares + phi * phi * previousSquares - 2 * phi * products) / pairs, 0);
    }
    const floor = Math.max(Math.abs(level) * DETECTOR_INTERNALS.relativeScaleFloor, DETECTOR_INTERNALS.absoluteScaleFloor);
    mean.push(level);
    coefficient.push(phi);
    scale.push(Math.max(Math.sqrt(residualVariance), floor));
  }
  return { mean, coefficient, scale };
}
