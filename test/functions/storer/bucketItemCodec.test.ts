import { CorruptItemError, TelemetryError } from '../../../functions/shared/errors';
import { decodeBucketItem } from '../../../functions/storer/decodeBucketItem';
import { encodeBucketItem } from '../../../functions/storer/encodeBucketItem';
import { bucketItem } from '../../helpers/records';

const item = bucketItem();

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

  it('writes exactly these attributes (the stored format: a change here makes items already written unreadable)', () => {
    expect(encodeBucketItem(item)).toStrictEqual({
      sensorId: { S: 'pump-07#temperature' },
      minute: { N: '1764417600000' },
      assetId: { S: 'pump-07' },
      metric: { S: 'temperature' },
      unit: { S: 'Cel' },
      ts: { L: [{ N: '100' }, { N: '1100' }] },
      values: { L: [{ N: '71.3' }, { N: '-0.000125' }] },
      qualities: { L: [{ S: 'GOOD' }, { S: 'UNCERTAIN' }] },
      count: { N: '2' },
      statsCount: { N: '2' },
      min: { N: '-0.000125' },
      max: { N: '71.3' },
      shift: { N: '71.3' },
      sum: { N: '-71.300125' },
      sumSquares: { N: '5083.707825015625' },
      version: { N: '3' },
      expiresAt: { N: '1765627260' },
      updatedAt: { N: '1764417630000' },
    });
    const { unit: _unit, min: _min, max: _max, ...bare } = item;
    expect(Object.keys(encodeBucketItem(bare)).sort()).toEqual(['assetId', 'count', 'expiresAt', 'metric', 'minute', 'qualities', 'sensorId', 'shift', 'statsCount', 'sum', 'sumSquares', 'ts', 'updatedAt', 'values', 'version']);
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

  it('refuses an item it did not write with a CorruptItemError naming the attribute', () => {
    const { count: _count, ...countless } = encodeBucketItem(item);
    expect(() => decodeBucketItem(countless)).toThrow(new CorruptItemError('bucket item attribute count is not a number'));
    expect(() => decodeBucketItem(countless)).toThrow(TelemetryError);
    const { assetId: _assetId, ...anonymous } = encodeBucketItem(item);
    expect(() => decodeBucketItem(anonymous)).toThrow(new CorruptItemError('bucket item attribute assetId is not a string'));
    const { qualities: _qualities, ...listless } = encodeBucketItem(item);
    expect(() => decodeBucketItem(listless)).toThrow(new CorruptItemError('bucket item attribute qualities is not a list'));
  });
});
