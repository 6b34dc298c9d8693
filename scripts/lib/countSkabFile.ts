import { SKAB_WARMUP_ROWS, type SkabCounts } from './skabScore';

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
