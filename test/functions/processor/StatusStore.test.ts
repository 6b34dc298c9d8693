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
    expect(thing?.ConditionExpression).toBe(
      '(attribute_not_exists(#lastPresenceAt) OR #lastPresenceAt <= :lastPresenceAt) AND (attribute_not_exists(#lastEventType) OR #lastEventType <> :connected OR NOT attribute_type(#sessionIdentifier, :string) OR #sessionIdentifier = :sessionIdentifier)',
    );
    expect(thing?.ExpressionAttributeValues).toMatchObject({ ':connected': 'connected', ':string': 'S', ':sessionIdentifier': '00000000-0000-0000-0000-000000000000', ':versionNumber': null });
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
    expect(await store(send).applyPresence(presence({ eventType: 'connected' }), deadlineWith())).toEqual({ applied: false, offline: [], restored: [] });
    expect(send).toHaveBeenCalledTimes(1);
    // A disconnect with a session may instead be of another session: the write that records it fails too.
    expect(await store(send).applyPresence(presence(), deadlineWith())).toEqual({ applied: false, offline: [], restored: [] });
    expect(send).toHaveBeenCalledTimes(3);
  });

  it('applies a disconnect only to its session, or a newer connection, or where the batch\'s connect of its session would have applied', async () => {
    const send = jest.fn().mockResolvedValue({ Attributes: {} });
    await store(send).applyPresence(presence({ timestamp: 200, sessionIdentifier: 'b', versionNumber: 7, sessionConnectedAt: 150 }), deadlineWith());
    const [thing] = inputs(send);
    expect(thing?.ConditionExpression).toBe(
      '(attribute_not_exists(#lastPresenceAt) OR #lastPresenceAt <= :lastPresenceAt) AND (attribute_not_exists(#lastEventType) OR #lastEventType <> :connected OR NOT attribute_type(#sessionIdentifier, :string) OR #sessionIdentifier = :sessionIdentifier OR #versionNumber < :versionNumber OR #lastPresenceAt <= :sessionConnectedAt)',
    );
    expect(thing?.ExpressionAttributeValues).toMatchObject({ ':sessionIdentifier': 'b', ':versionNumber': 7, ':sessionConnectedAt': 150 });
  });

  it('records a disconnect of another session on the thing item, without moving its lastPresenceAt, and marks nothing', async () => {
    const send = jest.fn().mockRejectedValueOnce(conditionFailed()).mockResolvedValueOnce({});
    expect(await store(send).applyPresence(presence({ timestamp: 200, sessionIdentifier: 'a', versionNumber: 1 }), deadlineWith())).toEqual({
      applied: false,
      offline: [],
      restored: [],
      ignored: 'otherSession',
    });
    const [, record] = inputs(send);
    expect(record?.Key).toEqual({ assetId: 'thing#gw-01' });
    expect(record?.UpdateExpression).toBe('SET #ignoredDisconnectAt = :ignoredDisconnectAt, #ignoredSessionIdentifier = :ignoredSessionIdentifier, #ignoredDisconnectReason = :ignoredDisconnectReason');
    expect(record?.ConditionExpression).toBe(
      '(attribute_not_exists(#lastPresenceAt) OR #lastPresenceAt <= :lastPresenceAt) AND NOT (attribute_not_exists(#lastEventType) OR #lastEventType <> :connected OR NOT attribute_type(#sessionIdentifier, :string) OR #sessionIdentifier = :sessionIdentifier OR #versionNumber < :versionNumber)',
    );
    expect(record?.ExpressionAttributeValues).toEqual({
      ':lastPresenceAt': 200,
      ':connected': 'connected',
      ':string': 'S',
      ':sessionIdentifier': 'a',
      ':versionNumber': 1,
      ':ignoredDisconnectAt': 200,
      ':ignoredSessionIdentifier': 'a',
      ':ignoredDisconnectReason': 'CONNECTION_LOST',
    });
    expect(send).toHaveBeenCalledTimes(2);
  });

  it('sends nothing for a DUPLICATE_CLIENTID disconnect: the thing is connected through the connection that took its client id', async () => {
    const send = jest.fn();
    expect(await store(send).applyPresence(presence({ disconnectReason: 'DUPLICATE_CLIENTID' }), deadlineWith())).toEqual({ applied: false, offline: [], restored: [], ignored: 'duplicateClientId' });
    expect(send).not.toHaveBeenCalled();
  });

  it('applies a disconnect without sessionIdentifier by its timestamp alone, as before sessions counted', async () => {
    const send = jest.fn().mockResolvedValue({ Attributes: {} });
    const { sessionIdentifier: _session, ...event } = presence({ timestamp: 200 });
    await store(send).applyPresence(event, deadlineWith());
    expect(inputs(send)[0]?.ConditionExpression).toBe('attribute_not_exists(#lastPresenceAt) OR #lastPresenceAt <= :lastPresenceAt');
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
