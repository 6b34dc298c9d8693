import { MissingReadingsError } from '../../../../functions/shared/errors';
import { rawPoints } from '../../../../functions/shared/query/rawPoints';
import type { MinuteBucket } from '../../../../functions/shared/query/types';

const T0 = Date.UTC(2025, 10, 29);
const stats = { count: 3, statsCount: 2, min: 1, max: 2, shift: 1, sum: 1, sumSquares: 1 };

describe('rawPoints', () => {
  it('returns the readings inside [from, to), BAD included, in time order', () => {
    const buckets: MinuteBucket[] = [
      { minute: T0, ...stats, readings: { ts: [0, 500, 59_000], values: [1, 2, 3], qualities: ['GOOD', 'BAD', 'GOOD'] } },
      { minute: T0 + 60_000, ...stats, readings: { ts: [0], values: [4], qualities: ['UNCERTAIN'] } },
    ];
    expect(rawPoints(buckets, T0 + 500, T0 + 60_001)).toEqual([
      { t: T0 + 500, value: 2, quality: 'BAD' },
      { t: T0 + 59_000, value: 3, quality: 'GOOD' },
      { t: T0 + 60_000, value: 4, quality: 'UNCERTAIN' },
    ]);
  });

  it('throws MissingReadingsError for a bucket read without its readings (a bug of the reader, not bad input)', () => {
    expect(() => rawPoints([{ minute: T0, ...stats }], T0, T0 + 60_000)).toThrow(new MissingReadingsError('rawPoints: the readings of minute 2025-11-29T00:00:00.000Z were not read'));
  });
});
