import type { S3Client } from '@aws-sdk/client-s3';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { CircuitBreaker } from '../../../functions/shared/CircuitBreaker';
import { TransientDependencyError } from '../../../functions/shared/errors';
import { quarantineKey } from '../../../functions/shared/quarantineKey';
import { QuarantineWriter } from '../../../functions/shared/QuarantineWriter';
import { deadlineWith, sdkError } from '../../helpers/fakes';
import { kinesisOrigin, STREAM_ARN } from '../../helpers/records';

const origin = kinesisOrigin({ index: 3, shardId: 'shardId-000000000001', sequenceNumber: '4960', arrivedAt: Date.UTC(2025, 0, 2, 3, 4, 5) });

describe('quarantineKey', () => {
  it('files the record by function, arrival hour (UTC), shard and sequence number', () => {
    expect(quarantineKey('processor', { origin })).toBe('quarantine/processor/2025/01/02/03/shardId-000000000001/4960.json');
  });

  it('appends a sanitised part for several objects of one record', () => {
    expect(quarantineKey('storer', { origin, part: 'overflow-pump-07#rpm-1' })).toBe('quarantine/storer/2025/01/02/03/shardId-000000000001/4960-overflow-pump-07_rpm-1.json');
  });
});

describe('QuarantineWriter', () => {
  function writerWith(send: jest.Mock, now = (): number => Date.UTC(2025, 0, 2, 3, 5, 0)): QuarantineWriter {
    return new QuarantineWriter({
      s3: { send } as unknown as S3Client,
      bucket: 'archive',
      functionName: 'storer',
      breaker: new CircuitBreaker('s3'),
      policy: { maxAttempts: 2, baseDelayMs: 0, maxDelayMs: 0, attemptTimeoutMs: 1_000 },
      now,
    });
  }

  it('puts the reason, the origin and the raw data as JSON', async () => {
    const send = jest.fn().mockResolvedValue({});
    const key = await writerWith(send).write({ origin, reason: 'INVALID_JSON', detail: 'record is not JSON: x', data: Buffer.from('{x').toString('base64') }, deadlineWith());
    expect(key).toBe('quarantine/storer/2025/01/02/03/shardId-000000000001/4960.json');
    const command = send.mock.calls[0]?.[0] as PutObjectCommand;
    expect(command).toBeInstanceOf(PutObjectCommand);
    expect(command.input.Bucket).toBe('archive');
    expect(JSON.parse(String(command.input.Body))).toEqual({
      reason: 'INVALID_JSON',
      detail: 'record is not JSON: x',
      function: 'storer',
      streamArn: STREAM_ARN,
      shardId: 'shardId-000000000001',
      sequenceNumber: '4960',
      partitionKey: 'pump-07',
      arrivedAt: '2025-01-02T03:04:05.000Z',
      quarantinedAt: '2025-01-02T03:05:00.000Z',
      data: 'e3g=',
      dataText: '{x',
    });
  });

  it('files a record quarantined in a later hour and day under its arrival hour, so a redelivery overwrites its own object', async () => {
    // Arrived 03:04:05 on 2 Jan, written (say, redelivered) at 00:10 on 3 Jan: the key must not move.
    const send = jest.fn().mockResolvedValue({});
    const key = await writerWith(send, () => Date.UTC(2025, 0, 3, 0, 10, 0)).write({ origin, reason: 'INVALID_JSON', detail: 'd', data: '' }, deadlineWith());
    expect(key).toBe('quarantine/storer/2025/01/02/03/shardId-000000000001/4960.json');
    const command = send.mock.calls[0]?.[0] as PutObjectCommand;
    expect(command.input.Key).toBe(key);
    expect(JSON.parse(String(command.input.Body))).toMatchObject({ arrivedAt: '2025-01-02T03:04:05.000Z', quarantinedAt: '2025-01-03T00:10:00.000Z' });
  });

  it('retries S3 throttling and then reports a transient failure', async () => {
    const send = jest.fn().mockRejectedValue(sdkError('SlowDown', 503));
    await expect(writerWith(send).write({ origin, reason: 'INVALID_JSON', detail: 'd', data: '' }, deadlineWith())).rejects.toBeInstanceOf(TransientDependencyError);
    expect(send).toHaveBeenCalledTimes(2);
  });
});
