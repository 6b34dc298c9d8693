import type { Quality } from '../../../functions/shared/types';
import { mergeIntoBucket } from '../../../functions/storer/mergeIntoBucket';
import type { BucketContribution, BucketGroup } from '../../../functions/storer/types';

const M = Date.UTC(2025, 10, 29, 12, 0, 0);
const options = { nowMs: M + 90_000, retentionDays: 14 };

function contribution(sequence: number, values: Array<[number, number, Quality?]>, shardId = 'shardId-000000000000'): BucketContribution {
  return {
    origin: { index: sequence, shardId, sequenceNumber: String(sequence), partitionKey: 'a', arrivedAt: M },
    sequenceNumber: BigInt(sequence),
    readings: values.map(([offset, value, quality]) => ({ metric: 't', value, ts: M + offset, quality: quality ?? 'GOOD', unit: 'Cel' })),
  };
}

function group(...contributions: BucketContribution[]): BucketGroup {
  return { sensorId: 'a#t', assetId: 'a', metric: 't', minute: M, contributions };
}

describe('mergeIntoBucket', () => {
  it('creates a bucket with offsets, values, qualities, aggregates without BAD readings, and a TTL', () => {
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
      sum: 6,
      sumSquares: 20,
      applied: { 'shardId-000000000000': '5' },
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
    expect([item?.values, item?.min, item?.max, item?.sum, item?.version]).toEqual([[5, -1], -1, 5, 4, 2]);
  });

  it('skips contributions at or below the highest sequence applied for their shard', () => {
    const first = mergeIntoBucket(undefined, group(contribution(10, [[0, 1]]), contribution(11, [[1, 2]])), options).item;
    const again = mergeIntoBucket(first, group(contribution(10, [[0, 1]]), contribution(11, [[1, 2]])), options);
    expect(again).toEqual({ item: undefined, appended: 0, alreadyApplied: 2, overflow: [] });
    const partly = mergeIntoBucket(first, group(contribution(11, [[1, 2]]), contribution(12, [[2, 3]])), options);
    expect([partly.item?.values, partly.alreadyApplied, partly.item?.applied]).toEqual([[1, 2, 3], 1, { 'shardId-000000000000': '12' }]);
  });

  it('tracks each shard separately (after a reshard the child shard starts its own sequence)', () => {
    const first = mergeIntoBucket(undefined, group(contribution(900, [[0, 1]], 'shardId-000000000000')), options).item;
    const { item } = mergeIntoBucket(first, group(contribution(5, [[1, 2]], 'shardId-000000000002')), options);
    expect(item?.applied).toEqual({ 'shardId-000000000000': '900', 'shardId-000000000002': '5' });
  });

  it('compares sequence numbers as integers, not strings', () => {
    const first = mergeIntoBucket(undefined, group(contribution(99, [[0, 1]])), options).item;
    expect(mergeIntoBucket(first, group(contribution(100, [[1, 2]])), options).item?.values).toEqual([1, 2]);
  });

  it('sets aside what does not fit a full bucket and still marks the record applied', () => {
    const { item, overflow } = mergeIntoBucket(undefined, group(contribution(1, [[0, 1], [1, 2]]), contribution(2, [[2, 3], [3, 4]])), { ...options, maxReadings: 3 });
    expect(item?.values).toEqual([1, 2, 3]);
    expect(overflow.map((o) => [o.contribution.sequenceNumber, o.readings.map((r) => r.value)])).toEqual([[2n, [4]]]);
    expect(item?.applied).toEqual({ 'shardId-000000000000': '2' });
  });
});
