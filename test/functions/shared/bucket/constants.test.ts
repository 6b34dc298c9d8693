import { BUCKET_FORMAT, BUCKET_PROJECTIONS } from '../../../../functions/shared/bucket/constants';

// The stored format of the readings table: the storer writes it and the read path reads it, and items
// written under one definition are read under the next until their TTL. Changing it is a migration.
describe('BUCKET_FORMAT', () => {
  it('is one UTC minute per item', () => {
    expect(BUCKET_FORMAT.minuteMs).toBe(60_000);
  });

  it('names the attributes of a bucket item', () => {
    expect(BUCKET_FORMAT.attributes).toStrictEqual({
      sensorId: 'sensorId',
      minute: 'minute',
      assetId: 'assetId',
      metric: 'metric',
      unit: 'unit',
      ts: 'ts',
      values: 'values',
      qualities: 'qualities',
      count: 'count',
      statsCount: 'statsCount',
      shift: 'shift',
      sum: 'sum',
      sumSquares: 'sumSquares',
      min: 'min',
      max: 'max',
      version: 'version',
      expiresAt: 'expiresAt',
      updatedAt: 'updatedAt',
    });
  });

  it("lists the read path's projections in the order its requests name them", () => {
    expect(BUCKET_PROJECTIONS).toStrictEqual({
      stats: ['minute', 'count', 'statsCount', 'shift', 'sum', 'sumSquares', 'min', 'max'],
      readings: ['ts', 'values', 'qualities'],
    });
  });
});
