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

  it('refuses lists it did not write: an element of another type, a quality that is not one of the three, lists of different lengths', () => {
    const encoded = encodeBucketItem(item);
    // Number(undefined) is NaN: read as is, a string element became a NaN reading for the read path and the merge alike.
    const stringValue = { ...encoded, values: { L: [{ N: '71.3' }, { S: '-0.000125' }, { N: '1e15' }] } };
    expect(() => decodeMinuteBucket(stringValue, 'readings')).toThrow(new CorruptItemError('bucket item attribute values holds a non-number at index 1'));
    expect(() => decodeBucketItem(stringValue)).toThrow(new CorruptItemError('bucket item attribute values holds a non-number at index 1'));
    const nullOffset = { ...encoded, ts: { L: [{ N: '100' }, { NULL: true }, { N: '59999' }] } };
    expect(() => decodeMinuteBucket(nullOffset, 'readings')).toThrow(new CorruptItemError('bucket item attribute ts holds a non-number at index 1'));
    const lowerCase = { ...encoded, qualities: { L: [{ S: 'good' }, { S: 'UNCERTAIN' }, { S: 'BAD' }] } };
    expect(() => decodeMinuteBucket(lowerCase, 'readings')).toThrow(new CorruptItemError('bucket item attribute qualities holds "good" at index 0, not one of GOOD, UNCERTAIN, BAD'));
    const numericQuality = { ...encoded, qualities: { L: [{ S: 'GOOD' }, { S: 'UNCERTAIN' }, { N: '192' }] } };
    expect(() => decodeMinuteBucket(numericQuality, 'whole')).toThrow(new CorruptItemError('bucket item attribute qualities holds a non-string at index 2'));
    const strayValue = { ...encoded, values: { L: [...(encoded.values?.L ?? []), { N: '5' }] } };
    expect(() => decodeMinuteBucket(strayValue, 'readings')).toThrow(new CorruptItemError('bucket item attribute values has 4 entries, ts has 3'));
    const shortQualities = { ...encoded, qualities: { L: [{ S: 'GOOD' }] } };
    expect(() => decodeBucketItem(shortQualities)).toThrow(new CorruptItemError('bucket item attribute qualities has 1 entries, ts has 3'));
    // The stats part reads no list: a roll-up is not refused for what it does not read.
    expect(decodeMinuteBucket(projected(strayValue, BUCKET_PROJECTIONS.stats), 'stats')).toStrictEqual(stats);
  });

  it('reads an item of the first layout (an `applied` map of sequence numbers, no shift) without the map', () => {
    const { shift: _shift, ...current } = encodeBucketItem({ ...item, sum: 71.299875 + 1e15, sumSquares: 1e30 });
    const first = { ...current, applied: { M: { 'shardId-000000000000': { S: '49590338271490256608559692538361571095921575989136588898' } } } };
    expect(decodeBucketItem(first)).toStrictEqual({ ...item, shift: 0, sum: 71.299875 + 1e15, sumSquares: 1e30 });
  });
});
