import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DetectorStateStore } from '../../functions/processor/DetectorStateStore';
import { Processor, type ProcessorOutcome } from '../../functions/processor/Processor';
import { StatusStore } from '../../functions/processor/StatusStore';
import { CircuitBreaker } from '../../functions/shared/CircuitBreaker';
import { createTables, startDynalite, testDynamoClient, type Emulator } from '../helpers/emulators';
import { capturingMetrics, MemoryQuarantine, silentLogger } from '../helpers/fakes';
import { assetSecond, kinesisEvent, kinesisRecords, lambdaContext, NOW, presence } from '../helpers/records';
import { MemoryAlerts } from '../functions/processor/fakePorts';

/**
 * Presence and telemetry are partitioned by client id and by asset id, so a thing's connect and
 * disconnect and its assets' readings are usually handled by different containers. Two processor
 * containers share one assetStatus table in dynalite here: one holds the asset's shard, the other the
 * presence shard. The one holding the asset writes its status only when it changes or its heartbeat
 * (300 s, as in dev and prod) is due, and never learns of a mark the other one made.
 */
const ASSET_SHARD = 'shardId-000000000000';
const PRESENCE_SHARD = 'shardId-000000000001';
const HEARTBEAT_SECONDS = 300;
/** IoT Core time of the scenarios' first reading; presence timestamps are offsets from it too. */
const T0 = NOW - 60_000;

let dynalite: Emulator;
let client: DynamoDBClient;
let doc: DynamoDBDocumentClient;
let tableCount = 0;

beforeAll(async () => {
  dynalite = await startDynalite();
  client = testDynamoClient(dynalite.endpoint);
  doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
});

afterAll(async () => {
  client.destroy();
  await dynalite.stop();
});

/** A processor container: its own clients and breakers, the shared tables. */
interface Container {
  readonly processor: Processor;
  /** Keys of the assetStatus items it updated (thing items as `thing#<name>`), in order. */
  readonly updated: string[];
  /** Fails the next assetStatus update whose expression starts with this, once. */
  failNext: { expression: string; error: Error } | undefined;
}

describe('asset status across two processor containers (dynalite)', () => {
  let statusTable: string;
  let now: number;
  let sequence: bigint;
  let assetContainer: Container;
  let presenceContainer: Container;

  function container(): Container {
    const breaker = new CircuitBreaker('dynamodb');
    const made: Container = { processor: undefined as unknown as Processor, updated: [], failNext: undefined };
    const recording = {
      send: async (command: unknown, options?: { abortSignal?: AbortSignal }) => {
        if (command instanceof UpdateCommand && command.input.TableName === statusTable) {
          const failure = made.failNext;
          if (failure !== undefined && command.input.UpdateExpression?.startsWith(failure.expression) === true) {
            made.failNext = undefined;
            throw failure.error;
          }
          made.updated.push(String(command.input.Key?.assetId));
        }
        return doc.send(command as UpdateCommand, options);
      },
    } as unknown as DynamoDBDocumentClient;
    const processor = new Processor({
      settings: { warmupSamples: 10, cooldownSeconds: 60, limits: { temperature: { max: 100 } } },
      states: new DetectorStateStore({ doc, tableName: `state-${tableCount}`, breaker }),
      status: new StatusStore({ doc: recording, tableName: statusTable, breaker, now: () => now }),
      alerts: new MemoryAlerts(),
      quarantine: new MemoryQuarantine(),
      metrics: capturingMetrics().metrics,
      logger: silentLogger(),
      statusHeartbeatSeconds: HEARTBEAT_SECONDS,
      breakers: [breaker],
      now: () => now,
    });
    return Object.assign(made, { processor });
  }

  async function run(on: Container, payloads: readonly object[], shardId: string): Promise<ProcessorOutcome> {
    const records = kinesisRecords(payloads, sequence, shardId);
    sequence += BigInt(payloads.length);
    on.updated.length = 0;
    return on.processor.handle(kinesisEvent(records), lambdaContext(20_000));
  }

  /** The asset's readings received `seconds` after T0 (receivedAt 50 ms after each reading). */
  const readings = (assetId: string, seconds: readonly number[], thingName = 'gw-01', temperature = (s: number) => 70 + (s % 3)): object[] =>
    seconds.map((s) => assetSecond(assetId, T0 + s * 1_000, { temperature: temperature(s) }, thingName));
  const presenceAt = (thingName: string, eventType: 'connected' | 'disconnected', seconds: number, session: Partial<ReturnType<typeof presence>> = {}): object =>
    presence({ thingName, clientId: thingName, eventType, timestamp: T0 + seconds * 1_000, ...session });
  /** gw-01's MQTT session `name`, its connection `version` (IoT Core numbers a client id's connections upwards). */
  const session = (name: string, version: number, disconnectReason = 'CONNECTION_LOST'): Partial<ReturnType<typeof presence>> => ({ sessionIdentifier: `session-${name}`, versionNumber: version, disconnectReason });
  const connect = (name: string, version: number, seconds: number): object => presenceAt('gw-01', 'connected', seconds, session(name, version));
  const disconnect = (name: string, version: number, seconds: number, reason?: string): object => presenceAt('gw-01', 'disconnected', seconds, session(name, version, reason));
  /** gw-01's lifecycle event as firmware paths without sessionIdentifier send it. */
  const sessionless = (eventType: 'connected' | 'disconnected', seconds: number): object => {
    const { sessionIdentifier: _session, ...event } = presence({ thingName: 'gw-01', clientId: 'gw-01', eventType, timestamp: T0 + seconds * 1_000 });
    return event;
  };
  const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

  async function item(assetId: string): Promise<Record<string, unknown>> {
    return (await doc.send(new GetCommand({ TableName: statusTable, Key: { assetId }, ConsistentRead: true }))).Item ?? {};
  }

  /** The attributes the OFFLINE mark and its clearing touch (undefined: absent). */
  async function mark(assetId: string): Promise<Record<string, unknown>> {
    const { status, offlineAt, statusBeforeOffline, lastSeen, thingName } = await item(assetId);
    return { status, offlineAt, statusBeforeOffline, lastSeen, thingName };
  }

  beforeEach(async () => {
    tableCount += 1;
    statusTable = `status-${tableCount}`;
    await createTables(client, { assetStatus: statusTable, detectorState: `state-${tableCount}` });
    now = NOW;
    sequence = 1_000n;
    assetContainer = container();
    presenceContainer = container();
  });

  it('takes the OFFLINE mark of a short drop off at the thing\'s connect, while the container holding the asset writes nothing until its heartbeat', async () => {
    await run(assetContainer, readings('pump-07', [0, 1, 2]), ASSET_SHARD);
    expect(await mark('pump-07')).toEqual({ status: 'OK', offlineAt: undefined, statusBeforeOffline: undefined, lastSeen: T0 + 2_050, thingName: 'gw-01' });

    now += 10_000;
    await run(presenceContainer, [presenceAt('gw-01', 'disconnected', 10)], PRESENCE_SHARD);
    expect(presenceContainer.updated).toEqual(['thing#gw-01', 'pump-07']);
    expect(await mark('pump-07')).toEqual({ status: 'OFFLINE', offlineAt: T0 + 10_000, statusBeforeOffline: 'OK', lastSeen: T0 + 2_050, thingName: 'gw-01' });

    now += 5_000;
    await run(presenceContainer, [presenceAt('gw-01', 'connected', 15)], PRESENCE_SHARD);
    expect(presenceContainer.updated).toEqual(['thing#gw-01', 'pump-07']);
    expect(await mark('pump-07')).toEqual({ status: 'OK', offlineAt: undefined, statusBeforeOffline: undefined, lastSeen: T0 + 2_050, thingName: 'gw-01' });
    expect((await item('thing#gw-01')).status).toBe('OK');

    // The device reports again: its container has nothing due (the heartbeat counts from its write at T0 + 2 s).
    for (const at of [20, 60, 240]) {
      now = NOW + at * 1_000;
      const outcome = await run(assetContainer, readings('pump-07', [at, at + 1]), ASSET_SHARD);
      expect([outcome.judged, outcome.statusWrites]).toEqual([2, 0]);
      expect((await item('pump-07')).status).toBe('OK');
    }
  });

  it('marks a drop whose lifecycle timestamp is early (AWS: accurate to ±2 minutes) by the rules engine\'s clock, the clock of lastSeen', async () => {
    await run(assetContainer, readings('pump-07', [0, 1, 2]), ASSET_SHARD);
    expect((await item('pump-07')).lastSeen).toBe(T0 + 2_050);
    // The device drops at T0 + 10 s; IoT Core stamps the event 9 s early, before the last reading written.
    now += 10_000;
    await run(presenceContainer, [{ ...presenceAt('gw-01', 'disconnected', 1), receivedAt: T0 + 10_200 }], PRESENCE_SHARD);
    expect(await mark('pump-07')).toEqual({ status: 'OFFLINE', offlineAt: T0 + 10_200, statusBeforeOffline: 'OK', lastSeen: T0 + 2_050, thingName: 'gw-01' });
    now += 5_000;
    await run(presenceContainer, [{ ...presenceAt('gw-01', 'connected', 14), receivedAt: T0 + 15_100 }], PRESENCE_SHARD);
    expect(await mark('pump-07')).toEqual({ status: 'OK', offlineAt: undefined, statusBeforeOffline: undefined, lastSeen: T0 + 2_050, thingName: 'gw-01' });
  });

  it('takes off a mark a lagging presence shard made after newer readings were judged but not written, at the connect behind the disconnect', async () => {
    await run(assetContainer, readings('pump-07', [0, 1, 2]), ASSET_SHARD);
    now += 20_000;
    // The device dropped at T0 + 10 s and reconnected; its readings of T0 + 20 s are judged before the presence shard catches up.
    const judged = await run(assetContainer, readings('pump-07', [20, 21, 22]), ASSET_SHARD);
    expect(judged.statusWrites).toBe(0);

    now += 1_000;
    const outcome = await run(presenceContainer, [presenceAt('gw-01', 'disconnected', 10), presenceAt('gw-01', 'connected', 15)], PRESENCE_SHARD);
    expect(outcome.presence).toBe(2);
    // The disconnect marks against the item's lastSeen (T0 + 2 s); the connect right behind it takes the mark off.
    expect(presenceContainer.updated).toEqual(['thing#gw-01', 'pump-07', 'thing#gw-01', 'pump-07']);
    expect(await mark('pump-07')).toEqual({ status: 'OK', offlineAt: undefined, statusBeforeOffline: undefined, lastSeen: T0 + 2_050, thingName: 'gw-01' });
    expect(await item('thing#gw-01')).toMatchObject({ status: 'OK', lastEventType: 'connected', lastPresenceAt: T0 + 15_000 });
  });

  it('puts ANOMALY back, with its episode, when the thing reconnects during an open episode', async () => {
    await run(assetContainer, readings('pump-07', range(0, 12), 'gw-01', (s) => (s < 12 ? 70 + (s % 3) : 150)), ASSET_SHARD);
    const before = await item('pump-07');
    expect([before.status, typeof before.episodeId]).toEqual(['ANOMALY', 'string']);

    now += 20_000;
    await run(presenceContainer, [presenceAt('gw-01', 'disconnected', 20)], PRESENCE_SHARD);
    expect(await mark('pump-07')).toEqual({ status: 'OFFLINE', offlineAt: T0 + 20_000, statusBeforeOffline: 'ANOMALY', lastSeen: T0 + 12_050, thingName: 'gw-01' });
    now += 5_000;
    await run(presenceContainer, [presenceAt('gw-01', 'connected', 25)], PRESENCE_SHARD);
    const after = await item('pump-07');
    expect([after.status, after.episodeId, after.episodeStartedAt, after.offlineAt]).toEqual(['ANOMALY', before.episodeId, before.episodeStartedAt, undefined]);
  });

  it('does not mark an asset that now reports through another thing, and takes a mark off only at the connect of the thing that made it', async () => {
    await run(assetContainer, readings('pump-07', [0, 1, 2], 'gw-old'), ASSET_SHARD);
    now += 5_000;
    // The move is written at once (link and status), though the status value and the heartbeat ask for nothing.
    const moved = await run(assetContainer, readings('pump-07', [5, 6], 'gw-new'), ASSET_SHARD);
    expect([moved.statusWrites, assetContainer.updated]).toEqual([1, ['thing#gw-new', 'pump-07']]);
    expect(await mark('pump-07')).toEqual({ status: 'OK', offlineAt: undefined, statusBeforeOffline: undefined, lastSeen: T0 + 6_050, thingName: 'gw-new' });

    // The old thing's item still lists the asset; its disconnect, though newer than lastSeen, leaves it alone.
    now += 5_000;
    expect((await run(presenceContainer, [presenceAt('gw-old', 'disconnected', 10)], PRESENCE_SHARD)).presence).toBe(1);
    expect(presenceContainer.updated).toEqual(['thing#gw-old', 'pump-07']);
    expect((await item('pump-07')).status).toBe('OK');
    expect((await item('thing#gw-old')).status).toBe('OFFLINE');

    now += 10_000;
    await run(presenceContainer, [presenceAt('gw-new', 'disconnected', 20)], PRESENCE_SHARD);
    expect(await mark('pump-07')).toEqual({ status: 'OFFLINE', offlineAt: T0 + 20_000, statusBeforeOffline: 'OK', lastSeen: T0 + 6_050, thingName: 'gw-new' });
    now += 5_000;
    await run(presenceContainer, [presenceAt('gw-old', 'connected', 25)], PRESENCE_SHARD);
    expect((await item('pump-07')).status).toBe('OFFLINE');
    now += 5_000;
    await run(presenceContainer, [presenceAt('gw-new', 'connected', 30)], PRESENCE_SHARD);
    expect(await mark('pump-07')).toEqual({ status: 'OK', offlineAt: undefined, statusBeforeOffline: undefined, lastSeen: T0 + 6_050, thingName: 'gw-new' });
  });

  it('takes the marks off on the redelivery of a connect whose clearing failed after its thing write landed, also when the batch writes a newer connect instead', async () => {
    await run(assetContainer, readings('pump-07', [0, 1, 2]), ASSET_SHARD);
    now += 10_000;
    await run(presenceContainer, [presenceAt('gw-01', 'disconnected', 10)], PRESENCE_SHARD);
    now += 5_000;
    presenceContainer.failNext = { expression: 'SET #status = #statusBeforeOffline', error: Object.assign(new Error('refused (test)'), { name: 'ValidationException' }) };
    const connect = presenceAt('gw-01', 'connected', 15);
    const failed = await run(presenceContainer, [connect], PRESENCE_SHARD);
    expect(failed.response.batchItemFailures).toHaveLength(1);
    expect(await item('thing#gw-01')).toMatchObject({ status: 'OK', lastEventType: 'connected', lastPresenceAt: T0 + 15_000 });
    expect((await item('pump-07')).status).toBe('OFFLINE');

    // The retry brings the failed connect again and, behind it, a newer one: the batch writes only the newer.
    sequence -= 1n;
    const retried = await run(presenceContainer, [connect, presenceAt('gw-01', 'connected', 16)], PRESENCE_SHARD);
    expect([retried.response.batchItemFailures, retried.presence]).toEqual([[], 2]);
    expect(presenceContainer.updated).toEqual(['thing#gw-01', 'pump-07']);
    expect(await mark('pump-07')).toEqual({ status: 'OK', offlineAt: undefined, statusBeforeOffline: undefined, lastSeen: T0 + 2_050, thingName: 'gw-01' });
  });

  describe('disconnects of a session the thing no longer has', () => {
    /** pump-07 reports through gw-01, connected in session A since T0 + 1 s. */
    async function connectedInA(): Promise<void> {
      await run(assetContainer, readings('pump-07', [0, 1, 2]), ASSET_SHARD);
      await run(presenceContainer, [connect('A', 1, 1)], PRESENCE_SHARD);
      expect(await item('thing#gw-01')).toMatchObject({ status: 'OK', lastEventType: 'connected', sessionIdentifier: 'session-A', versionNumber: 1 });
    }
    const OK = { status: 'OK', offlineAt: undefined, statusBeforeOffline: undefined, lastSeen: T0 + 2_050, thingName: 'gw-01' };

    it('keeps the assets OK when the old session\'s DUPLICATE_CLIENTID disconnect comes after the new connect, stamped after it', async () => {
      await connectedInA();
      now += 10_000;
      await run(presenceContainer, [connect('B', 2, 10)], PRESENCE_SHARD);
      const outcome = await run(presenceContainer, [disconnect('A', 1, 11, 'DUPLICATE_CLIENTID')], PRESENCE_SHARD);
      expect([outcome.presence, presenceContainer.updated]).toEqual([1, []]);
      expect(await mark('pump-07')).toEqual(OK);
      expect(await item('thing#gw-01')).toMatchObject({ status: 'OK', lastEventType: 'connected', lastPresenceAt: T0 + 10_000, sessionIdentifier: 'session-B', versionNumber: 2 });
    });

    it('keeps them OK when the takeover\'s two events come in one batch, in either order, and marks them at the new session\'s own drop', async () => {
      await connectedInA();
      now += 10_000;
      await run(presenceContainer, [disconnect('A', 1, 11, 'DUPLICATE_CLIENTID'), connect('B', 2, 10)], PRESENCE_SHARD);
      expect(await mark('pump-07')).toEqual(OK);
      now += 10_000;
      // B's connect, C's takeover of B, and C's drop: the drop is written with its connect's timestamp, the takeover's disconnect after it.
      const outcome = await run(presenceContainer, [connect('C', 3, 20), disconnect('B', 2, 21, 'DUPLICATE_CLIENTID'), disconnect('C', 3, 30)], PRESENCE_SHARD);
      expect([outcome.presence, outcome.response.batchItemFailures, presenceContainer.updated]).toEqual([3, [], ['thing#gw-01', 'pump-07']]);
      expect(await mark('pump-07')).toEqual({ ...OK, status: 'OFFLINE', offlineAt: T0 + 30_000, statusBeforeOffline: 'OK' });
      expect(await item('thing#gw-01')).toMatchObject({ status: 'OFFLINE', lastEventType: 'disconnected', lastPresenceAt: T0 + 30_000, sessionIdentifier: 'session-C' });
    });

    it('marks the assets OFFLINE at the current session\'s own disconnect, as before', async () => {
      await connectedInA();
      now += 10_000;
      await run(presenceContainer, [disconnect('A', 1, 10)], PRESENCE_SHARD);
      expect(presenceContainer.updated).toEqual(['thing#gw-01', 'pump-07']);
      expect(await mark('pump-07')).toEqual({ ...OK, status: 'OFFLINE', offlineAt: T0 + 10_000, statusBeforeOffline: 'OK' });
      expect(await item('thing#gw-01')).toMatchObject({ status: 'OFFLINE', lastEventType: 'disconnected', disconnectReason: 'CONNECTION_LOST', sessionIdentifier: 'session-A' });
    });

    it('ignores a CONNECTION_LOST of the old session stamped after the new connect, and records it on the thing item', async () => {
      await connectedInA();
      now += 10_000;
      await run(presenceContainer, [connect('B', 2, 10)], PRESENCE_SHARD);
      await run(presenceContainer, [disconnect('A', 1, 12)], PRESENCE_SHARD);
      // The thing write (its condition fails), then the record of the ignored disconnect; no asset.
      expect(presenceContainer.updated).toEqual(['thing#gw-01', 'thing#gw-01']);
      expect(await mark('pump-07')).toEqual(OK);
      expect(await item('thing#gw-01')).toMatchObject({
        status: 'OK',
        lastEventType: 'connected',
        lastPresenceAt: T0 + 10_000,
        sessionIdentifier: 'session-B',
        ignoredDisconnectAt: T0 + 12_000,
        ignoredSessionIdentifier: 'session-A',
        ignoredDisconnectReason: 'CONNECTION_LOST',
      });
    });

    it('marks the assets at the new session\'s own disconnect after an ignored one, also when it is stamped before that one', async () => {
      await connectedInA();
      now += 10_000;
      await run(presenceContainer, [connect('B', 2, 10)], PRESENCE_SHARD);
      await run(presenceContainer, [disconnect('A', 1, 12)], PRESENCE_SHARD);
      // B drops 1 s after its connect: its disconnect, stamped before A's ignored one, is not held back by it.
      await run(presenceContainer, [disconnect('B', 2, 11)], PRESENCE_SHARD);
      expect(await mark('pump-07')).toEqual({ ...OK, status: 'OFFLINE', offlineAt: T0 + 11_000, statusBeforeOffline: 'OK' });
      expect(await item('thing#gw-01')).toMatchObject({ status: 'OFFLINE', lastEventType: 'disconnected', lastPresenceAt: T0 + 11_000, sessionIdentifier: 'session-B' });
    });

    it('marks the assets at a disconnect of a newer connection whose connect did not arrive', async () => {
      await connectedInA();
      now += 10_000;
      await run(presenceContainer, [disconnect('B', 2, 12)], PRESENCE_SHARD);
      expect(await mark('pump-07')).toEqual({ ...OK, status: 'OFFLINE', offlineAt: T0 + 12_000, statusBeforeOffline: 'OK' });
    });

    it('leaves the items as they are when any event is delivered again, one by one or in one batch', async () => {
      await connectedInA();
      now += 10_000;
      const redelivered = async (events: readonly object[]): Promise<void> => {
        const settled = { thing: await item('thing#gw-01'), asset: await item('pump-07') };
        for (const event of events) {
          await run(presenceContainer, [event], PRESENCE_SHARD);
          expect({ thing: await item('thing#gw-01'), asset: await item('pump-07') }).toEqual(settled);
        }
        expect((await run(presenceContainer, events, PRESENCE_SHARD)).response.batchItemFailures).toEqual([]);
        expect({ thing: await item('thing#gw-01'), asset: await item('pump-07') }).toEqual(settled);
      };
      const takeover = [connect('A', 1, 1), connect('B', 2, 10), disconnect('A', 1, 10.5, 'DUPLICATE_CLIENTID'), disconnect('A', 1, 12)];
      for (const event of takeover.slice(1)) await run(presenceContainer, [event], PRESENCE_SHARD);
      expect(await mark('pump-07')).toEqual(OK);
      await redelivered(takeover);
      expect(await mark('pump-07')).toEqual(OK);

      await run(presenceContainer, [disconnect('B', 2, 20)], PRESENCE_SHARD);
      expect(await mark('pump-07')).toEqual({ ...OK, status: 'OFFLINE', offlineAt: T0 + 20_000, statusBeforeOffline: 'OK' });
      await redelivered([...takeover, disconnect('B', 2, 20)]);
    });

    it('applies events without sessionIdentifier by their timestamps alone, and a disconnect with one to an item whose connect had none', async () => {
      await connectedInA();
      now += 10_000;
      await run(presenceContainer, [connect('B', 2, 10), sessionless('disconnected', 12)], PRESENCE_SHARD);
      expect(await mark('pump-07')).toEqual({ ...OK, status: 'OFFLINE', offlineAt: T0 + 12_000, statusBeforeOffline: 'OK' });
      await run(presenceContainer, [sessionless('connected', 15)], PRESENCE_SHARD);
      expect(await mark('pump-07')).toEqual(OK);
      expect(await item('thing#gw-01')).toMatchObject({ status: 'OK', sessionIdentifier: null, versionNumber: 1 });
      await run(presenceContainer, [disconnect('A', 1, 16)], PRESENCE_SHARD);
      expect(await mark('pump-07')).toEqual({ ...OK, status: 'OFFLINE', offlineAt: T0 + 16_000, statusBeforeOffline: 'OK' });
    });
  });

  it('leaves a mark made before marks kept the replaced status to the readings (the previous code\'s bound)', async () => {
    await run(assetContainer, readings('pump-07', [0, 1, 2]), ASSET_SHARD);
    // An item as the previous code left it: OFFLINE without the status it replaced.
    await doc.send(new PutCommand({ TableName: statusTable, Item: { ...(await item('pump-07')), status: 'OFFLINE', offlineAt: T0 + 5_000 } }));
    now += 10_000;
    await run(presenceContainer, [presenceAt('gw-01', 'disconnected', 10), presenceAt('gw-01', 'connected', 15)], PRESENCE_SHARD);
    expect(await mark('pump-07')).toEqual({ status: 'OFFLINE', offlineAt: T0 + 10_000, statusBeforeOffline: 'OFFLINE', lastSeen: T0 + 2_050, thingName: 'gw-01' });

    // The bound of the previous code: the heartbeat of the container holding the asset.
    now = NOW + HEARTBEAT_SECONDS * 1_000;
    expect((await run(assetContainer, readings('pump-07', [20]), ASSET_SHARD)).statusWrites).toBe(1);
    expect(await mark('pump-07')).toEqual({ status: 'OK', offlineAt: undefined, statusBeforeOffline: undefined, lastSeen: T0 + 20_050, thingName: 'gw-01' });
  });
});
