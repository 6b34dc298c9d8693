/**
 * NAB-style changepoint scoring as the SKAB leaderboard defines it, written from that definition:
 *
 * - a true changepoint is a row where the `anomaly` label changes (0→1 or 1→0); each opens a
 *   window from its time to 60 s after it; when a window reaches the next changepoint, the next
 *   window starts where this one ends;
 * - in each window only the first predicted changepoint counts, scored on a curve sampled at
 *   1,000 points, from A_tp at the window start down to A_fp at its end; a window without one
 *   costs A_fn; a prediction outside every window costs A_fp (later ones inside a window are
 *   ignored);
 * - the sum over all files is normalised: 100 · (S − n·A_fn) / (n·A_tp − n·A_fn) for n true
 *   changepoints, so 100 is every changepoint found at once and 0 is none found.
 *
 * Only rows after the warm-up take part; the predicted changepoints of a flag series are both its
 * edges (episode start and episode end).
 */
import { nabCurve, type NabProfile } from './nabCurve';

/** The three weightings of the leaderboard: (A_tp, A_fp, A_fn). */
export const NAB_PROFILES = [
  { name: 'standard', truePositive: 1, falsePositive: -0.11, falseNegative: -1 },
  { name: 'LowFP', truePositive: 1, falsePositive: -0.22, falseNegative: -1 },
  { name: 'LowFN', truePositive: 1, falsePositive: -0.11, falseNegative: -2 },
] as const satisfies readonly NabProfile[];

export const NAB_LIMITS = {
  /** Length of the window after each true changepoint. */
  windowMs: 60_000,
  /** Points of the scoring curve across one window. */
  curvePoints: 1_000,
} as const;

/** What the scoring needs of one file, profile by profile: where each window was hit, what was missed, what was extra. */
export interface NabOutcome {
  /** Curve position x ∈ [−π/2, π/2] of the first prediction in each window that got one. */
  readonly hits: readonly number[];
  /** Windows without a prediction. */
  readonly missed: number;
  /** Predictions outside every window. */
  readonly falsePositives: number;
}

/** Normalised score (0 = nothing found, 100 = every changepoint found at once, no false positive); NaN without changepoints. */
export function nabScore(outcome: NabOutcome, profile: NabProfile): number {
  const changepoints = outcome.hits.length + outcome.missed;
  if (changepoints === 0) return Number.NaN;
  const raw =
    outcome.hits.reduce((sum, x) => sum + nabCurve(x, profile), 0) +
    outcome.missed * profile.falseNegative +
    outcome.falsePositives * profile.falsePositive;
  const worst = changepoints * profile.falseNegative;
  return (100 * (raw - worst)) / (changepoints * profile.truePositive - worst);
}

/** Published NAB scores of the SKAB changepoint leaderboard (full benchmark, offline models). */
export const NAB_LEADERBOARD: readonly { readonly name: string; readonly standard: number; readonly lowFp: number; readonly lowFn: number; readonly falsePositives: number }[] = [
  { name: 'MSCRED', standard: 32.42, lowFp: 16.53, lowFn: 40.28, falsePositives: 342 },
  { name: 'Conv-AE', standard: 23.61, lowFp: 21.54, lowFn: 27.55, falsePositives: 23 },
];
