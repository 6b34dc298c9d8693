import { QUERY_LIMITS, STEPS, type Aggregate, type RollUpStep } from './constants';
import type { AggregatePoint, MinuteBucket } from './types';

/** Running sums of the readings that are not BAD: what a minute bucket keeps, merged without averaging averages. */
interface Stats {
  count: number;
  sum: number;
  sumSquares: number;
  min: number;
  max: number;
}

const empty = (): Stats => ({ count: 0, sum: 0, sumSquares: 0, min: Infinity, max: -Infinity });

/**
 * Rolls minute buckets up to `step` over [from, to): a point per step (aligned to UTC multiples of
 * it) that holds at least one reading that is not BAD; steps without one are omitted. A minute wholly
 * inside the range contributes its stored stats; a minute the range cuts contributes the readings
 * inside the range, which the bucket must then carry. `buckets` must be sorted by minute.
 */
export function rollUp(buckets: readonly MinuteBucket[], from: number, to: number, step: RollUpStep, aggregates: readonly Aggregate[]): AggregatePoint[] {
  const stepMs = STEPS[step];
  const byStep = new Map<number, Stats>();
  for (const bucket of buckets) {
    const whole = bucket.minute >= from && bucket.minute + QUERY_LIMITS.minuteMs <= to;
    const stats = whole ? storedStats(bucket) : statsInRange(bucket, from, to);
    if (stats.count === 0) continue;
    const start = Math.floor(bucket.minute / stepMs) * stepMs;
    const into = byStep.get(start);
    if (into === undefined) byStep.set(start, stats);
    else merge(into, stats);
  }
  return [...byStep.entries()].sort(([a], [b]) => a - b).map(([t, stats]) => point(t, stats, aggregates));
}

function storedStats(bucket: MinuteBucket): Stats {
  return { count: bucket.statsCount, sum: bucket.sum, sumSquares: bucket.sumSquares, min: bucket.min ?? Infinity, max: bucket.max ?? -Infinity };
}

/** The stats of the bucket's readings inside [from, to), computed as the storer computes a bucket's (BAD excluded). */
function statsInRange(bucket: MinuteBucket, from: number, to: number): Stats {
  const stats = empty();
  const readings = bucket.readings;
  if (readings === undefined) throw new Error(`rollUp: the minute ${new Date(bucket.minute).toISOString()} is only partly in range and its readings were not read`);
  readings.ts.forEach((offset, index) => {
    const t = bucket.minute + offset;
    if (t < from || t >= to || readings.qualities[index] === 'BAD') return;
    const value = readings.values[index] as number;
    stats.count += 1;
    stats.sum += value;
    stats.sumSquares += value * value;
    if (value < stats.min) stats.min = value;
    if (value > stats.max) stats.max = value;
  });
  return stats;
}

function merge(into: Stats, from: Stats): void {
  into.count += from.count;
  into.sum += from.sum;
  into.sumSquares += from.sumSquares;
  into.min = Math.min(into.min, from.min);
  into.max = Math.max(into.max, from.max);
}

function point(t: number, stats: Stats, aggregates: readonly Aggregate[]): AggregatePoint {
  const mean = stats.sum / stats.count;
  const values: Record<Aggregate, () => number> = {
    avg: () => mean,
    min: () => stats.min,
    max: () => stats.max,
    sum: () => stats.sum,
    count: () => stats.count,
    // Population variance from the merged sums; rounding can take it a hair below zero for a constant series.
    stddev: () => Math.sqrt(Math.max(0, stats.sumSquares / stats.count - mean * mean)),
  };
  return { t, ...Object.fromEntries(aggregates.map((aggregate) => [aggregate, values[aggregate]()])) };
}
