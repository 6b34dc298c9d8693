import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { StatusStore } from '../../functions/processor/StatusStore';
import { thingStatusKey } from '../../functions/processor/thingStatusKey';
import { CircuitBreaker } from '../../functions/shared/CircuitBreaker';
import type { PresenceEvent } from '../../functions/shared/types';
import { applyPresenceModel, type ThingItem } from '../functions/processor/fakePorts';
import { createTables, startDynalite, testDynamoClient, type Emulator } from '../helpers/emulators';
import { deadlineWith } from '../helpers/fakes';
import { NOW, presenceEvent } from '../helpers/records';

/**
 * StatusStore's presence conditions, as DynamoDB (dynalite) evaluates them, against the model the
 * processor's tests take as the reference (fakePorts' applyPresenceModel): sessions, connection
 * versions, DUPLICATE_CLIENTID, a disconnect written in its session's connect's stead, and events
 * without sessionIdentifier (the item then holds NULL, as items written before sessions counted).
 */
const TABLE = 'status-presence';
const T0 = NOW - 60_000;

let dynalite: Emulator;
let client: DynamoDBClient;
let doc: DynamoDBDocumentClient;
let store: StatusStore;
let things = 0;

beforeAll(async () => {
  dynalite = await startDynalite();
  client = testDynamoClient(dynalite.endpoint);
  doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  await createTables(client, { assetStatus: TABLE });
  store = new StatusStore({ doc, tableName: TABLE, breaker: new CircuitBreaker('dynamodb'), now: () => NOW });
});

afterAll(async () => {
  client.destroy();
  await dynalite.stop();
});

async function item(assetId: string): Promise<Record<string, unknown>> {
  return (await doc.send(new GetCommand({ TableName: TABLE, Key: { assetId }, ConsistentRead: true }))).Item ?? {};
}

const arbEvent = fc.record({
  disconnect: fc.boolean(),
  at: fc.integer({ min: 0, max: 5 }),
  session: fc.option(fc.constantFrom('A', 'B', 'C'), { nil: undefined }),
  version: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
  superseded: fc.boolean(),
  connectedAt: fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }),
});

describe('StatusStore presence conditions in DynamoDB (dynalite)', () => {
  it('apply, ignore and record events exactly as the model does, and mark or clear the thing\'s asset with them', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(arbEvent, { minLength: 1, maxLength: 8 }), async (generated) => {
        things += 1;
        const thingName = `gw-${things}`;
        const assetId = `asset-${things}`;
        await store.registerThingAsset({ assetId, plantId: 'p', lineId: 'l', thingName }, deadlineWith());
        await store.writeAssetStatus({ assetId, plantId: 'p', lineId: 'l', thingName, status: 'OK', lastSeen: T0 - 1_000, lastReadingTs: T0 - 1_000, updatedAt: NOW }, deadlineWith());
        const model = new Map<string, ThingItem>();
        for (const e of generated) {
          const disconnectReason = e.disconnect ? (e.superseded ? 'DUPLICATE_CLIENTID' : 'CONNECTION_LOST') : undefined;
          const { sessionIdentifier: _default, disconnectReason: _reason, ...base } = presenceEvent({ thingName, clientId: thingName, eventType: e.disconnect ? 'disconnected' : 'connected', timestamp: T0 + e.at * 1_000 });
          const event: PresenceEvent = {
            ...base,
            ...(e.session === undefined ? {} : { sessionIdentifier: e.session }),
            ...(e.version === undefined ? {} : { versionNumber: e.version }),
            ...(disconnectReason === undefined ? {} : { disconnectReason }),
            ...(e.disconnect && e.connectedAt !== undefined && e.connectedAt <= e.at ? { sessionConnectedAt: T0 + e.connectedAt * 1_000 } : {}),
          };
          const want = applyPresenceModel(model, event);
          const got = await store.applyPresence(event, deadlineWith());
          expect({ applied: got.applied, ignored: got.ignored }).toEqual({ applied: want.applied, ignored: want.ignored });
        }
        const wantThing = model.get(thingName) as ThingItem;
        const thing = await item(thingStatusKey(thingName));
        expect({ lastPresenceAt: thing.lastPresenceAt, eventType: thing.lastEventType, sessionIdentifier: thing.sessionIdentifier ?? undefined, versionNumber: thing.versionNumber ?? undefined }).toEqual({
          lastPresenceAt: wantThing?.lastPresenceAt,
          eventType: wantThing?.eventType,
          sessionIdentifier: wantThing?.sessionIdentifier,
          versionNumber: wantThing?.versionNumber,
        });
        const asset = await item(assetId);
        const marked = wantThing?.eventType === 'disconnected';
        expect({ status: asset.status, offlineAt: asset.offlineAt }).toEqual({ status: marked ? 'OFFLINE' : 'OK', offlineAt: marked ? wantThing.offlineAt : undefined });
      }),
      { numRuns: 60 },
    );
  });
});
