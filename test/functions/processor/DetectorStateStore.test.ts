import { BatchGetCommand, BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { decodeCheckpoint, DETECTOR_STATE_TTL_DAYS, DetectorStateStore } from '../../../functions/processor/DetectorStateStore';
import type { DetectorCheckpoint } from '../../../functions/processor/types';
import { AssetDetector } from '../../../functions/shared/detector';
import { CircuitBreaker } from '../../../functions/shared/CircuitBreaker';
import { deadlineWith } from '../../helpers/fakes';

const state = new AssetDetector({}).toState();
const checkpoint = (assetId: string): DetectorCheckpoint => ({ assetId, state, lastTs: 10, savedAt: 86_400_000 });

function store(send: jest.Mock): DetectorStateStore {
  return new DetectorStateStore({
    doc: { send } as unknown as DynamoDBDocumentClient,
    tableName: 'states',
    breaker: new CircuitBreaker('dynamodb'),
    policy: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1, attemptTimeoutMs: 1_000 },
    sleep: async () => undefined,
  });
}

describe('DetectorStateStore', () => {
  it('writes checkpoints in batches of 25 with a TTL, retrying unprocessed items', async () => {
    const send = jest.fn().mockImplementation(async (command: BatchWriteCommand) => {
      const items = command.input.RequestItems?.states ?? [];
      // The first call of each chunk leaves its last item unprocessed.
      return items.length > 1 ? { UnprocessedItems: { states: items.slice(-1) } } : {};
    });
    const checkpoints = Array.from({ length: 30 }, (_, i) => checkpoint(`a${i}`));
    expect(await store(send).save(checkpoints, deadlineWith())).toEqual({ failed: new Set() });
    const sizes = send.mock.calls.map((call) => ((call[0] as BatchWriteCommand).input.RequestItems?.states ?? []).length);
    expect(sizes.sort((a, b) => a - b)).toEqual([1, 1, 5, 25]);
    const item = (send.mock.calls[0]?.[0] as BatchWriteCommand).input.RequestItems?.states?.[0]?.PutRequest?.Item;
    expect(item).toEqual({ assetId: 'a0', state: JSON.stringify(state), lastTs: 10, savedAt: 86_400_000, expiresAt: 86_400 + DETECTOR_STATE_TTL_DAYS * 86_400 });
  });

  it('names the assets whose items stayed unprocessed', async () => {
    const send = jest.fn().mockImplementation(async (command: BatchWriteCommand) => ({ UnprocessedItems: { states: command.input.RequestItems?.states?.slice(0, 1) } }));
    const result = await store(send).save([checkpoint('a'), checkpoint('b')], deadlineWith());
    expect(result.failed).toEqual(new Set(['a']));
    expect(String(result.error)).toBe('TransientDependencyError: 1 detector checkpoint(s) stayed unprocessed after 3 round(s)');
  });

  it('loads with consistent reads and retries unprocessed keys', async () => {
    const send = jest
      .fn()
      .mockResolvedValueOnce({ Responses: { states: [{ assetId: 'a', state: '{}', lastTs: 1, savedAt: 2 }] }, UnprocessedKeys: { states: { Keys: [{ assetId: 'b' }] } } })
      .mockResolvedValueOnce({ Responses: { states: [] } });
    const found = await store(send).load(['a', 'b'], deadlineWith());
    expect([...found.keys()]).toEqual(['a']);
    expect((send.mock.calls[0]?.[0] as BatchGetCommand).input.RequestItems?.states).toEqual({ Keys: [{ assetId: 'a' }, { assetId: 'b' }], ConsistentRead: true });
    expect((send.mock.calls[1]?.[0] as BatchGetCommand).input.RequestItems?.states?.Keys).toEqual([{ assetId: 'b' }]);
  });

  it('decodes a checkpoint and rejects an item it did not write', () => {
    expect(decodeCheckpoint({ assetId: 'a', state: JSON.stringify(state), lastTs: 3, savedAt: 4 })).toEqual({ assetId: 'a', state, lastTs: 3, savedAt: 4 });
    expect(() => decodeCheckpoint({ assetId: 'a' })).toThrow('detector checkpoint of a lacks assetId, state, lastTs or savedAt');
  });

  it('keeps the metrics judged at the last instant when the item has them', () => {
    const item = { assetId: 'a', state: JSON.stringify(state), lastTs: 3, lastTsMetrics: ['pressure', 'temperature'], savedAt: 4 };
    expect(decodeCheckpoint(item)).toEqual({ assetId: 'a', state, lastTs: 3, lastTsMetrics: ['pressure', 'temperature'], savedAt: 4 });
  });
});
