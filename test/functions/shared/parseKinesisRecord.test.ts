import { parseKinesisRecord, recordOrigin } from '../../../functions/shared/parseKinesisRecord';
import { kinesisRecord, NOW, presence, STREAM_ARN, telemetry } from '../../helpers/records';

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

  it('returns invalid records with reason, detail and the raw data instead of throwing', () => {
    const record = kinesisRecord('{"schemaVersion":1', position);
    const parsed = parseKinesisRecord(record, 2, NOW);
    expect(parsed).toMatchObject({ kind: 'invalid', reason: 'INVALID_JSON', data: record.kinesis.data });
    expect(parsed.kind === 'invalid' && parsed.detail.startsWith('record is not JSON: ')).toBe(true);
  });

  it.each([
    [presence({ eventType: 'subscribed' }), 'INVALID_PRESENCE', 'presence eventType must be connected or disconnected, got "subscribed"'],
    [presence({ clientId: 'a b' }), 'INVALID_PRESENCE', 'presence clientId must match ^[A-Za-z0-9_.:-]{1,128}$, got "a b"'],
    [presence({ thingName: 'gw-09' }), 'THING_MISMATCH', 'presence clientId "gw-01" is not the thing "gw-09" of the topic'],
    [presence({ timestamp: NOW + 3_600_000 }), 'TIMESTAMP_OUT_OF_RANGE', `presence timestamp ${NOW + 3_600_000} is outside [now - 7 d, now + 5 min] (now ${NOW})`],
  ])('quarantines a bad presence event (%#)', (payload, reason, detail) => {
    expect(parseKinesisRecord(kinesisRecord(payload), 0, NOW)).toMatchObject({ kind: 'invalid', reason, detail });
  });
});
