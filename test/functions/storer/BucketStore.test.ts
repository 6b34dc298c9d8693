import { ConditionalCheckFailedException, type DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { CircuitBreaker } from '../../../functions/shared/CircuitBreaker';
import { CorruptItemError } from '../../../functions/shared/errors';
import { BucketWriter } from '../../../functions/storer/BucketWriter';
import { BucketStore } from '../../../functions/storer/BucketStore';
import { encodeBucketItem } from '../../../functions/storer/encodeBucketItem';
import { mergeIntoBucket } from '../../../functions/storer/mergeIntoBucket';
import type { BucketItem } from '../../../functions/storer/types';
import { deadlineWith, MemoryQuarantine } from '../../helpers/fakes';

const M = Date.UTC(2025, 10, 29, 12, 0, 0);
const item = mergeIntoBucket(
  undefined,
  {
    sensorId: 'a#t',
    assetId: 'a',
    metric: 't',
    minute: M,
    contributions: [{ origin: { index: 0, shardId: 's', sequenceNumber: '1', partitionKey: 'a', arrivedAt: M }, readings: [{ metric: 't', value: 1, ts: M, quality: 'GOOD' }] }],
  },
  { nowMs: M, retentionDays: 1 },
).item as BucketItem;

function storeWith(send: jest.Mock): BucketStore {
  return new BucketStore({ dynamodb: { send } as unknown as DynamoDBClient, tableName: 'readings', breaker: new CircuitBreaker('dynamodb') });
}

describe('BucketStore', () => {
  it('creates a bucket only if it does not exist', async () => {
    const send = jest.fn().mockResolvedValue({});
    expect(await storeWith(send).put(item, undefined, deadlineWith())).toEqual({ written: true });
    const command = send.mock.calls[0]?.[0] as PutItemCommand;
    expect(command).toBeInstanceOf(PutItemCommand);
    expect(command.input).toMatchObject({ TableName: 'readings', ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': 'sensorId' } });
  });

  it('replaces a bucket only at the version it was read or cached at', async () => {
    const send = jest.fn().mockResolvedValue({});
    await storeWith(send).put(item, 4, deadlineWith());
    expect((send.mock.calls[0]?.[0] as PutItemCommand).input).toMatchObject({
      ConditionExpression: '#version = :version',
      ExpressionAttributeValues: { ':version': { N: '4' } },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
  });

  it('returns the current item from a failed condition', async () => {
    const failure = new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {}, Item: encodeBucketItem(item) });
    expect(await storeWith(jest.fn().mockRejectedValue(failure)).put(item, undefined, deadlineWith())).toEqual({ written: false, current: item, known: true });
    const bare = new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
    expect(await storeWith(jest.fn().mockRejectedValue(bare)).put(item, undefined, deadlineWith())).toEqual({ written: false, current: undefined, known: false });
  });

  it('refuses to merge onto an item whose lists it did not write, instead of writing a new reading with another value', async () => {
    // The stored item has one value too many. Merged as read, the sort by offset dropped the new reading's value and
    // gave its offset the stray one; the lists came out of equal length and the put went through: a silent loss.
    const stored = encodeBucketItem({ ...item, ts: [1_000], values: [1, 2], qualities: ['GOOD', 'GOOD'], count: 1 });
    const send = jest
      .fn()
      .mockRejectedValueOnce(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {}, Item: stored }))
      .mockResolvedValue({});
    const writer = new BucketWriter({ store: storeWith(send), quarantine: new MemoryQuarantine(), retentionDays: 1, now: () => M });
    const group = {
      sensorId: 'a#t',
      assetId: 'a',
      metric: 't',
      minute: M,
      contributions: [{ origin: { index: 0, shardId: 's', sequenceNumber: '2', partitionKey: 'a', arrivedAt: M }, readings: [{ metric: 't', value: 9, ts: M + 500, quality: 'GOOD' as const }] }],
    };
    await expect(writer.write(group, deadlineWith())).rejects.toThrow(new CorruptItemError('bucket item attribute values has 2 entries, ts has 1'));
    expect(send).toHaveBeenCalledTimes(1);
  });

  it('reads with strong consistency', async () => {
    const send = jest.fn().mockResolvedValue({ Item: encodeBucketItem(item) });
    expect(await storeWith(send).get('a#t', M, deadlineWith())).toEqual(item);
    expect((send.mock.calls[0]?.[0] as GetItemCommand).input).toEqual({ TableName: 'readings', Key: { sensorId: { S: 'a#t' }, minute: { N: String(M) } }, ConsistentRead: true });
  });
});
