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

export interface NabProfile {
  readonly name: string;
  readonly truePositive: number;
  readonly falsePositive: number;
  readonly falseNegative: number;
}

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

/** Rows (from `from` on, compared with the row before) where a 0/1 series changes value. */
export function edgeRows(series: ArrayLike<number>, from: number): number[] {
  const rows: number[] = [];
  for (let row = Math.max(from, 1); row < series.length; row++) {
    if (series[row] > 0 !== series[row - 1] > 0) rows.push(row);
  }
  return rows;
}

/** Rows (from `from` on) where a 0/1 series is 1: SKAB's `changepoint` column marks its changepoints so. */
export function markedRows(series: ArrayLike<number>, from: number): number[] {
  const rows: number[] = [];
  for (let row = Math.max(from, 0); row < series.length; row++) if (series[row] > 0) rows.push(row);
  return rows;
}

/**
 * Windows, hits and false positives of one file. `times` are the rows' epoch milliseconds;
 * `labels` the true anomaly labels (their edges are the true changepoints); `flags` the detector's flags.
 */
export function nabOutcome(times: ArrayLike<number>, labels: ArrayLike<number>, flags: ArrayLike<number>, warmupRows: number): NabOutcome {
  return nabOutcomeAt(times, edgeRows(labels, warmupRows), flags, warmupRows);
}

/** As `nabOutcome`, with the true changepoints given as rows (ascending, none before `warmupRows`). */
export function nabOutcomeAt(times: ArrayLike<number>, changepointRows: readonly number[], flags: ArrayLike<number>, warmupRows: number): NabOutcome {
  const windows: { start: number; end: number; hit: number | null }[] = [];
  for (const row of changepointRows) {
    const changepoint = times[row];
    const previousEnd = windows.length > 0 ? windows[windows.length - 1].end : -Infinity;
    windows.push({ start: Math.max(changepoint, previousEnd), end: changepoint + NAB_LIMITS.windowMs, hit: null });
  }
  let falsePositives = 0;
  let next = 0;
  for (const row of edgeRows(flags, warmupRows)) {
    const time = times[row];
    // Windows are ordered and disjoint but for shared ends; a prediction on a shared end belongs to the earlier one.
    while (next < windows.length && windows[next].end < time) next++;
    const window = windows[next];
    if (window === undefined || time < window.start) falsePositives++;
    else if (window.hit === null) window.hit = curvePosition(time, window.start, window.end);
  }
  const hits = windows.flatMap((window) => (window.hit === null ? [] : [window.hit]));
  return { hits, missed: windows.length - hits.length, falsePositives };
}

/** x of the curve point nearest to `time`: −π/2 at the window start, π/2 at its end. */
function curvePosition(time: number, start: number, end: number): number {
  const last = NAB_LIMITS.curvePoints - 1;
  const point = end > start ? Math.round(((time - start) / (end - start)) * last) : 0;
  return -Math.PI / 2 + (Math.PI * point) / last;
}

/** Score of a prediction at curve position x: A_tp at −π/2 falling to A_fp at π/2. */
export function nabCurve(x: number, profile: NabProfile): number {
  const half = (profile.truePositive - profile.falsePositive) / 2;
  return half * (-Math.tanh(x) / Math.tanh(Math.PI / 2)) + half + profile.falsePositive;
}

export function sumNabOutcomes(outcomes: readonly NabOutcome[]): NabOutcome {
  return {
    hits: outcomes.flatMap((outcome) => outcome.hits),
    missed: outcomes.reduce((sum, outcome) => sum + outcome.missed, 0),
    falsePositives: outcomes.reduce((sum, outcome) => sum + outcome.falsePositives, 0),
  };
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
