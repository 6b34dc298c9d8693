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
