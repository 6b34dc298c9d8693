import { BUCKET_FORMAT } from '../bucket/constants';
import { bucketStats } from '../bucketStats';
import { MissingReadingsError } from '../errors';
import type { BucketStats, Quality } from '../types';
import { STEPS, type Aggregate, type RollUpStep } from './constants';
import type { AggregatePoint, MinuteBucket } from './types';

/**
 * The readings that are not BAD of a step so far, kept as count, mean and m2 (the sum of squared
 * deviations from the mean): merging those with Chan, Golub and LeVeque's pairwise formula never
 * subtracts two numbers of the values' size squared, which raw Σv² − n·mean² does (readings of
 * 1e8 ± 0.5 gave a stddev of 0). The mean is of v − shift (the first bucket's shift), not of v: at
 * 1e15 a mean's last bit is 0.125, so a step's mean moved by each minute's small share would not
 * move at all. The sum is kept beside, with sumError what its additions rounded away.
 */
interface Moments {
  count: number;
  shift: number;
  mean: number;
  m2: number;
  sum: number;
  sumError: number;
  min: number;
  max: number;
}

/**
 * Rolls minute buckets up to `step` over [from, to): a point per step (aligned to UTC multiples of
 * it) that holds at least one reading that is not BAD; steps without one are omitted. A minute wholly
 * inside the range contributes its stored stats; a minute the range cuts contributes the readings
 * inside the range, which the bucket must then carry. `buckets` must be sorted by minute.
 */
export function rollUp(buckets: readonly MinuteBucket[], from: number, to: number, step: RollUpStep, aggregates: readonly Aggregate[]): AggregatePoint[] {
  const stepMs = STEPS[step];
  const byStep = new Map<number, Moments>();
  for (const bucket of buckets) {
    const whole = bucket.minute >= from && bucket.minute + BUCKET_FORMAT.minuteMs <= to;
    const stats = whole ? bucket : statsInRange(bucket, from, to);
    if (stats.statsCount === 0) continue;
    const moments = momentsOf(stats);
    const start = Math.floor(bucket.minute / stepMs) * stepMs;
    const into = byStep.get(start);
    if (into === undefined) byStep.set(start, moments);
    else merge(into, moments);
  }
  return [...byStep.entries()].sort(([a], [b]) => a - b).map(([t, moments]) => point(t, moments, aggregates));
}

/** The stats of the bucket's readings inside [from, to), computed as the storer computes a bucket's (BAD excluded). */
function statsInRange(bucket: MinuteBucket, from: number, to: number): BucketStats {
  const readings = bucket.readings;
  if (readings === undefined) throw new MissingReadingsError(`rollUp: the minute ${new Date(bucket.minute).toISOString()} is only partly in range and its readings were not read`);
  const inRange = readings.ts.flatMap((offset, index) => (bucket.minute + offset >= from && bucket.minute + offset < to ? [index] : []));
  return bucketStats(
    inRange.map((index) => readings.values[index] as number),
    inRange.map((index) => readings.qualities[index] as Quality),
  );
}

/**
 * A bucket's moments. Its sums are of differences from its shift, so the mean and m2 come out of
 * numbers of the spread's size; the shift (the values' size) is added back to the sum only. An item
 * of the earlier layout has shift 0: raw sums, with their old precision.
 */
function momentsOf({ statsCount: count, shift, sum, sumSquares, min = Infinity, max = -Infinity }: BucketStats): Moments {
  return {
    count,
    shift,
    mean: sum / count,
    // Rounding can take it a hair below zero where the differences are not small (shift 0 above all).
    m2: Math.max(0, sumSquares - sum * (sum / count)),
    sum: count * shift + sum,
    sumError: 0,
    min,
    max,
  };
}

function merge(into: Moments, from: Moments): void {
  const count = into.count + from.count;
  // Both means about into's shift; the shifts are values of the same sensor, so their difference is exact or nearly.
  const delta = from.shift - into.shift + from.mean - into.mean;
  into.mean += delta * (from.count / count);
  into.m2 += from.m2 + delta * delta * ((into.count / count) * from.count);
  // Neumaier's compensated addition: a day of large values is 1,440 additions to a sum of 1e14 and
  // more, each of which would otherwise round.
  const sum = into.sum + from.sum;
  into.sumError += (Math.abs(into.sum) >= Math.abs(from.sum) ? into.sum - sum + from.sum : from.sum - sum + into.sum) + from.sumError;
  into.sum = sum;
  into.count = count;
  into.min = Math.min(into.min, from.min);
  into.max = Math.max(into.max, from.max);
}

function point(t: number, moments: Moments, aggregates: readonly Aggregate[]): AggregatePoint {
  const sum = moments.sum + moments.sumError;
  const values: Record<Aggregate, () => number> = {
    // From the sum rather than the merged mean: the sum of values on a grid (integers, quarters) is
    // exact, and its quotient then the correctly rounded average.
    avg: () => sum / moments.count,
    min: () => moments.min,
    max: () => moments.max,
    sum: () => sum,
    count: () => moments.count,
    // Population standard deviation.
    stddev: () => Math.sqrt(moments.m2 / moments.count),
  };
  return { t, ...Object.fromEntries(aggregates.map((aggregate) => [aggregate, values[aggregate]()])) };
}
