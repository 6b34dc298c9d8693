import { DeleteStreamCommand } from '@aws-sdk/client-kinesis';
import { GetItemCommand, PutItemCommand, QueryCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { ENV, LIMITS, QUARANTINE_PREFIX } from '../../functions/shared/constants';
import { createTables, setAwsTestEnvironment, startDynalite, startKinesalite, testDynamoClient, TestStream, type Emulator } from '../helpers/emulators';
import { runEventSourceMapping, type KinesisHandler } from '../helpers/eventSourceMapping';
import { FakeAwsServer } from '../helpers/FakeAwsServer';
import { FaultProxy } from '../helpers/FaultProxy';
import { inDeadLetters, pollShard, renderedMapping } from '../helpers/shardPollerRun';
import { PolicyEnforcer } from '../helpers/policy/PolicyEnforcer';
import { assetSecond, kinesisRecord, lambdaContext, presence, telemetry } from '../helpers/records';

/** The fakes authorize every call against the rendered dev policies, so the names are dev's. */
const enforcer = new PolicyEnforcer('dev');
const { names } = enforcer.policies;
const STATUS_TABLE = names.assetStatusTable;
const STATE_TABLE = names.detectorStateTable;
const TOPIC = names.alertTopicArn;
const DASHBOARD = 'https://sa-east-1.console.aws.amazon.com/cloudwatch/home?region=sa-east-1#dashboards/dashboard/telemetry-test';

let dynalite: Emulator;
let kinesalite: Emulator;
const proxy = new FaultProxy();
const fake = new FakeAwsServer();
let dynamo: DynamoDBClient;
let handler: KinesisHandler;
let streamCount = 0;
/** Streams of the running test: deleted after it, since kinesalite allows ten shards and the cases need more streams. */
const openStreams: TestStream[] = [];

const BASE = Math.floor(Date.now() / 1000) * 1000 - 10 * 60_000;

function loadHandler(): KinesisHandler {
  let loaded: KinesisHandler | undefined;
  jest.isolateModules(() => {
    loaded = (require('../../functions/processor') as typeof import('../../functions/processor')).handler;
  });
  if (!loaded) throw new Error('processor did not load');
  return loaded;
}

beforeAll(async () => {
  dynalite = await startDynalite();
  kinesalite = await startKinesalite();
  await proxy.startInFrontOf(dynalite.endpoint);
  await fake.start();
  setAwsTestEnvironment({ dynamodb: proxy.endpoint, s3: fake.endpoint, sns: fake.endpoint }, enforcer.credentials('processor'));
  proxy.enforce(enforcer);
  fake.enforce(enforcer);
  Object.assign(process.env, {
    [ENV.assetStatusTable]: STATUS_TABLE,
    [ENV.detectorStateTable]: STATE_TABLE,
    [ENV.alertTopicArn]: TOPIC,
    [ENV.archiveBucket]: names.archiveBucket,
    [ENV.dashboardUrl]: DASHBOARD,
    [ENV.detectorConfig]: JSON.stringify({ warmupSamples: 10, cooldownSeconds: 60, limits: { temperature: { max: 100 } } }),
    [ENV.statusHeartbeatSeconds]: '60',
    // Every batch checkpoints, so the table shows exactly what the detector judged.
    [ENV.checkpointIntervalSeconds]: '0',
    [ENV.circuitBreakerOpenMs]: '300',
    [ENV.powertoolsServiceName]: 'processor',
  });
  dynamo = testDynamoClient(dynalite.endpoint);
  await createTables(dynamo, { assetStatus: STATUS_TABLE, detectorState: STATE_TABLE });
  handler = loadHandler();
});

afterAll(async () => {
  dynamo.destroy();
  await proxy.stop();
  await fake.stop();
  await dynalite.stop();
  await kinesalite.stop();
});

afterEach(async () => {
  proxy.clear();
  fake.clear();
  for (const stream of openStreams.splice(0)) {
    await stream.client.send(new DeleteStreamCommand({ StreamName: stream.name }));
    stream.client.destroy();
  }
});

async function newStream(): Promise<TestStream> {
  streamCount += 1;
  const stream = new TestStream(kinesalite.endpoint, `kinesis-processor-test-${streamCount}`);
  await stream.create();
  openStreams.push(stream);
  return stream;
}

async function item(table: string, assetId: string): Promise<Record<string, AttributeValue> | undefined> {
  return (await dynamo.send(new GetItemCommand({ TableName: table, Key: { assetId: { S: assetId } }, ConsistentRead: true }))).Item;
}

/** `count` normal seconds then `anomalous` seconds with the temperature above its 100 limit. */
function episode(assetId: string, start: number, count: number, anomalous: number, thingName = 'gw-int'): object[] {
  const payloads: object[] = [];
  for (let i = 0; i < count + anomalous; i += 1) {
    const temperature = i < count ? 70 + (i % 3) : 150 + i;
    payloads.push(assetSecond(assetId, start + i * 1_000, { temperature, pressure: 2 + (i % 2) * 0.1 }, thingName));
  }
  return payloads;
}

function alertsFor(assetId: string): Array<{ episodeId: string; body: Record<string, unknown> }> {
  return fake.published
    .filter((p) => p.attributes.assetId === assetId)
    .map((p) => ({ episodeId: p.attributes.episodeId ?? '', body: JSON.parse((JSON.parse(p.message) as { default: string }).default) as Record<string, unknown> }));
}

function failed(response: KinesisStreamBatchResponse): string[] {
  return response.batchItemFailures.map((f) => f.itemIdentifier);
}

describe('processor handler against dynalite, kinesalite and fake S3/SNS', () => {
  it('alerts once per episode, writes asset status and the checkpoint, and quarantines bad records', async () => {
    const stream = await newStream();
    const payloads = [...episode('pr-a', BASE, 12, 3), 'not json', telemetry({ assetId: 'pr-a', readings: [{ metric: 'x', value: 'high', ts: BASE }] })];
    const sequences = await stream.put(payloads);
    const response = await handler(stream.toEvent(await stream.read()), lambdaContext());

    expect(response).toEqual({ batchItemFailures: [] });
    const alerts = alertsFor('pr-a');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.episodeId).toBe(`pr-a:${BASE + 12_000}`);
    expect(alerts[0]?.body).toMatchObject({
      type: 'anomaly',
      assetId: 'pr-a',
      plantId: 'sp1',
      lineId: 'line-2',
      limitBreaches: ['temperature'],
      values: { temperature: { value: 162, quality: 'GOOD' }, pressure: { value: 2, quality: 'GOOD' } },
      dashboardUrl: DASHBOARD,
      startedAt: new Date(BASE + 12_000).toISOString(),
    });
    const status = await item(STATUS_TABLE, 'pr-a');
    expect(status?.status?.S).toBe('ANOMALY');
    expect(status?.lineKey?.S).toBe('sp1#line-2');
    expect(status?.episodeId?.S).toBe(`pr-a:${BASE + 12_000}`);
    expect(Number(status?.lastReadingTs?.N)).toBe(BASE + 14_000);
    const checkpoint = await item(STATE_TABLE, 'pr-a');
    expect(Number(checkpoint?.lastTs?.N)).toBe(BASE + 14_000);
    const quarantined = fake.objectsUnder<{ reason: string; sequenceNumber: string }>(`${QUARANTINE_PREFIX}processor/`);
    expect(quarantined.map((q) => [q.body.reason, q.body.sequenceNumber]).sort()).toEqual(
      [
        ['INVALID_JSON', sequences[15]],
        ['INVALID_VALUE', sequences[16]],
      ].sort(),
    );
    const byLine = await dynamo.send(
      new QueryCommand({
        TableName: STATUS_TABLE,
        IndexName: 'byLine',
        KeyConditionExpression: 'lineKey = :l',
        ExpressionAttributeValues: { ':l': { S: 'sp1#line-2' } },
      }),
    );
    expect(byLine.Items?.map((i) => i.assetId?.S)).toContain('pr-a');
  });

  it('does not feed the detector twice or re-alert when the same batch is delivered again', async () => {
    const stream = await newStream();
    await stream.put(episode('pr-b', BASE, 12, 2));
    const event = stream.toEvent(await stream.read());
    await handler(event, lambdaContext());
    const before = await item(STATE_TABLE, 'pr-b');

    expect(await handler(event, lambdaContext())).toEqual({ batchItemFailures: [] });
    expect(alertsFor('pr-b')).toHaveLength(1);
    expect(await item(STATE_TABLE, 'pr-b')).toEqual(before);
  });

  it('models at most 64 metrics of a wide asset; a metric beyond them keeps its limit, and the assets sharing its write chunk are unaffected', async () => {
    const wide = (i: number): Record<string, number> => {
      const values: Record<string, number> = {};
      for (let m = 0; m < 300; m += 1) values[`bearing_${String(m).padStart(3, '0')}_velocity_rms`] = 50 + m + Math.sin(i + m) * 3;
      values.temperature = i < 5 ? 70 + (i % 3) : 150;
      return values;
    };
    const payloads: object[] = [];
    for (let i = 0; i < 6; i += 1) payloads.push(assetSecond('pr-wide', BASE + i * 1_000, wide(i), 'gw-int'));
    payloads.push(...episode('pr-narrow', BASE, 12, 2));
    // The event is built directly: no stream is needed to read it back.
    const event: KinesisStreamEvent = { Records: payloads.map((payload, index) => kinesisRecord(payload, { sequenceNumber: String(9_000 + index), arrivedAt: BASE + 20_000 })) };
    const response = await handler(event, lambdaContext());

    expect(response).toEqual({ batchItemFailures: [] });
    const state = JSON.parse((await item(STATE_TABLE, 'pr-wide'))?.state?.S ?? '{}') as { metrics?: string[] };
    expect(state.metrics).toHaveLength(64);
    expect(state.metrics?.[63]).toBe('bearing_063_velocity_rms');
    expect(await item(STATE_TABLE, 'pr-narrow')).toBeDefined();
    expect(alertsFor('pr-wide').map((a) => a.body.limitBreaches)).toEqual([['temperature']]);
    expect(alertsFor('pr-narrow')).toHaveLength(1);
  });

  it('keeps the status item of an asset whose device makes metric names up under DynamoDB\'s 400 KB: it lists the first 1,000, says there are more, and no batch fails', async () => {
    // 7,000 names of 64 characters: listed without a bound, the item passed 400 KB at about 6,000 and
    // every later status write of the asset failed (ValidationException), its batches retried to the DLQ.
    const second = (i: number): object =>
      telemetry({
        assetId: 'pr-names',
        thingName: 'gw-int',
        clientId: 'gw-int',
        receivedAt: BASE + i * 1_000 + 50,
        readings: Array.from({ length: 500 }, (_, m) => ({ metric: `reading_${String(i * 500 + m).padStart(5, '0')}`.padEnd(64, 'x'), value: m % 11, ts: BASE + i * 1_000 })),
      });
    for (let batch = 0; batch < 7; batch += 1) {
      const payloads = [second(2 * batch), second(2 * batch + 1)];
      const event: KinesisStreamEvent = { Records: payloads.map((payload, index) => kinesisRecord(payload, { sequenceNumber: String(9_200 + 2 * batch + index), arrivedAt: BASE + 30_000 })) };
      expect(await handler(event, lambdaContext())).toEqual({ batchItemFailures: [] });
    }
    const status = await item(STATUS_TABLE, 'pr-names');
    expect(status?.metrics?.SS).toHaveLength(LIMITS.maxListedMetricsPerAsset);
    expect(status?.metricsIncomplete?.BOOL).toBe(true);
    expect((await item(STATE_TABLE, 'pr-names'))?.statusMetrics?.L).toHaveLength(LIMITS.maxListedMetricsPerAsset);
  });

  it('judges and stores the readings of an asset whose thing item lists the most assets it can, and leaves that item as it is', async () => {
    const listed = Array.from({ length: LIMITS.maxListedAssetsPerThing }, (_, i) => `asset-${String(i).padStart(58, '0')}`);
    await dynamo.send(new PutItemCommand({ TableName: STATUS_TABLE, Item: { assetId: { S: 'thing#gw-full' }, kind: { S: 'thing' }, thingName: { S: 'gw-full' }, assets: { SS: listed } } }));
    const payloads = episode('pr-over', BASE, 12, 2, 'gw-full');
    const event: KinesisStreamEvent = { Records: payloads.map((payload, index) => kinesisRecord(payload, { sequenceNumber: String(9_300 + index), arrivedAt: BASE + 20_000 })) };

    expect(await handler(event, lambdaContext())).toEqual({ batchItemFailures: [] });
    expect((await item(STATUS_TABLE, 'thing#gw-full'))?.assets?.SS).toHaveLength(LIMITS.maxListedAssetsPerThing);
    expect((await item(STATUS_TABLE, 'thing#gw-full'))?.assets?.SS).not.toContain('pr-over');
    expect((await item(STATUS_TABLE, 'pr-over'))?.status?.S).toBe('ANOMALY');
    expect(alertsFor('pr-over')).toHaveLength(1);
  });

  it('keeps an alert of a 500-reading sample inside SNS\'s 256 KB: the breached metric first, at most 50 values, the rest counted', async () => {
    // Units of quotes are valid (printable ASCII) and are escaped at every level of the message.
    const sample = (i: number): Array<{ metric: string; value: number; unit: string; ts: number }> => [
      ...Array.from({ length: 499 }, (_, m) => ({ metric: `sensor_${String(m).padStart(3, '0')}`.padEnd(64, 'x'), value: 1 + m, unit: '"'.repeat(32), ts: BASE + i * 1_000 })),
      { metric: 'temperature', value: i < 5 ? 70 : 150, unit: '"'.repeat(32), ts: BASE + i * 1_000 },
    ];
    const payloads = Array.from({ length: 6 }, (_, i) => telemetry({ assetId: 'pr-units', thingName: 'gw-int', clientId: 'gw-int', readings: sample(i) }));
    const event: KinesisStreamEvent = { Records: payloads.map((payload, index) => kinesisRecord(payload, { sequenceNumber: String(9_100 + index), arrivedAt: BASE + 20_000 })) };
    const response = await handler(event, lambdaContext());

    expect(response).toEqual({ batchItemFailures: [] });
    const [alert] = alertsFor('pr-units');
    expect(Object.keys(alert.body.values as object)).toHaveLength(50);
    expect(Object.keys(alert.body.values as object)[0]).toBe('temperature');
    expect(alert.body.valuesOmitted).toBe(450);
  });

  it('publishes the alert of an asset whose ids make a long subject: cut below the 100 characters SNS refuses', async () => {
    const assetId = `a${'x'.repeat(63)}`;
    const lineId = `l${'y'.repeat(30)}`;
    const payloads = episode(assetId, BASE, 12, 3).map((payload) => ({ ...payload, lineId }));
    const event: KinesisStreamEvent = { Records: payloads.map((payload, index) => kinesisRecord(payload, { sequenceNumber: String(9_300 + index), arrivedAt: BASE + 20_000 })) };
    const response = await handler(event, lambdaContext());

    expect(response).toEqual({ batchItemFailures: [] });
    const published = fake.published.filter((message) => message.attributes.assetId === assetId);
    expect(published.map((message) => message.subject)).toEqual([`Anomaly: ${assetId} on sp1/${lineId}`.slice(0, 99)]);
  });

  it('restores detector state on a cold start, so an open episode is not alerted again', async () => {
    const stream = await newStream();
    await stream.put(episode('pr-c', BASE, 12, 2));
    await handler(stream.toEvent(await stream.read()), lambdaContext());
    const [, , ...rest] = await stream.read();
    const last = rest[rest.length - 1]?.SequenceNumber ?? '';
    await stream.put([assetSecond('pr-c', BASE + 20_000, { temperature: 180, pressure: 2 }, 'gw-int')]);
    const coldHandler = loadHandler();
    const response = await coldHandler(stream.toEvent(await stream.read({ after: last })), lambdaContext());

    expect(response).toEqual({ batchItemFailures: [] });
    expect(alertsFor('pr-c')).toHaveLength(1);
    expect(Number((await item(STATE_TABLE, 'pr-c'))?.lastTs?.N)).toBe(BASE + 20_000);
  });

  it('hands a shard between two containers through its lease: the one coming back restores, and alerts no episode twice', async () => {
    const stream = await newStream();
    const first = loadHandler();
    const second = loadHandler();
    await stream.put(episode('pr-ho', BASE, 12, 0));
    const warm = await stream.read();
    await first(stream.toEvent(warm), lambdaContext());
    const afterWarm = warm[warm.length - 1]?.SequenceNumber ?? '';
    await stream.put(episode('pr-ho', BASE + 12_000, 0, 2));
    const hot = await stream.read({ after: afterWarm });
    await second(stream.toEvent(hot), lambdaContext());
    const afterHot = hot[hot.length - 1]?.SequenceNumber ?? '';
    await stream.put([assetSecond('pr-ho', BASE + 20_000, { temperature: 180, pressure: 2 }, 'gw-int')]);
    const back = await stream.read({ after: afterHot });
    const before = Date.now();
    const response = await first(stream.toEvent(back), lambdaContext());
    const after = Date.now();

    expect(response).toEqual({ batchItemFailures: [] });
    expect(alertsFor('pr-ho')).toHaveLength(1);
    const event = stream.toEvent(back);
    const shardId = event.Records[0]?.eventID.split(':')[0] ?? '';
    const lease = await item(STATE_TABLE, `#lease/${shardId}`);
    expect(lease?.lastSequenceNumber?.S).toBe(back[back.length - 1]?.SequenceNumber);
    // The lease's TTL is 7 days (docs/functions.md) from the claim, in epoch seconds; the claim is this batch's.
    const claimedAt = Number(lease?.claimedAt?.N);
    expect(claimedAt).toBeGreaterThanOrEqual(before);
    expect(claimedAt).toBeLessThanOrEqual(after);
    expect(Number(lease?.expiresAt?.N)).toBe(Math.floor(claimedAt / 1000) + 7 * 86_400);
  });

  it('marks the assets of a disconnected thing OFFLINE, and a later reading brings them back', async () => {
    const stream = await newStream();
    await stream.put([
      assetSecond('pr-d1', BASE, { temperature: 70 }, 'gw-presence'),
      assetSecond('pr-d2', BASE, { temperature: 71 }, 'gw-presence'),
    ]);
    await handler(stream.toEvent(await stream.read()), lambdaContext());
    const first = await stream.read();
    await stream.put([presence({ clientId: 'gw-presence', thingName: 'gw-presence', timestamp: BASE + 5_000 })]);
    await handler(stream.toEvent(await stream.read({ after: first[1]?.SequenceNumber ?? '' })), lambdaContext());

    expect((await item(STATUS_TABLE, 'pr-d1'))?.status?.S).toBe('OFFLINE');
    expect((await item(STATUS_TABLE, 'pr-d2'))?.status?.S).toBe('OFFLINE');
    expect((await item(STATUS_TABLE, 'thing#gw-presence'))?.status?.S).toBe('OFFLINE');
    expect((await item(STATUS_TABLE, 'thing#gw-presence'))?.lineKey).toBeUndefined();

    const seen = await stream.read();
    await stream.put([assetSecond('pr-d1', BASE + 10_000, { temperature: 72 }, 'gw-presence')]);
    await handler(stream.toEvent(await stream.read({ after: seen[seen.length - 1]?.SequenceNumber ?? '' })), lambdaContext());
    const back = await item(STATUS_TABLE, 'pr-d1');
    expect(back?.status?.S).toBe('OK');
    expect(back?.offlineAt).toBeUndefined();
    expect((await item(STATUS_TABLE, 'pr-d2'))?.status?.S).toBe('OFFLINE');
  });

  it('writes a new asset\'s link and status once, nothing of them on a cold start, and at most two thing writes per burst of presence events', async () => {
    const stream = await newStream();
    const assets = Array.from({ length: 20 }, (_, i) => `pr-w${i}`);
    const second = (at: number): object[] => assets.map((assetId) => assetSecond(assetId, BASE + at, { temperature: 70 }, `gw-${assetId}`));
    await stream.put(second(0));
    let updates = proxy.count('UpdateItem');
    expect(await handler(stream.toEvent(await stream.read()), lambdaContext())).toEqual({ batchItemFailures: [] });
    // A link and a status per asset, and the shard's lease.
    expect(proxy.count('UpdateItem') - updates).toBe(2 * assets.length + 1);
    expect((await item(STATE_TABLE, 'pr-w0'))?.statusThing?.S).toBe('gw-pr-w0');

    // A new container restores the links and the written status from the checkpoints: no UpdateItem but its lease claim.
    const seen = await stream.read();
    await stream.put(second(1_000));
    updates = proxy.count('UpdateItem');
    const cold = loadHandler();
    expect(await cold(stream.toEvent(await stream.read({ after: seen[seen.length - 1]?.SequenceNumber ?? '' })), lambdaContext())).toEqual({ batchItemFailures: [] });
    expect(proxy.count('UpdateItem') - updates).toBe(1);
    expect((await item(STATE_TABLE, 'pr-w0'))?.lastTs?.N).toBe(String(BASE + 1_000));

    // Ten events of one thing (disconnects at even offsets, the last one a connect): the last disconnect
    // (thing + its asset's mark) and the last connect (thing + taking the mark off), four writes (no lease: the
    // batch has no telemetry); the items end as after all ten in order.
    const read = await stream.read();
    await stream.put(
      Array.from({ length: 10 }, (_, i) =>
        presence({ clientId: 'gw-pr-w0', thingName: 'gw-pr-w0', eventType: i % 2 === 0 ? 'disconnected' : 'connected', timestamp: BASE + 5_000 + i }),
      ),
    );
    updates = proxy.count('UpdateItem');
    expect(await cold(stream.toEvent(await stream.read({ after: read[read.length - 1]?.SequenceNumber ?? '' })), lambdaContext())).toEqual({ batchItemFailures: [] });
    expect(proxy.count('UpdateItem') - updates).toBe(4);
    const thing = await item(STATUS_TABLE, 'thing#gw-pr-w0');
    expect([thing?.status?.S, thing?.lastPresenceAt?.N]).toEqual(['OK', String(BASE + 5_009)]);
    const asset = await item(STATUS_TABLE, 'pr-w0');
    expect([asset?.status?.S, asset?.offlineAt, asset?.statusBeforeOffline]).toEqual(['OK', undefined, undefined]);
  });

  it('reports an asset whose alert cannot be published from its first record on, keeps the alert in its checkpoint, and publishes it on the retry', async () => {
    const stream = await newStream();
    const sequences = await stream.put([assetSecond('pr-e0', BASE, { temperature: 70 }, 'gw-e'), ...episode('pr-e', BASE, 12, 2, 'gw-e')]);
    fake.inject('server-error');
    const response = await handler(stream.toEvent(await stream.read()), lambdaContext());

    expect(failed(response)).toEqual(sequences.slice(1));
    expect((await item(STATE_TABLE, 'pr-e0'))?.lastTs?.N).toBe(String(BASE));
    const outbox = (await item(STATE_TABLE, 'pr-e'))?.outbox?.S;
    expect((JSON.parse(outbox ?? '[]') as Array<{ alert?: { episodeId: string } }>).map((notice) => notice.alert?.episodeId)).toEqual([`pr-e:${BASE + 12_000}`]);
    fake.clear();
    const run = await runEventSourceMapping(stream, handler, { batchSize: 100, maxRetries: 5 });
    expect(run.deadLettered).toEqual([]);
    expect(alertsFor('pr-e').map((a) => a.episodeId)).toEqual([`pr-e:${BASE + 12_000}`]);
    expect((await item(STATE_TABLE, 'pr-e'))?.outbox).toBeUndefined();
  }, 15_000);

  it('retries unprocessed checkpoint writes and throttled status writes', async () => {
    const stream = await newStream();
    const assets = Array.from({ length: 30 }, (_, i) => `pr-f${i}`);
    await stream.put(assets.map((assetId) => assetSecond(assetId, BASE, { temperature: 70 }, 'gw-f')));
    proxy.inject('BatchWriteItem', 'unprocessed', 3);
    proxy.inject('UpdateItem', 'throttle', 2);
    const response = await handler(stream.toEvent(await stream.read()), lambdaContext());

    expect(response).toEqual({ batchItemFailures: [] });
    expect(proxy.faultsInjected.map((f) => f.fault).sort()).toEqual(['throttle', 'throttle', 'unprocessed', 'unprocessed', 'unprocessed']);
    for (const assetId of assets) expect((await item(STATE_TABLE, assetId))?.lastTs?.N).toBe(String(BASE));
  });

  it('fails fast while DynamoDB is down and loses no reading: every record ends judged, quarantined or dead-lettered', async () => {
    const stream = await newStream();
    // One asset per reading, so its checkpoint and status item show whether that very record was judged.
    const payloads: Array<object | string> = [];
    for (let i = 0; i < 60; i += 1) {
      payloads.push(i % 17 === 3 ? `{"bad": ${i}` : assetSecond(`pr-g${i}`, BASE + i * 1_000, { temperature: 70 + (i % 2), pressure: 2 }, 'gw-g'));
    }
    const sequences = await stream.put(payloads);
    let invocation = 0;
    // DynamoDB drops every connection in one invocation of three, and in every invocation of the batch holding
    // record 25, which therefore runs out of retries.
    const run = await pollShard(stream, handler, {
      mapping: { ...renderedMapping('lambda-processor-dev'), batchSize: 20, maximumRetryAttempts: 3 },
      records: payloads.length,
      beforeInvoke: (event) => {
        proxy.clear();
        invocation += 1;
        if (invocation % 3 === 1 || event.Records.some((r) => r.kinesis.sequenceNumber === sequences[25])) proxy.inject('*', 'reset');
      },
    });
    proxy.clear();

    // Each outcome from what the run left behind, independently of the others.
    const { streamArn, shardId } = run;
    const quarantine = fake.objectsUnder<{ streamArn: string; shardId: string; sequenceNumber: string }>(`${QUARANTINE_PREFIX}processor/`).filter((o) => o.body.streamArn === streamArn);
    const outcomes = await Promise.all(
      payloads.map(async (payload, i) => {
        const sequence = sequences[i] ?? '';
        const ts = typeof payload === 'string' ? undefined : (payload as { readings: Array<{ ts: number }> }).readings[0]?.ts;
        const assetId = `pr-g${i}`;
        const judged = (await item(STATE_TABLE, assetId))?.lastTs?.N === String(ts) && (await item(STATUS_TABLE, assetId))?.lastReadingTs?.N === String(ts);
        const keys = quarantine.filter((o) => o.body.shardId === shardId && o.body.sequenceNumber === sequence).map((o) => o.key);
        return { i, bad: typeof payload === 'string', judged, keys, deadLettered: inDeadLetters(run.deadLetters, shardId, sequence) };
      }),
    );
    const outcomeOf = (o: (typeof outcomes)[number]): string[] => [
      ...(o.judged ? ['judged'] : []),
      ...(o.keys.length > 0 ? ['quarantined'] : []),
      ...(o.deadLettered ? ['dead-lettered'] : []),
    ];
    // Outside the dead-letter queue, exactly one outcome per record: the one its payload calls for.
    const kept = outcomes.filter((o) => !o.deadLettered);
    expect(kept.map((o) => [o.i, outcomeOf(o)])).toEqual(kept.map((o) => [o.i, [o.bad ? 'quarantined' : 'judged']]));
    // A record given up on was not judged (its asset rolled back), so the redrive judges it. A bad one may have
    // been quarantined before its batch failed, at its own key, which the redrive writes again: still one object.
    expect(outcomes.filter((o) => o.deadLettered && o.judged).map((o) => o.i)).toEqual([]);
    // One object per quarantined record, at its shard and sequence number, and no other object.
    expect(outcomes.filter((o) => o.keys.length > 1 || o.keys.some((key) => !key.endsWith(`/${shardId}/${sequences[o.i]}.json`))).map((o) => o.i)).toEqual([]);
    expect(quarantine).toHaveLength(outcomes.filter((o) => o.keys.length > 0).length);
    // Only the batch that DynamoDB never answered ran out of retries, from its first valid record; a dead-letter
    // queue that took everything would fail here and on the count of judged records.
    const deadLettered = outcomes.filter((o) => o.deadLettered).map((o) => o.i);
    expect(deadLettered).toEqual(Array.from({ length: 19 }, (_, k) => 21 + k));
    expect(run.deadLetters).toHaveLength(1);
    expect(outcomes.filter((o) => o.judged)).toHaveLength(outcomes.filter((o) => !o.bad && (o.i < 20 || o.i >= 40)).length);
    // DynamoDB being down is reported record by record, never as a function error (which would bisect for nothing).
    expect(run.counters.invocations).toBeGreaterThan(3);
    expect(run.counters.partialFailures).toBeGreaterThan(0);
    expect(run.counters.functionErrors).toBe(0);
  }, 30_000);

  it('fails the invocation on an unexpected error (a bug), so the rendered mapping bisects the batch: the record behind it ends alone in the dead-letter queue, the others are judged', async () => {
    const bug = 'the context broke (a stand-in for a bug)';
    const brokenContext = lambdaContext(() => {
      throw new Error(bug);
    });
    const one: KinesisStreamEvent = { Records: [kinesisRecord(assetSecond('pr-bug', BASE, { temperature: 70 }, 'gw-int'), { sequenceNumber: '9200', arrivedAt: BASE + 1_000 })] };
    await expect(handler(one, brokenContext)).rejects.toThrow(bug);

    const stream = await newStream();
    const payloads = Array.from({ length: 8 }, (_, i) => assetSecond(`pr-bug${i}`, BASE + i * 1_000, { temperature: 70 }, 'gw-int'));
    const sequences = await stream.put(payloads);
    const poison = sequences[5] ?? '';
    // Every invocation whose batch holds the poison record meets the bug; the others run normally.
    const run = await pollShard(stream, handler, {
      mapping: renderedMapping('lambda-processor-dev'),
      records: payloads.length,
      context: (event) => (event.Records.some((r) => r.kinesis.sequenceNumber === poison) ? brokenContext : lambdaContext()),
    });

    expect(run.counters.bisections).toBeGreaterThan(0);
    expect(run.deadLetters.map((d) => d.KinesisBatchInfo)).toEqual([expect.objectContaining({ startSequenceNumber: poison, endSequenceNumber: poison, batchSize: 1 })]);
    expect(run.deadLetters[0]?.requestContext.condition).toBe('RetryAttemptsExhausted');
    const judged = await Promise.all(payloads.map(async (_, i) => (await item(STATE_TABLE, `pr-bug${i}`))?.lastTs?.N));
    expect(judged).toEqual(payloads.map((_, i) => (i === 5 ? undefined : String(BASE + i * 1_000))));
  }, 30_000);

  it('stops before its timeout and reports the unstarted records', async () => {
    const stream = await newStream();
    const sequences = await stream.put([assetSecond('pr-h', BASE, { temperature: 70 }, 'gw-h')]);
    const response = await handler(stream.toEvent(await stream.read()), lambdaContext(400));

    expect(failed(response)).toEqual(sequences);
    expect(await item(STATE_TABLE, 'pr-h')).toBeUndefined();
  });
});

describe('the processor\'s AWS calls under the rendered policies', () => {
  it('were all allowed, and each is a required call of the policy proof', () => {
    expect(enforcer.errors).toEqual([]);
    expect(enforcer.deniedCalls()).toEqual([]);
    expect(enforcer.uncataloguedCalls()).toEqual([]);
    expect([...new Set(enforcer.calls.map((call) => call.action))].sort()).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:BatchWriteItem',
      'dynamodb:UpdateItem',
      's3:PutObject',
      'sns:Publish',
    ]);
  });
});
