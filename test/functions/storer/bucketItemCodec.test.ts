import { decodeBucketItem, encodeBucketItem } from '../../../functions/storer/bucketItemCodec';
import type { BucketItem } from '../../../functions/storer/types';

const item: BucketItem = {
  sensorId: 'pump-07#temperature',
  minute: 1764417600000,
  assetId: 'pump-07',
  metric: 'temperature',
  unit: 'Cel',
  ts: [100, 1_100],
  values: [71.3, -0.000125],
  qualities: ['GOOD', 'UNCERTAIN'],
  count: 2,
  statsCount: 2,
  min: -0.000125,
  max: 71.3,
  shift: 71.3,
  sum: -71.300125,
  sumSquares: 5083.707825015625,
  version: 3,
  expiresAt: 1765627260,
  updatedAt: 1764417630000,
};

describe('bucket item codec', () => {
  it('writes plain DynamoDB lists and numbers', () => {
    const encoded = encodeBucketItem(item);
    expect(encoded.sensorId).toEqual({ S: 'pump-07#temperature' });
    expect(encoded.minute).toEqual({ N: '1764417600000' });
    expect(encoded.ts).toEqual({ L: [{ N: '100' }, { N: '1100' }] });
    expect(encoded.values).toEqual({ L: [{ N: '71.3' }, { N: '-0.000125' }] });
    expect(encoded.qualities).toEqual({ L: [{ S: 'GOOD' }, { S: 'UNCERTAIN' }] });
    expect(encoded.expiresAt).toEqual({ N: '1765627260' });
  });

  it('round-trips', () => {
    expect(decodeBucketItem(encodeBucketItem(item))).toEqual(item);
    const { unit: _unit, min: _min, max: _max, ...bare } = item;
    expect(decodeBucketItem(encodeBucketItem(bare))).toEqual(bare);
  });

  it('reads an item written before shifted sums: no shift attribute, raw sums, so shift 0', () => {
    const { shift: _shift, ...old } = encodeBucketItem({ ...item, sum: 71.299875, sumSquares: 5083.690000015625 });
    expect(decodeBucketItem(old)).toEqual({ ...item, shift: 0, sum: 71.299875, sumSquares: 5083.690000015625 });
  });

  it('names the attribute of an item it did not write', () => {
    const { count: _count, ...broken } = encodeBucketItem(item);
    expect(() => decodeBucketItem(broken)).toThrow('bucket item attribute count is not a number');
  });
});
