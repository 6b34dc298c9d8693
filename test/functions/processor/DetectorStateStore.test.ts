import { BatchGetCommand, BatchWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DETECTOR_STATE_TTL_DAYS } from '../../../functions/processor/constants';
import { decodeCheckpoint } from '../../../functions/processor/decodeCheckpoint';
import { DetectorStateStore } from '../../../functions/processor/DetectorStateStore';
import { encodeCheckpoint } from '../../../functions/processor/encodeCheckpoint';
import { LIMITS } from '../../../functions/shared/constants';
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

  it('claims a shard lease that expires 7 days (docs/functions.md) after the claim, and returns the lease it replaced', async () => {
    // claimShard reads the wall clock itself (no clock option), so the test fixes Date.now; 999 ms checks the flooring.
    const claimedAt = Date.UTC(2025, 10, 29, 12, 0, 30, 999);
    const clock = jest.spyOn(Date, 'now').mockReturnValue(claimedAt);
    try {
      const send = jest.fn().mockResolvedValue({ Attributes: { assetId: '#lease/shardId-000000000003', owner: 'c-1', lastSequenceNumber: '41' } });
      const previous = await store(send).claimShard({ shardId: 'shardId-000000000003', owner: 'c-2', lastSequenceNumber: '42' }, deadlineWith());
      expect(previous).toEqual({ owner: 'c-1', lastSequenceNumber: '41' });
      const command = send.mock.calls[0]?.[0] as UpdateCommand;
      expect(command).toBeInstanceOf(UpdateCommand);
      expect(command.input.Key).toEqual({ assetId: '#lease/shardId-000000000003' });
      expect(command.input.ExpressionAttributeValues).toEqual({
        ':owner': 'c-2',
        ':sequence': '42',
        ':claimedAt': claimedAt,
        ':expiresAt': Date.UTC(2025, 11, 6, 12, 0, 30) / 1000,
      });
    } finally {
      clock.mockRestore();
    }
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

  it('loads the chunks of a cold start in parallel, and fails the load when one chunk fails', async () => {
    let inFlight = 0;
    let most = 0;
    const send = jest.fn().mockImplementation(async (command: BatchGetCommand) => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight -= 1;
      const keys = command.input.RequestItems?.states?.Keys ?? [];
      return { Responses: { states: keys.map((key) => ({ ...key, state: '{}', lastTs: 1, savedAt: 2 })) } };
    });
    const ids = Array.from({ length: 250 }, (_, i) => `a${i}`);
    const found = await store(send).load(ids, deadlineWith());
    expect(found.size).toBe(250);
    expect(send.mock.calls.map((call) => (call[0] as BatchGetCommand).input.RequestItems?.states?.Keys?.length)).toEqual([100, 100, 50]);
    expect(most).toBe(3);
    const failing = jest.fn().mockResolvedValueOnce({ Responses: { states: [] } }).mockRejectedValue(Object.assign(new Error('validation'), { name: 'ValidationException' }));
    await expect(store(failing).load(ids, deadlineWith())).rejects.toThrow('validation');
  });

  it('decodes a checkpoint and rejects an item it did not write', () => {
    expect(decodeCheckpoint({ assetId: 'a', state: JSON.stringify(state), lastTs: 3, savedAt: 4 })).toEqual({ assetId: 'a', state, lastTs: 3, savedAt: 4 });
    expect(() => decodeCheckpoint({ assetId: 'a' })).toThrow('detector checkpoint of a lacks assetId, state, lastTs or savedAt');
  });

  it('keeps what the status table holds in the checkpoint item and reads it back, with at most LIMITS.maxListedMetricsPerAsset metrics', () => {
    const status = { thingName: 'gw-01', value: 'ANOMALY' as const, writtenAt: 7, metrics: ['temperature', 'pressure'] };
    const item = encodeCheckpoint({ ...checkpoint('a'), status });
    expect(item).toEqual({ assetId: 'a', state: JSON.stringify(state), lastTs: 10, savedAt: 86_400_000, statusThing: 'gw-01', statusValue: 'ANOMALY', statusWrittenAt: 7, statusMetrics: ['pressure', 'temperature'] });
    expect(decodeCheckpoint(item)).toEqual({ ...checkpoint('a'), status: { ...status, metrics: ['pressure', 'temperature'] } });

    const many = Array.from({ length: LIMITS.maxListedMetricsPerAsset + 10 }, (_, i) => `m${String(i).padStart(5, '0')}`);
    expect(encodeCheckpoint({ ...checkpoint('a'), status: { thingName: 'gw-01', metrics: many } }).statusMetrics).toEqual(many.slice(0, LIMITS.maxListedMetricsPerAsset));
  });

  it('reads a status part it cannot trust as unknown, so the processor writes again', () => {
    const base = { assetId: 'a', state: JSON.stringify(state), lastTs: 3, savedAt: 4 };
    expect(decodeCheckpoint({ ...base, statusValue: 'OFFLINE', statusWrittenAt: 1 })).toEqual({ ...base, state });
    expect(decodeCheckpoint({ ...base, statusValue: 'OK' })).toEqual({ ...base, state });
    expect(decodeCheckpoint({ ...base, statusThing: 7, statusMetrics: [1], statusValue: 'OK', statusWrittenAt: 1 })).toEqual({ ...base, state, status: { value: 'OK', writtenAt: 1 } });
  });

  it('fits the checkpoint of the widest asset the contract allows in one DynamoDB item (400 KB), with room to spare', () => {
    // 500 readings of 64-character metric names per sample; the state peaks once the warm-up's calibration runs.
    const names = Array.from({ length: 500 }, (_, m) => `${String(m).padStart(3, '0')}_`.padEnd(64, 'm'));
    const detector = new AssetDetector({});
    let largest = detector.toState();
    for (let t = 0; t < 80; t += 1) {
      detector.observe({ ts: t * 1000, values: Object.fromEntries(names.map((name, m) => [name, { value: Math.sin(t * 0.7 + m) * 1e-3 + m, quality: 'GOOD' as const }])) });
      const current = detector.toState();
      if (JSON.stringify(current).length > JSON.stringify(largest).length) largest = current;
    }
    const item = encodeCheckpoint({
      assetId: 'a'.repeat(64),
      state: largest,
      lastTs: 1_764_417_600_000,
      lastTsMetrics: names,
      savedAt: 1_764_417_600_000,
      status: { thingName: 't'.repeat(128), value: 'ANOMALY', writtenAt: 1_764_417_600_000, metrics: names },
    });
    // JSON overstates DynamoDB's item size (quotes, commas, brackets), so this is an upper bound.
    expect(Buffer.byteLength(JSON.stringify(item))).toBeLessThan(200 * 1024);
  });

  it('keeps the metrics judged at the last instant when the item has them', () => {
    const item = { assetId: 'a', state: JSON.stringify(state), lastTs: 3, lastTsMetrics: ['pressure', 'temperature'], savedAt: 4 };
    expect(decodeCheckpoint(item)).toEqual({ assetId: 'a', state, lastTs: 3, lastTsMetrics: ['pressure', 'temperature'], savedAt: 4 });
  });
});
