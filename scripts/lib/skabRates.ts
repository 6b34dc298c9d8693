import type { SkabCounts, SkabRates } from './skabScore';

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
