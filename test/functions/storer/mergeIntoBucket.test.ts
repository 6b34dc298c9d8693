import type { Quality } from '../../../functions/shared/types';
import { mergeIntoBucket } from '../../../functions/storer/mergeIntoBucket';
import type { BucketContribution, BucketGroup } from '../../../functions/storer/types';

const M = Date.UTC(2025, 10, 29, 12, 0, 0);
const options = { nowMs: M + 90_000, retentionDays: 14 };

function contribution(sequence: number, values: Array<[number, number, Quality?]>, shardId = 'shardId-000000000000'): BucketContribution {
  return {
    origin: { index: sequence, shardId, sequenceNumber: String(sequence), partitionKey: 'a', arrivedAt: M },
    readings: values.map(([offset, value, quality]) => ({ metric: 't', value, ts: M + offset, quality: quality ?? 'GOOD', unit: 'Cel' })),
  };
}

function group(...contributions: BucketContribution[]): BucketGroup {
  return { sensorId: 'a#t', assetId: 'a', metric: 't', minute: M, contributions };
}

describe('mergeIntoBucket', () => {
  it('creates a bucket with offsets, values, qualities, aggregates without BAD readings (sums about the first), and a TTL', () => {
    const { item, appended } = mergeIntoBucket(undefined, group(contribution(5, [[1_000, 2], [2_000, 4], [3_000, 100, 'BAD']])), options);
    expect(appended).toBe(3);
    expect(item).toEqual({
      sensorId: 'a#t',
      minute: M,
      assetId: 'a',
      metric: 't',
      unit: 'Cel',
      ts: [1_000, 2_000, 3_000],
      values: [2, 4, 100],
      qualities: ['GOOD', 'GOOD', 'BAD'],
      count: 3,
      statsCount: 2,
      min: 2,
      max: 4,
      shift: 2,
      sum: 2,
      sumSquares: 4,
      version: 1,
      expiresAt: (M + 60_000) / 1000 + 14 * 86_400,
      updatedAt: M + 90_000,
    });
  });

  it('omits min and max while every reading is BAD', () => {
    const { item } = mergeIntoBucket(undefined, group(contribution(1, [[0, 7, 'BAD']])), options);
    expect(item?.min).toBeUndefined();
    expect(item?.statsCount).toBe(0);
  });

  it('appends to an existing bucket and bumps its version', () => {
    const first = mergeIntoBucket(undefined, group(contribution(1, [[0, 5]])), options).item;
    const { item } = mergeIntoBucket(first, group(contribution(2, [[1_000, -1]])), options);
    expect([item?.values, item?.min, item?.max, item?.shift, item?.sum, item?.sumSquares, item?.version]).toEqual([[5, -1], -1, 5, 5, -6, 36, 2]);
  });

  it('skips readings the bucket already holds (same sensor and timestamp), whatever record brings them again', () => {
    const first = mergeIntoBucket(undefined, group(contribution(10, [[0, 1]]), contribution(11, [[1, 2]])), options).item;
    const again = mergeIntoBucket(first, group(contribution(10, [[0, 1]]), contribution(11, [[1, 2]])), options);
    expect(again).toEqual({ item: undefined, appended: 0, alreadyApplied: 2, superseded: 0, overflow: [] });
    const partly = mergeIntoBucket(first, group(contribution(11, [[1, 2]]), contribution(12, [[2, 3]])), options);
    expect([partly.item?.values, partly.alreadyApplied, partly.appended]).toEqual([[1, 2, 3], 1, 1]);
  });

  it('adds a redriven older record after later ones reached the bucket, keeping the lists sorted by offset', () => {
    const later = mergeIntoBucket(undefined, group(contribution(20, [[2_000, 3], [3_000, 4]])), options).item;
    const { item, appended } = mergeIntoBucket(later, group(contribution(5, [[1_000, 2, 'BAD'], [0, 1]])), options);
    expect(appended).toBe(2);
    expect([item?.ts, item?.values, item?.qualities]).toEqual([
      [0, 1_000, 2_000, 3_000],
      [1, 2, 3, 4],
      ['GOOD', 'BAD', 'GOOD', 'GOOD'],
    ]);
    // The stats are the lists' own: shifted about the first value that is not BAD in offset order, whatever came first.
    expect([item?.count, item?.statsCount, item?.shift, item?.sum, item?.sumSquares, item?.min, item?.max]).toEqual([4, 3, 1, 5, 13, 1, 4]);
  });

  it('takes a device resend of the same reading (a second record) once', () => {
    const { item, alreadyApplied } = mergeIntoBucket(undefined, group(contribution(1, [[500, 7]]), contribution(2, [[500, 7]])), options);
    expect([item?.values, alreadyApplied]).toEqual([[7], 1]);
  });

  it('keeps the later of two readings of the sensor at one timestamp in one record (a correction, as the processor judges it), and its redelivery changes nothing', () => {
    const { item, appended, superseded } = mergeIntoBucket(undefined, group(contribution(1, [[500, 150, 'BAD'], [900, 3], [500, 71.3]])), options);
    expect([item?.ts, item?.values, item?.qualities, appended, superseded]).toEqual([[500, 900], [71.3, 3], ['GOOD', 'GOOD'], 2, 1]);
    // Stats of the lists as stored: the BAD value the correction replaced is in none of them.
    expect([item?.statsCount, item?.min, item?.max]).toEqual([2, 3, 71.3]);
    const again = mergeIntoBucket(item, group(contribution(1, [[500, 150, 'BAD'], [900, 3], [500, 71.3]])), options);
    expect([again.item, again.alreadyApplied, again.superseded]).toEqual([undefined, 3, 0]);
    // Across records the first delivery stays (a resend or redrive is not a correction).
    const later = mergeIntoBucket(item, group(contribution(2, [[500, 99]])), options);
    expect([later.item, later.alreadyApplied]).toEqual([undefined, 1]);
  });

  it('keeps the sums of large values at the size of their spread', () => {
    const { item } = mergeIntoBucket(undefined, group(contribution(1, [[0, 1e9 + 0.5], [1, 1e9 - 0.5], [2, 7, 'BAD'], [3, 1e9 + 0.5]])), options);
    expect([item?.statsCount, item?.shift, item?.sum, item?.sumSquares, item?.min, item?.max]).toEqual([3, 1e9 + 0.5, -1, 1, 1e9 - 0.5, 1e9 + 0.5]);
  });

  it('re-bases an item of the earlier layout (raw sums, shift 0) on its next write', () => {
    const old = { ...mergeIntoBucket(undefined, group(contribution(1, [[0, 1e9], [1, 1e9 + 1]])), options).item!, shift: 0, sum: 2e9 + 1, sumSquares: 2e18 + 2e9 + 1 };
    const { item } = mergeIntoBucket(old, group(contribution(2, [[2, 1e9 + 2]])), options);
    expect([item?.statsCount, item?.shift, item?.sum, item?.sumSquares]).toEqual([3, 1e9, 3, 5]);
  });

  it('sets aside what does not fit a full bucket', () => {
    const { item, overflow } = mergeIntoBucket(undefined, group(contribution(1, [[0, 1], [1, 2]]), contribution(2, [[2, 3], [3, 4]])), { ...options, maxReadings: 3 });
    expect(item?.values).toEqual([1, 2, 3]);
    expect(overflow.map((o) => [o.contribution.origin.sequenceNumber, o.readings.map((r) => r.value)])).toEqual([['2', [4]]]);
  });

  it('leaves a full bucket unwritten and sets aside every new reading', () => {
    const full = mergeIntoBucket(undefined, group(contribution(1, [[0, 1], [1, 2]])), { ...options, maxReadings: 2 }).item;
    const { item, overflow } = mergeIntoBucket(full, group(contribution(2, [[2, 3]])), { ...options, maxReadings: 2 });
    expect(item).toBeUndefined();
    expect(overflow.map((o) => o.readings.map((r) => r.value))).toEqual([[3]]);
  });
});
