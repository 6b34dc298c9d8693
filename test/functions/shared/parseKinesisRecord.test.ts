import { parseKinesisRecord } from '../../../functions/shared/parseKinesisRecord';
import { recordOrigin } from '../../../functions/shared/recordOrigin';
import { deviceReading, kinesisOrigin, kinesisRecord, NOW, presence, STREAM_ARN, telemetry, telemetryMessage } from '../../helpers/records';

describe('parseKinesisRecord', () => {
  const position = { sequenceNumber: '4959', shardId: 'shardId-000000000003', partitionKey: 'pump-07', arrivedAt: NOW - 200 };

  it('reads the origin from the event record', () => {
    expect(recordOrigin(kinesisRecord(telemetry(), position), 4)).toEqual({
      index: 4,
      shardId: 'shardId-000000000003',
      sequenceNumber: '4959',
      partitionKey: 'pump-07',
      arrivedAt: NOW - 200,
      streamArn: STREAM_ARN,
    });
  });

  it('parses telemetry', () => {
    const parsed = parseKinesisRecord(kinesisRecord(telemetry(), position), 0, NOW);
    expect(parsed.kind).toBe('telemetry');
  });

  it('reads a record of the default factories as the typed factories of its origin and message build them', () => {
    expect(parseKinesisRecord(kinesisRecord(telemetry()), 0, NOW)).toEqual({ kind: 'telemetry', origin: kinesisOrigin(), message: telemetryMessage() });
  });

  it('parses presence events by their recordType', () => {
    const parsed = parseKinesisRecord(kinesisRecord(presence(), position), 0, NOW);
    expect(parsed).toEqual({
      kind: 'presence',
      origin: expect.objectContaining({ sequenceNumber: '4959' }) as unknown,
      event: {
        recordType: 'presence',
        eventType: 'disconnected',
        clientId: 'gw-01',
        thingName: 'gw-01',
        timestamp: NOW,
        sessionIdentifier: '00000000-0000-0000-0000-000000000000',
        principalIdentifier: 'principal',
        disconnectReason: 'CONNECTION_LOST',
        versionNumber: 1,
      },
    });
  });

  it('does not take a device payload claiming to be a presence event for one: the telemetry rule adds plantId', () => {
    const forged = { ...telemetry(), readings: undefined, recordType: 'presence', eventType: 'disconnected', clientId: 'gw-01', timestamp: NOW };
    expect(parseKinesisRecord(kinesisRecord(forged, position), 0, NOW)).toMatchObject({ kind: 'invalid', reason: 'NO_READINGS' });
  });

  it('returns invalid records with reason, detail and the raw data instead of throwing', () => {
    const record = kinesisRecord('{"schemaVersion":1', position);
    const parsed = parseKinesisRecord(record, 2, NOW);
    expect(parsed).toMatchObject({ kind: 'invalid', reason: 'INVALID_JSON', data: record.kinesis.data });
    expect(parsed.kind === 'invalid' && parsed.detail.startsWith('record is not JSON: ')).toBe(true);
  });

  // JSON.parse accepts nesting that JSON.stringify overflows the stack on: the message shows the type instead.
  const nested = (depth: number): string => `${'['.repeat(depth)}${']'.repeat(depth)}`;
  it.each([
    ['schemaVersion', `{"schemaVersion":${nested(30_000)}}`, 'UNSUPPORTED_SCHEMA_VERSION', 'schemaVersion must be 1, got [nested too deeply to show]'],
    [
      'a reading',
      JSON.stringify(telemetry()).replace(/"readings":\[/, `"readings":[${nested(30_000)},`),
      'INVALID_READING',
      'readings[0] must be an object, got [nested too deeply to show]',
    ],
  ])('quarantines a record with a field nested too deeply to describe (%s) instead of throwing', (_field, data, reason, detail) => {
    expect(parseKinesisRecord(kinesisRecord(data, position), 0, NOW)).toMatchObject({ kind: 'invalid', reason, detail });
  });

  it('judges timestamps against the arrival, so a late retry or redrive keeps the first verdict', () => {
    const arrivedAt = NOW - 2 * 86_400_000;
    const sixDaysBeforeArrival = telemetry({ readings: [deviceReading({ ts: arrivedAt - 6 * 86_400_000 })] });
    expect(parseKinesisRecord(kinesisRecord(sixDaysBeforeArrival, { arrivedAt }), 0, NOW).kind).toBe('telemetry');
    const aheadOfArrival = telemetry({ readings: [deviceReading({ ts: arrivedAt + 360_000 })] });
    expect(parseKinesisRecord(kinesisRecord(aheadOfArrival, { arrivedAt }), 0, NOW)).toMatchObject({
      kind: 'invalid',
      reason: 'TIMESTAMP_OUT_OF_RANGE',
      detail: `readings[0].ts ${arrivedAt + 360_000} is outside [arrival - 7 d, arrival + 5 min] (arrival ${arrivedAt})`,
    });
  });

  it('judges against the processing time when the arrival is unknown', () => {
    const record = kinesisRecord(telemetry(), { arrivedAt: 0 });
    expect(parseKinesisRecord(record, 0, NOW).kind).toBe('telemetry');
  });

  it.each([
    [presence({ eventType: 'subscribed' }), 'INVALID_PRESENCE', 'presence eventType must be connected or disconnected, got "subscribed"'],
    [presence({ clientId: 'a b' }), 'INVALID_PRESENCE', 'presence clientId must match ^[A-Za-z0-9_.:-]{1,128}$, got "a b"'],
    [presence({ thingName: 'gw-09' }), 'THING_MISMATCH', 'presence clientId "gw-01" is not the thing "gw-09" of the topic'],
    [presence({ timestamp: NOW + 3_600_000 }), 'TIMESTAMP_OUT_OF_RANGE', `presence timestamp ${NOW + 3_600_000} is outside [arrival - 7 d, arrival + 5 min] (arrival ${NOW})`],
  ])('quarantines a bad presence event (%#)', (payload, reason, detail) => {
    expect(parseKinesisRecord(kinesisRecord(payload), 0, NOW)).toMatchObject({ kind: 'invalid', reason, detail });
  });
});
