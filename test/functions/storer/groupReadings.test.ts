import { sensorIdOf } from '../../../functions/shared/sensorIdOf';
import type { Reading, RecordOrigin, TelemetryMessage } from '../../../functions/shared/types';
import { groupReadings } from '../../../functions/storer/groupReadings';
import { minuteOf } from '../../../functions/storer/minuteOf';

const M = Date.UTC(2025, 10, 29, 12, 0, 0);

function record(index: number, assetId: string, readings: Array<Pick<Reading, 'metric' | 'value' | 'ts'>>): { origin: RecordOrigin; message: TelemetryMessage } {
  return {
    origin: { index, shardId: 'shardId-000000000000', sequenceNumber: String(100 + index), partitionKey: assetId, arrivedAt: M },
    message: {
      schemaVersion: 1,
      assetId,
      readings: readings.map((r) => ({ ...r, quality: 'GOOD' })),
      plantId: 'p',
      lineId: 'l',
      thingName: 't',
      clientId: 't',
      receivedAt: M,
    },
  };
}

describe('groupReadings', () => {
  it('computes minute starts and sensor ids', () => {
    expect(minuteOf(M + 59_999)).toBe(M);
    expect(minuteOf(M + 60_000)).toBe(M + 60_000);
    expect(sensorIdOf('pump-07', 'rpm')).toBe('pump-07#rpm');
  });

  it('groups per sensor per minute in shard order, one contribution per record', () => {
    const groups = groupReadings([
      record(0, 'a', [
        { metric: 't', value: 1, ts: M + 1_000 },
        { metric: 't', value: 2, ts: M + 2_000 },
        { metric: 'p', value: 3, ts: M + 1_000 },
      ]),
      record(1, 'a', [{ metric: 't', value: 4, ts: M + 61_000 }]),
      record(2, 'a', [{ metric: 't', value: 5, ts: M + 3_000 }]),
    ]);
    expect(groups.map((g) => [g.sensorId, g.minute, g.contributions.map((c) => [c.origin.index, c.origin.sequenceNumber, c.readings.map((r) => r.value)])])).toEqual([
      ['a#t', M, [[0, '100', [1, 2]], [2, '102', [5]]]],
      ['a#p', M, [[0, '100', [3]]]],
      ['a#t', M + 60_000, [[1, '101', [4]]]],
    ]);
  });
});
