import type { BucketStats, Quality } from './types';

/**
 * The stats a minute bucket keeps of its readings that are not BAD: count, min, max, and the sum and
 * sum of squares of each value's difference from `shift`, the first such value in list order.
 *
 * Why shifted: the read path needs a variance, and raw Σv and Σv² give it as Σv²/n − mean², two
 * numbers near mean² whose difference is lost once values are large beside their spread (readings of
 * 1e8 ± 0.5 gave a stddev of 0). Differences from a value of the data are of the spread's size, so
 * Σd² − (Σd)²/n keeps the variance's digits. Computed from the lists rather than added up write by
 * write, so the stats are a function of the bucket's readings alone: the storer and the read path (a
 * minute the range cuts) get the same numbers, and an item of the earlier layout is re-based by its
 * next write.
 */
export function bucketStats(values: readonly number[], qualities: readonly Quality[]): BucketStats {
  let statsCount = 0;
  let shift = 0;
  let sum = 0;
  let sumSquares = 0;
  let min = Infinity;
  let max = -Infinity;
  values.forEach((value, index) => {
    if (qualities[index] === 'BAD') return;
    if (statsCount === 0) shift = value;
    const difference = value - shift;
    statsCount += 1;
    sum += difference;
    sumSquares += difference * difference;
    if (value < min) min = value;
    if (value > max) max = value;
  });
  return { statsCount, ...(statsCount > 0 ? { min, max } : {}), shift, sum, sumSquares };
}
