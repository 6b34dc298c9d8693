import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { StatusStore } from '../../../functions/processor/StatusStore';
import { thingStatusKey } from '../../../functions/processor/thingStatusKey';
import { updateExpression } from '../../../functions/processor/updateExpression';
import { CircuitBreaker } from '../../../functions/shared/CircuitBreaker';
import { deadlineWith } from '../../helpers/fakes';
import { presenceEvent as presence } from '../../helpers/records';

const conditionFailed = (): ConditionalCheckFailedException => new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

function store(send: jest.Mock): StatusStore {
  return new StatusStore({ doc: { send } as unknown as DynamoDBDocumentClient, tableName: 'status', breaker: new CircuitBreaker('dynamodb'), now: () => 5 });
}

const inputs = (send: jest.Mock): Array<UpdateCommand['input']> => send.mock.calls.map((call) => (call[0] as UpdateCommand).input);

describe('updateExpression', () => {
  it('aliases every name, so reserved words are safe', () => {
    expect(updateExpression({ status: 'OK', count: 1 }, ['offlineAt'], { ':x': 1 }, ['lastSeen'])).toEqual({
      UpdateExpression: 'SET #status = :status, #count = :count REMOVE #offlineAt',
      ExpressionAttributeNames: { '#status': 'status', '#count': 'count', '#offlineAt': 'offlineAt', '#lastSeen': 'lastSeen' },
      ExpressionAttributeValues: { ':x': 1, ':status': 'OK', ':count': 1 },
    });
  });
});

describe('StatusStore', () => {
  const update = { assetId: 'a', plantId: 'p', lineId: 'l', thingName: 'gw', status: 'OK' as const, lastSeen: 100, lastReadingTs: 90, updatedAt: 110 };

  it('writes an asset status with its line key, clearing OFFLINE only for readings after the disconnect', async () => {
    const send = jest.fn().mockResolvedValue({});
    expect(await store(send).writeAssetStatus({ ...update, score: 1.5 }, deadlineWith())).toBe('written');
    const [input] = inputs(send);
    expect(input?.Key).toEqual({ assetId: 'a' });
    expect(input?.UpdateExpression).toBe(
      'SET #status = :status, #lineKey = :lineKey, #plantId = :plantId, #lineId = :lineId, #thingName = :thingName, #lastSeen = :lastSeen, #lastReadingTs = :lastReadingTs, #updatedAt = :updatedAt, #score = :score REMOVE #offlineAt, #statusBeforeOffline, #threshold, #episodeId, #episodeStartedAt, #contributors',
    );
    expect(input?.ExpressionAttributeValues?.[':lineKey']).toBe('p#l');
    expect(input?.ConditionExpression).toBe('(attribute_not_exists(#offlineAt) OR #offlineAt < :lastSeen) AND (attribute_not_exists(#lastSeen) OR #lastSeen <= :lastSeen)');
  });

  it('answers superseded when the asset went OFFLINE after these readings', async () => {
    expect(await store(jest.fn().mockRejectedValue(conditionFailed())).writeAssetStatus(update, deadlineWith())).toBe('superseded');
  });

  it('adds the asset to its thing item', async () => {
    const send = jest.fn().mockResolvedValue({});
    await store(send).registerThingAsset(update, deadlineWith());
    const [input] = inputs(send);
    expect(input?.Key).toEqual({ assetId: thingStatusKey('gw') });
    expect(input?.UpdateExpression).toBe('SET #thingName = :thingName, #plantId = :plantId, #lineId = :lineId, #kind = :kind ADD #assets :asset');
    expect(input?.ExpressionAttributeValues?.[':asset']).toEqual(new Set(['a']));
  });

  it('marks the assets of a disconnected thing OFFLINE unless they sent something newer or report through another thing, keeping the status each mark replaces', async () => {
    const send = jest
      .fn()
      .mockResolvedValueOnce({ Attributes: { assets: new Set(['a', 'b']) } })
      .mockResolvedValueOnce({})
      .mockRejectedValueOnce(conditionFailed());
    expect(await store(send).applyPresence(presence({ timestamp: 200 }), deadlineWith())).toEqual({ applied: true, offline: ['a'], restored: [] });
    const [thing, a, b] = inputs(send);
    expect(thing?.Key).toEqual({ assetId: 'thing#gw-01' });
    expect(thing?.ExpressionAttributeValues).toMatchObject({ ':status': 'OFFLINE', ':lastPresenceAt': 200, ':disconnectReason': 'CONNECTION_LOST' });
    expect(thing?.ConditionExpression).toBe('attribute_not_exists(#lastPresenceAt) OR #lastPresenceAt <= :lastPresenceAt');
    expect(thing?.ReturnValues).toBe('ALL_NEW');
    expect([a?.Key, b?.Key]).toEqual([{ assetId: 'a' }, { assetId: 'b' }]);
    expect(a?.UpdateExpression).toBe('SET #statusBeforeOffline = if_not_exists(#statusBeforeOffline, #status), #status = :offline, #offlineAt = :offlineAt, #updatedAt = :updatedAt');
    expect(a?.ConditionExpression).toBe(
      '#thingName = :thingName AND (attribute_not_exists(#lastSeen) OR #lastSeen <= :offlineAt) AND (attribute_not_exists(#offlineAt) OR #offlineAt <= :offlineAt)',
    );
    expect(a?.ExpressionAttributeValues).toEqual({ ':offline': 'OFFLINE', ':offlineAt': 200, ':updatedAt': 5, ':thingName': 'gw-01' });
  });

  it('writes the OFFLINE marks of a disconnect side by side, at most 8 at once, and fails when one fails', async () => {
    const assets = Array.from({ length: 20 }, (_, i) => `a${i}`);
    let inFlight = 0;
    let most = 0;
    const send = jest.fn().mockImplementation(async (command: UpdateCommand) => {
      if (command.input.Key?.assetId === 'thing#gw-01') return { Attributes: { assets: new Set(assets) } };
      inFlight += 1;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight -= 1;
      return {};
    });
    expect(await store(send).applyPresence(presence({ timestamp: 200 }), deadlineWith())).toEqual({ applied: true, offline: assets, restored: [] });
    expect(send).toHaveBeenCalledTimes(21);
    expect(most).toBe(8);

    const failing = jest
      .fn()
      .mockResolvedValueOnce({ Attributes: { assets: new Set(['a', 'b']) } })
      .mockResolvedValueOnce({})
      .mockRejectedValue(Object.assign(new Error('bad request'), { name: 'ValidationException' }));
    await expect(store(failing).applyPresence(presence({ timestamp: 200 }), deadlineWith())).rejects.toThrow('bad request');
  });

  it('ignores an event older than the last one applied', async () => {
    const send = jest.fn().mockRejectedValue(conditionFailed());
    expect(await store(send).applyPresence(presence(), deadlineWith())).toEqual({ applied: false, offline: [], restored: [] });
    expect(send).toHaveBeenCalledTimes(1);
  });

  it('takes the OFFLINE marks of its thing\'s disconnects off on a connect, back to the status each replaced', async () => {
    const send = jest
      .fn()
      .mockResolvedValueOnce({ Attributes: { assets: new Set(['a', 'b']) } })
      .mockResolvedValueOnce({})
      .mockRejectedValueOnce(conditionFailed());
    expect(await store(send).applyPresence(presence({ eventType: 'connected', timestamp: 200 }), deadlineWith())).toEqual({ applied: true, offline: [], restored: ['a'] });
    const [thing, a, b] = inputs(send);
    expect(thing?.ExpressionAttributeValues).toMatchObject({ ':status': 'OK', ':lastPresenceAt': 200, ':lastEventType': 'connected' });
    expect([a?.Key, b?.Key]).toEqual([{ assetId: 'a' }, { assetId: 'b' }]);
    expect(a?.UpdateExpression).toBe('SET #status = #statusBeforeOffline, #updatedAt = :updatedAt REMOVE #offlineAt, #statusBeforeOffline');
    expect(a?.ConditionExpression).toBe('#status = :offline AND #offlineAt <= :connectedAt AND #thingName = :thingName AND #statusBeforeOffline IN (:ok, :anomaly)');
    expect(a?.ExpressionAttributeValues).toEqual({ ':offline': 'OFFLINE', ':ok': 'OK', ':anomaly': 'ANOMALY', ':connectedAt': 200, ':updatedAt': 5, ':thingName': 'gw-01' });
  });

  it('touches no asset on a connect of a thing that lists none', async () => {
    const send = jest.fn().mockResolvedValue({ Attributes: { lastEventType: 'connected' } });
    expect(await store(send).applyPresence(presence({ eventType: 'connected', timestamp: 200 }), deadlineWith())).toEqual({ applied: true, offline: [], restored: [] });
    expect(send).toHaveBeenCalledTimes(1);
  });

  it('fails a connect whose clearing fails otherwise than by its condition, so the redelivery clears again', async () => {
    const send = jest
      .fn()
      .mockResolvedValueOnce({ Attributes: { assets: new Set(['a']) } })
      .mockRejectedValue(Object.assign(new Error('bad request'), { name: 'ValidationException' }));
    await expect(store(send).applyPresence(presence({ eventType: 'connected', timestamp: 200 }), deadlineWith())).rejects.toThrow('bad request');
  });
});
