import type { SkabCounts } from './skabScore';

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
