import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { BUCKET_PROJECTIONS } from '../../../../functions/shared/bucket/constants';
import { decodeMinuteBucket } from '../../../../functions/shared/bucket/decodeMinuteBucket';
import { CorruptItemError } from '../../../../functions/shared/errors';
import { decodeBucketItem } from '../../../../functions/storer/decodeBucketItem';
import { encodeBucketItem } from '../../../../functions/storer/encodeBucketItem';
import { bucketItem } from '../../../helpers/records';

type Item = Record<string, AttributeValue>;

// A third reading, BAD: in the count and the lists, not in the stats.
const item = bucketItem({ ts: [100, 1_100, 59_999], values: [71.3, -0.000125, 1e15], qualities: ['GOOD', 'UNCERTAIN', 'BAD'], count: 3 });

/** The item as a read with this projection returns it (DynamoDB leaves out attributes the item does not have). */
function projected(encoded: Item, attributes: readonly string[]): Item {
  return Object.fromEntries(attributes.filter((name) => encoded[name] !== undefined).map((name) => [name, encoded[name] as AttributeValue]));
}

const stats = { minute: 1764417600000, count: 3, statsCount: 2, min: -0.000125, max: 71.3, shift: 71.3, sum: -71.300125, sumSquares: 5083.707825015625 };
const readings = { ts: [100, 1_100, 59_999], values: [71.3, -0.000125, 1e15], qualities: ['GOOD', 'UNCERTAIN', 'BAD'] };

describe('decodeMinuteBucket: one decoder for the storer and the read path', () => {
  it("reads what the storer's encoder wrote, through the read path's projections and the storer's decoder alike", () => {
    const encoded = encodeBucketItem(item);
    // Read path: a roll-up's Query projects the stats; a cut minute's GetItem the stats and the readings.
    expect(decodeMinuteBucket(projected(encoded, BUCKET_PROJECTIONS.stats), 'stats')).toStrictEqual(stats);
    expect(decodeMinuteBucket(projected(encoded, [...BUCKET_PROJECTIONS.stats, ...BUCKET_PROJECTIONS.readings]), 'readings')).toStrictEqual({ ...stats, readings });
    // `raw` reads whole items in readings mode: the attributes beyond the projection are ignored.
    expect(decodeMinuteBucket(encoded, 'readings')).toStrictEqual({ ...stats, readings });
    // Storer: the whole item, back to the BucketItem it wrote.
    expect(decodeMinuteBucket(encoded, 'whole')).toStrictEqual({
      sensorId: 'pump-07#temperature',
      assetId: 'pump-07',
      metric: 'temperature',
      unit: 'Cel',
      ...stats,
      readings,
      version: 3,
      expiresAt: 1765627260,
      updatedAt: 1764417630000,
    });
    expect(decodeBucketItem(encoded)).toStrictEqual(item);
  });

  it('leaves out what the item does not hold: unit, min and max (no reading that is not BAD)', () => {
    const { unit: _unit, min: _min, max: _max, ...bare } = { ...item, qualities: ['BAD', 'BAD', 'BAD'] as const, statsCount: 0, shift: 0, sum: 0, sumSquares: 0 };
    const encoded = encodeBucketItem(bare);
    const { min: _statsMin, max: _statsMax, ...bareStats } = { ...stats, statsCount: 0, shift: 0, sum: 0, sumSquares: 0 };
    expect(decodeMinuteBucket(projected(encoded, BUCKET_PROJECTIONS.stats), 'stats')).toStrictEqual(bareStats);
    expect(decodeBucketItem(encoded)).toStrictEqual(bare);
  });

  it('reads an item written before shifted sums (no shift) as shift 0 in every part', () => {
    const { shift: _shift, ...old } = encodeBucketItem({ ...item, sum: 71.299875, sumSquares: 5083.690000015625 });
    for (const part of ['stats', 'readings', 'whole'] as const) expect(decodeMinuteBucket(old, part)).toMatchObject({ shift: 0, sum: 71.299875, sumSquares: 5083.690000015625 });
  });

  it('refuses an item it did not write with a CorruptItemError naming the attribute, in the read path too', () => {
    const encoded = encodeBucketItem(item);
    const { sum: _sum, ...sumless } = encoded;
    expect(() => decodeMinuteBucket(projected(sumless, BUCKET_PROJECTIONS.stats), 'stats')).toThrow(new CorruptItemError('bucket item attribute sum is not a number'));
    const { ts: _ts, ...tsless } = encoded;
    expect(decodeMinuteBucket(projected(tsless, BUCKET_PROJECTIONS.stats), 'stats')).toStrictEqual(stats);
    expect(() => decodeMinuteBucket(tsless, 'readings')).toThrow(new CorruptItemError('bucket item attribute ts is not a list'));
    const { sensorId: _sensorId, ...keyless } = encoded;
    expect(decodeMinuteBucket(keyless, 'readings')).toStrictEqual({ ...stats, readings });
    expect(() => decodeMinuteBucket(keyless, 'whole')).toThrow(new CorruptItemError('bucket item attribute sensorId is not a string'));
    expect(() => decodeMinuteBucket({ ...encoded, minute: { S: '1764417600000' } }, 'stats')).toThrow(new CorruptItemError('bucket item attribute minute is not a number'));
  });
});
