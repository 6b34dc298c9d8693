/** Scoring of replay flags the way the SKAB leaderboard does it (pooled point-wise F1 after warm-up). */

/** Rows at the start of each SKAB file that are the training part, excluded from scoring. */
export const SKAB_WARMUP_ROWS = 400;

export interface SkabCounts {
  readonly truePositives: number;
  readonly falsePositives: number;
  readonly falseNegatives: number;
  readonly trueNegatives: number;
}

export interface SkabRates {
  readonly f1: number;
  /** FP / (FP + TN). */
  readonly falseAlarmRate: number;
  /** FN / (FN + TP). */
  readonly missedAlarmRate: number;
}

/** Counts of one file's rows after the warm-up: flags against the `anomaly` labels. */
export function countSkabFile(flags: ArrayLike<number>, labels: ArrayLike<number>, warmupRows = SKAB_WARMUP_ROWS): SkabCounts {
  let truePositives = 0;
  let falsePositives = 0;
  let falseNegatives = 0;
  let trueNegatives = 0;
  for (let row = warmupRows; row < labels.length; row++) {
    const flagged = flags[row] > 0;
    const labelled = labels[row] > 0;
    if (flagged && labelled) truePositives++;
    else if (flagged) falsePositives++;
    else if (labelled) falseNegatives++;
    else trueNegatives++;
  }
  return { truePositives, falsePositives, falseNegatives, trueNegatives };
}

export function sumSkabCounts(counts: readonly SkabCounts[]): SkabCounts {
  return counts.reduce(
    (total, c) => ({
      truePositives: total.truePositives + c.truePositives,
      falsePositives: total.falsePositives + c.falsePositives,
      falseNegatives: total.falseNegatives + c.falseNegatives,
      trueNegatives: total.trueNegatives + c.trueNegatives,
    }),
    { truePositives: 0, falsePositives: 0, falseNegatives: 0, trueNegatives: 0 },
  );
}

function ratio(numerator: number, denominator: number): number {
  return denominator === 0 ? 0 : numerator / denominator;
}

export function skabRates(counts: SkabCounts): SkabRates {
  const { truePositives: tp, falsePositives: fp, falseNegatives: fn, trueNegatives: tn } = counts;
  return {
    f1: ratio(2 * tp, 2 * tp + fp + fn),
    falseAlarmRate: ratio(fp, fp + tn),
    missedAlarmRate: ratio(fn, fn + tp),
  };
}

/** Published results of the SKAB outlier-detection leaderboard (full benchmark, offline models). */
export const SKAB_LEADERBOARD: readonly { readonly name: string; readonly f1: number; readonly note?: string }[] = [
  { name: 'Conv-AE', f1: 0.78, note: 'FAR 13.6%' },
  { name: 'MSET', f1: 0.78 },
  { name: 'T-squared+Q (PCA)', f1: 0.76, note: 'FAR at most 26%' },
  { name: 'LSTM-AE', f1: 0.74 },
  { name: 'T-squared', f1: 0.66 },
  { name: 'LSTM-VAE', f1: 0.56 },
  { name: 'Vanilla LSTM', f1: 0.54 },
  { name: 'Isolation forest', f1: 0.29 },
];
