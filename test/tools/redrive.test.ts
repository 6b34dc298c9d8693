import { QueryCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SQSClient } from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { KinesisStreamBatchResponse, KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ENV } from '../../functions/shared/constants';
import { decodeBucketItem } from '../../functions/storer/decodeBucketItem';
import { parseRedriveArgs, type RedriveOptions } from '../../scripts/lib/redriveArgs';
import { parseBatchFailure } from '../../scripts/lib/redriveDocument';
import { eventBytes } from '../../scripts/lib/eventBytes';
import { splitIntoEvents } from '../../scripts/lib/splitIntoEvents';
import { toLambdaRecord } from '../../scripts/lib/toLambdaRecord';
import { redriveQueue, type RedriveSettings, type RedriveSummary } from '../../scripts/lib/redriveQueue';
import { redriveTargets } from '../../scripts/lib/redriveTargets';
import { archivePrefixes } from '../../scripts/lib/archivePrefixes';
import { createTables, REGION, setAwsTestEnvironment, startDynalite, startKinesalite, testDynamoClient, TestStream, type Emulator } from '../helpers/emulators';
import type { KinesisHandler } from '../helpers/eventSourceMapping';
import { FakeAwsServer } from '../helpers/FakeAwsServer';
import { FakeLambdaServer } from '../helpers/fakeLambdaServer';
import { FakeSqsServer } from '../helpers/fakeSqsServer';
import { FaultProxy } from '../helpers/FaultProxy';
import { PolicyEnforcer } from '../helpers/policy/PolicyEnforcer';
import { batchFailureDocument, type BatchFailureOverrides } from '../helpers/redriveDocuments';
import { RedriveTrimmingProxy } from '../helpers/redriveTrimmingProxy';
import { assetSecond, kinesisRecord, lambdaContext, telemetry } from '../helpers/records';

/** The environment the tool runs for: every name and ARN comes from config/dev.yaml. */
const targets = redriveTargets('dev');
const STORER = targets.functions.storer;
const PROCESSOR = targets.functions.processor;
const SHARD = 'shardId-000000000000';
const BREAKER_OPEN_MS = 200;
/** Every fake authorizes against the rendered dev policies: the tool as the redrive policy's operator, the storer as its role. */
const enforcer = new PolicyEnforcer('dev');

/** Start of a minute a few minutes ago: inside the storer's accepted timestamp range. */
const BASE = Math.floor(Date.now() / 60_000) * 60_000 - 10 * 60_000;

let dynalite: Emulator;
let kinesalite: Emulator;
const dynamoProxy = new FaultProxy();
const kinesisProxy = new RedriveTrimmingProxy();
/** In front of the trimming proxy: authorizes the tool's Kinesis calls. */
const kinesisAuthorizer = new FaultProxy();
const s3 = new FakeAwsServer();
const sqs = new FakeSqsServer();
const lambda = new FakeLambdaServer();
let dynamo: DynamoDBClient;
let stream: TestStream;
let storer: KinesisHandler;
let clients: { sqs: SQSClient; kinesis: KinesisClient; lambda: LambdaClient };
/** What the fake processor answers per invocation (index from 0); default: no failures. */
let processorAnswer: (event: KinesisStreamEvent, index: number) => KinesisStreamBatchResponse;
let processorCalls = 0;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  dynalite = await startDynalite();
  kinesalite = await startKinesalite();
  await dynamoProxy.startInFrontOf(dynalite.endpoint);
  await kinesisProxy.startInFrontOf(kinesalite.endpoint);
  await kinesisAuthorizer.startInFrontOf(kinesisProxy.endpoint);
  await s3.start();
  await sqs.start();
  await lambda.start();
  setAwsTestEnvironment({ dynamodb: dynamoProxy.endpoint, s3: s3.endpoint }, enforcer.credentials('storer'));
  dynamoProxy.enforce(enforcer);
  kinesisAuthorizer.enforce(enforcer, 'kinesis');
  for (const fake of [s3, sqs, lambda]) fake.enforce(enforcer);
  process.env[ENV.readingsTable] = 'dynamodb-readings-dev';
  process.env[ENV.archiveBucket] = targets.archiveBucket;
  process.env[ENV.hotRetentionDays] = '30';
  process.env[ENV.powertoolsServiceName] = 'storer';
  process.env[ENV.circuitBreakerOpenMs] = String(BREAKER_OPEN_MS);
  dynamo = testDynamoClient(dynalite.endpoint);
  await createTables(dynamo, { readings: 'dynamodb-readings-dev' });
  ({ handler: storer } = await import('../../functions/storer'));

  // The environment's stream, on kinesalite: real sequence numbers and arrival times.
  stream = new TestStream(kinesalite.endpoint, targets.streamName);
  await stream.create();

  // The fake Lambda runs the REAL storer in process; the processor is a scripted stand-in.
  lambda.register(STORER.arn, (event) => storer(event as KinesisStreamEvent, lambdaContext()));
  lambda.register(PROCESSOR.arn, async (event) => processorAnswer(event as KinesisStreamEvent, processorCalls++));

  const http = { region: REGION, credentials: enforcer.credentials('redrive'), requestHandler: new NodeHttpHandler() };
  clients = {
    sqs: new SQSClient({ ...http, endpoint: sqs.endpoint }),
    kinesis: new KinesisClient({ ...http, endpoint: kinesisAuthorizer.endpoint }),
    lambda: new LambdaClient({ ...http, endpoint: lambda.endpoint }),
  };
});

afterAll(async () => {
  for (const client of [...Object.values(clients), dynamo]) client.destroy();
  for (const server of [lambda, sqs, s3, kinesisAuthorizer, kinesisProxy, dynamoProxy]) await server.stop();
  await dynalite.stop();
  await kinesalite.stop();
});

beforeEach(() => {
  sqs.reset();
  lambda.invocations.length = 0;
  dynamoProxy.clear();
  kinesisProxy.trimThrough(undefined);
  processorAnswer = () => ({ batchItemFailures: [] });
  processorCalls = 0;
});

interface Run extends RedriveSummary {
  readonly lines: string[];
}

async function redrive(options: Partial<RedriveOptions> = {}, settings: RedriveSettings = {}, sqsClient: SQSClient = clients.sqs): Promise<Run> {
  const lines: string[] = [];
  const summary = await redriveQueue(
    { ...clients, sqs: sqsClient },
    targets,
    { environment: 'dev', dryRun: false, maxMessages: 50, ...options },
    (line) => lines.push(line),
    { waitTimeSeconds: 0, ...settings },
  );
  return { ...summary, lines };
}

/** An SQS client of the redrive operator whose every ReceiveMessage goes through `around` (which calls `receive`). */
function sqsClientAroundReceive(around: (receive: () => Promise<unknown>) => Promise<unknown>): SQSClient {
  const client = new SQSClient({ region: REGION, credentials: enforcer.credentials('redrive'), requestHandler: new NodeHttpHandler(), endpoint: sqs.endpoint });
  client.middlewareStack.add(
    (next, context) => async (args) => (context.commandName === 'ReceiveMessageCommand' ? ((await around(() => next(args))) as Awaited<ReturnType<typeof next>>) : next(args)),
    { step: 'initialize', name: 'aroundReceive' },
  );
  return client;
}

/** Puts payloads on the stream and returns them as the records a mapping would have delivered. */
async function putRecords(payloads: readonly unknown[]): Promise<KinesisStreamRecord[]> {
  const sequences = await stream.put(payloads);
  const read = await stream.read({ at: sequences[0] ?? '' }, payloads.length);
  return read.map((record) => stream.toLambdaRecord(record));
}

/** A message of the mapping's on-failure destination for these records (the environment's stream and function). */
function deadLetter(records: readonly KinesisStreamRecord[], overrides: BatchFailureOverrides = {}): string {
  return sqs.send(batchFailureDocument(records, { functionArn: STORER.arn, streamArn: targets.streamArn, ...overrides }));
}

const range = (records: readonly KinesisStreamRecord[]): string =>
  `${records[0]?.kinesis.sequenceNumber}..${records[records.length - 1]?.kinesis.sequenceNumber}`;

/** Every stored reading of an asset's metrics as `metric@ts=value`, duplicates included. */
async function storedReadings(assetId: string, metrics: readonly string[]): Promise<string[]> {
  const readings: string[] = [];
  for (const metric of metrics) {
    const output = await dynamo.send(
      new QueryCommand({
        TableName: 'dynamodb-readings-dev',
        KeyConditionExpression: 'sensorId = :s',
        ExpressionAttributeValues: { ':s': { S: `${assetId}#${metric}` } },
        ConsistentRead: true,
      }),
    );
    for (const bucket of (output.Items ?? []).map(decodeBucketItem)) {
      bucket.ts.forEach((offset, i) => readings.push(`${metric}@${bucket.minute + offset}=${bucket.values[i]}`));
    }
  }
  return readings.sort();
}

/** Payloads of one asset, one message per second from BASE + `from` s, two metrics. */
function seconds(assetId: string, count: number, from = 1): unknown[] {
  return Array.from({ length: count }, (_, i) => assetSecond(assetId, BASE + (from + i) * 1_000, { temperature: 60 + i, pressure: i }));
}

function expectedReadings(count: number, from = 1): string[] {
  const readings: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const ts = BASE + (from + i) * 1_000;
    readings.push(`temperature@${ts}=${60 + i}`, `pressure@${ts}=${i}`);
  }
  return readings.sort();
}

/** Delivers records to the real storer while DynamoDB drops every connection: what the mapping gives up on. */
async function failWhileDynamoIsDown(records: KinesisStreamRecord[]): Promise<void> {
  dynamoProxy.inject('*', 'reset');
  const response = await storer({ Records: records }, lambdaContext());
  expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(records.map((r) => r.kinesis.sequenceNumber));
  await recoverDynamo();
}

let probes = 0;

/**
 * Ends a DynamoDB outage the way production sees it: the storer's circuit breaker stays open a moment,
 * then lets one probe through (concurrent writes meanwhile fail fast), so a live batch of one record
 * goes first and closes it before the test redrives anything.
 */
async function recoverDynamo(): Promise<void> {
  dynamoProxy.clear();
  for (let attempt = 0; attempt < 10; attempt += 1) {
    await sleep(BREAKER_OPEN_MS + 50);
    probes += 1;
    const live = await putRecords([assetSecond('rd-live', BASE + probes * 1_000, { temperature: probes })]);
    if ((await storer({ Records: live }, lambdaContext())).batchItemFailures.length === 0) return;
  }
  throw new Error('the storer did not recover from the DynamoDB outage');
}

describe('redrive against the real storer, kinesalite, dynalite and fake SQS and Lambda', () => {
  test('a batch dead-lettered while DynamoDB was down is stored exactly once and its message deleted; a redelivered message changes nothing', async () => {
    const records = await putRecords(seconds('rd-a', 6));
    await failWhileDynamoIsDown(records);
    expect(await storedReadings('rd-a', ['temperature', 'pressure'])).toEqual([]);
    const id = deadLetter(records);

    const run = await redrive();

    expect(run.lines).toEqual([
      `message ${id} | storer | ${SHARD} | ${range(records)} | 6 records | redriven (1 invocation), message deleted`,
      'redrive: 1 message, 1 redriven, 0 kept',
    ]);
    expect(run.exitCode).toBe(0);
    expect(await storedReadings('rd-a', ['temperature', 'pressure'])).toEqual(expectedReadings(6));
    expect(sqs.messages).toEqual([]);
    // The queue of the environment, read with a visibility timeout that outlasts a redrive.
    expect(sqs.callsOf('ReceiveMessage')[0]?.input).toMatchObject({
      QueueUrl: 'https://sqs.sa-east-1.amazonaws.com/111122223333/sqs-stream-dlq-dev',
      MaxNumberOfMessages: 10,
      VisibilityTimeout: 300,
    });
    // Invoked synchronously, by ARN, with Lambda's Kinesis event carrying the ORIGINAL coordinates.
    const [invocation] = lambda.invocations;
    expect(invocation).toMatchObject({ functionName: 'arn:aws:lambda:sa-east-1:111122223333:function:lambda-storer-dev', invocationType: 'RequestResponse' });
    const sent = (invocation?.event as KinesisStreamEvent).Records;
    expect(sent.map((r) => r.kinesis)).toEqual(records.map((r) => r.kinesis));
    expect(sent[0]).toEqual({
      kinesis: records[0]?.kinesis,
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventID: `${SHARD}:${records[0]?.kinesis.sequenceNumber}`,
      eventName: 'aws:kinesis:record',
      invokeIdentityArn: 'arn:aws:iam::111122223333:role/iam-storer-dev',
      awsRegion: 'sa-east-1',
      eventSourceARN: 'arn:aws:kinesis:sa-east-1:111122223333:stream/kinesis-telemetry-dev',
    });

    // The destination delivers at least once: the same document again, and a second run.
    const again = deadLetter(records);
    const second = await redrive();
    expect(second.lines).toEqual([
      `message ${again} | storer | ${SHARD} | ${range(records)} | 6 records | redriven (1 invocation), message deleted`,
      'redrive: 1 message, 1 redriven, 0 kept',
    ]);
    expect(await storedReadings('rd-a', ['temperature', 'pressure'])).toEqual(expectedReadings(6));
    expect(sqs.messages).toEqual([]);
  });

  test('a message whose invocation reports batchItemFailures is kept, and redriven once the dependency is back', async () => {
    const records = await putRecords(seconds('rd-b', 3));
    await failWhileDynamoIsDown(records);
    const id = deadLetter(records);
    dynamoProxy.inject('*', 'reset');

    const failed = await redrive();

    expect(failed.lines).toEqual([
      `message ${id} | storer | ${SHARD} | ${range(records)} | 3 records | kept: invocation 1 of 1 reported 3 batch item failures from sequence number ${records[0]?.kinesis.sequenceNumber}`,
      'redrive: 1 message, 0 redriven, 1 kept (1 batch item failures)',
    ]);
    expect(failed.exitCode).toBe(1);
    expect(sqs.callsOf('DeleteMessage')).toEqual([]);
    expect(sqs.messages.map((m) => m.messageId)).toEqual([id]);
    // Kept invisible until its visibility timeout lapses: a run right after finds nothing.
    expect((await redrive()).lines).toEqual(['redrive: 0 messages, 0 redriven, 0 kept']);

    await recoverDynamo();
    sqs.expireVisibility();
    const retried = await redrive();
    expect(retried.lines).toEqual([
      `message ${id} | storer | ${SHARD} | ${range(records)} | 3 records | redriven (1 invocation), message deleted`,
      'redrive: 1 message, 1 redriven, 0 kept',
    ]);
    expect(await storedReadings('rd-b', ['temperature', 'pressure'])).toEqual(expectedReadings(3));
  });

  test('malformed messages, other functions and other streams are reported and kept, nothing is invoked', async () => {
    const records = await putRecords(seconds('rd-c', 2));
    const reads = kinesisProxy.count('GetShardIterator');
    const notJson = sqs.send('{"KinesisBatchInfo": ');
    const notBatchInfo = sqs.send(JSON.stringify({ Type: 'Notification', Message: 'hello' }));
    const badRange = sqs.send(
      batchFailureDocument(records, { functionArn: STORER.arn, streamArn: targets.streamArn }).replace(`"startSequenceNumber":"${records[0]?.kinesis.sequenceNumber}"`, '"startSequenceNumber":"12x"'),
    );
    const otherFunction = deadLetter(records, { functionArn: 'arn:aws:lambda:sa-east-1:111122223333:function:lambda-storer-prod' });
    const otherStream = deadLetter(records, { streamArn: 'arn:aws:kinesis:sa-east-1:111122223333:stream/kinesis-telemetry-prod' });

    const run = await redrive();

    expect(run.lines).toEqual([
      `message ${notJson} | - | - | - | - | kept: not a Kinesis batch-info document: body is not JSON`,
      `message ${notBatchInfo} | - | - | - | - | kept: not a Kinesis batch-info document: no KinesisBatchInfo object`,
      `message ${badRange} | - | - | - | - | kept: not a Kinesis batch-info document: KinesisBatchInfo.startSequenceNumber is invalid ("12x")`,
      `message ${otherFunction} | arn:aws:lambda:sa-east-1:111122223333:function:lambda-storer-prod | ${SHARD} | ${range(records)} | - | ` +
        'kept: refused: arn:aws:lambda:sa-east-1:111122223333:function:lambda-storer-prod is not lambda-processor-dev or lambda-storer-dev of environment dev',
      `message ${otherStream} | storer | ${SHARD} | ${range(records)} | - | ` +
        'kept: refused: stream arn:aws:kinesis:sa-east-1:111122223333:stream/kinesis-telemetry-prod is not arn:aws:kinesis:sa-east-1:111122223333:stream/kinesis-telemetry-dev',
      'redrive: 5 messages, 0 redriven, 5 kept (3 malformed, 2 refused)',
    ]);
    expect(run.exitCode).toBe(1);
    expect(lambda.invocations).toEqual([]);
    expect(kinesisProxy.count('GetShardIterator')).toBe(reads);
    expect(sqs.callsOf('DeleteMessage')).toEqual([]);
    expect(sqs.messages).toHaveLength(5);
  });

  test('--dry-run reads and reports what it would invoke, invokes and deletes nothing, and releases the messages', async () => {
    const records = await putRecords(seconds('rd-d', 4));
    const id = deadLetter(records);
    const bytes = eventBytes({
      Records: (await stream.read({ at: records[0]?.kinesis.sequenceNumber ?? '' }, 4)).map((record) =>
        toLambdaRecord(record, { shardId: SHARD, streamArn: targets.streamArn, region: 'sa-east-1', roleArn: STORER.roleArn }),
      ),
    });

    const run = await redrive({ dryRun: true });

    expect(run.lines).toEqual([
      `message ${id} | storer | ${SHARD} | ${range(records)} | 4 records | dry run: would invoke lambda-storer-dev once (4 records, ${bytes} bytes)`,
      'redrive: 1 message, 0 redriven, 1 kept (1 dry run)',
    ]);
    expect(run.exitCode).toBe(0);
    expect(lambda.invocations).toEqual([]);
    expect(sqs.callsOf('DeleteMessage')).toEqual([]);
    expect(sqs.callsOf('ChangeMessageVisibility').map((call) => call.input.VisibilityTimeout)).toEqual([0]);
    expect(sqs.messages.map((m) => [m.messageId, m.visibleAt <= Date.now()])).toEqual([[id, true]]);
    expect(await storedReadings('rd-d', ['temperature'])).toEqual([]);
  });

  test('records expired from the stream are reported with the archive prefixes to recover them from, and the message kept', async () => {
    const records = await putRecords(seconds('rd-e', 3));
    // Kinesis trimmed the first two: an iterator at the start begins after them.
    kinesisProxy.trimThrough(records[1]?.kinesis.sequenceNumber);
    const id = deadLetter(records, { firstArrival: '2025-11-29T12:03:00.000Z', lastArrival: '2025-11-29T12:04:10.000Z' });

    const run = await redrive();

    expect(run.lines).toEqual([
      `message ${id} | storer | ${SHARD} | ${range(records)} | - | kept: expired: the stream no longer holds ${records[0]?.kinesis.sequenceNumber} ` +
        `(the oldest record left is ${records[2]?.kinesis.sequenceNumber}); recover the records that arrived 2025-11-29T12:03:00.000Z to 2025-11-29T12:04:10.000Z ` +
        'from the archive: s3://s3-archive-111122223333-dev/raw/year=2025/month=11/day=29/hour=11/ s3://s3-archive-111122223333-dev/raw/year=2025/month=11/day=29/hour=12/',
      'redrive: 1 message, 0 redriven, 1 kept (1 expired)',
    ]);
    expect(run.exitCode).toBe(1);
    expect(lambda.invocations).toEqual([]);
    expect(sqs.messages.map((m) => m.messageId)).toEqual([id]);
  });

  test('a range larger than one invocation payload is split into contiguous invocations in order, extending the visibility as it goes', async () => {
    const records = await putRecords(seconds('rd-f', 10));
    const id = deadLetter(records);
    const oneRecord = eventBytes({ Records: [toLambdaRecord((await stream.read({ at: records[0]?.kinesis.sequenceNumber ?? '' }, 1))[0] ?? {}, { shardId: SHARD, streamArn: targets.streamArn, region: 'sa-east-1', roleArn: STORER.roleArn })] });
    let clock = 0;

    const run = await redrive({}, { maxPayloadBytes: oneRecord * 4, now: () => (clock += 200_000) });

    expect(run.lines).toEqual([
      `message ${id} | storer | ${SHARD} | ${range(records)} | 10 records | redriven (3 invocations), message deleted`,
      'redrive: 1 message, 1 redriven, 0 kept',
    ]);
    const sent = lambda.invocations.map((invocation) => (invocation.event as KinesisStreamEvent).Records.map((r) => r.kinesis.sequenceNumber));
    expect(sent.map((event) => event.length)).toEqual([4, 4, 2]);
    expect(sent.flat()).toEqual(records.map((r) => r.kinesis.sequenceNumber));
    expect(Math.max(...lambda.invocations.map((invocation) => invocation.bytes))).toBeLessThanOrEqual(oneRecord * 4);
    // Half the visibility timeout had passed before invocations 2 and 3: extended each time.
    expect(sqs.callsOf('ChangeMessageVisibility').map((call) => call.input.VisibilityTimeout)).toEqual([300, 300]);
    expect(await storedReadings('rd-f', ['temperature', 'pressure'])).toEqual(expectedReadings(10));
  });

  test('a split range stops at the first invocation that reports failures and keeps the message', async () => {
    const records = await putRecords(seconds('rd-g', 6));
    const id = deadLetter(records, { functionArn: PROCESSOR.arn });
    processorAnswer = (event, index) => ({ batchItemFailures: index === 1 ? [{ itemIdentifier: event.Records[1]?.kinesis.sequenceNumber ?? '' }] : [] });
    const sizes = splitIntoEvents(records, Number.MAX_SAFE_INTEGER).map(eventBytes);
    expect(sizes).toHaveLength(1);

    const run = await redrive({}, { maxPayloadBytes: Math.ceil((sizes[0] ?? 0) / 3) + 200 });

    expect(run.lines).toEqual([
      `message ${id} | processor | ${SHARD} | ${range(records)} | 6 records | kept: invocation 2 of 3 reported 1 batch item failure from sequence number ${records[3]?.kinesis.sequenceNumber}`,
      'redrive: 1 message, 0 redriven, 1 kept (1 batch item failures)',
    ]);
    expect(lambda.invocations.map((invocation) => invocation.functionName)).toEqual([PROCESSOR.arn, PROCESSOR.arn]);
    expect((lambda.invocations[0]?.event as KinesisStreamEvent).Records[0]?.invokeIdentityArn).toBe('arn:aws:iam::111122223333:role/iam-processor-dev');
    expect(sqs.messages.map((m) => m.messageId)).toEqual([id]);
  });

  test('--function storer redrives the storer\'s messages and releases the processor\'s at once', async () => {
    const records = await putRecords(seconds('rd-h', 2));
    const processorMessage = deadLetter(records, { functionArn: PROCESSOR.arn });
    const storerMessage = deadLetter(records);

    const run = await redrive({ onlyFunction: 'storer' });

    expect(run.lines).toEqual([
      `message ${processorMessage} | processor | ${SHARD} | ${range(records)} | - | left in the queue: not --function storer`,
      `message ${storerMessage} | storer | ${SHARD} | ${range(records)} | 2 records | redriven (1 invocation), message deleted`,
      'redrive: 2 messages, 1 redriven, 1 kept (1 other function)',
    ]);
    expect(run.exitCode).toBe(0);
    expect(processorCalls).toBe(0);
    expect(sqs.messages.map((m) => [m.messageId, m.visibleAt <= Date.now()])).toEqual([[processorMessage, true]]);
  });

  test('a receive that brings back only messages the run has seen does not end it: the messages it never looked at are still tried', async () => {
    const records = await putRecords(seconds('rd-k', 1));
    const ids = Array.from({ length: 12 }, () => deadLetter(records, { functionArn: PROCESSOR.arn }));
    // Every redrive reports a failure, and the tenth lets the kept messages' visibility lapse (a long run):
    // the next receive (ten at most, oldest first) brings back only the ten the run has seen.
    processorAnswer = (event, index) => {
      if (index === 9) sqs.expireVisibility();
      return { batchItemFailures: [{ itemIdentifier: event.Records[0]?.kinesis.sequenceNumber ?? '' }] };
    };

    const run = await redrive();

    expect(run.outcomes.map((outcome) => outcome.messageId)).toEqual(ids);
    expect(run.lines.at(-1)).toBe('redrive: 12 messages, 0 redriven, 12 kept (12 batch item failures)');
    expect(run.exitCode).toBe(1);
    expect(processorCalls).toBe(12);
  });

  test('a message to release that came back during the run is released with its new receipt handle', async () => {
    const records = await putRecords(seconds('rd-l', 1));
    const processorMessages = Array.from({ length: 9 }, () => deadLetter(records, { functionArn: PROCESSOR.arn }));
    const storerMessage = deadLetter(records);
    // The storer's invocation outlasts the visibility of the nine left for the processor, which come back.
    lambda.register(STORER.arn, (event) => {
      sqs.expireVisibility();
      return storer(event as KinesisStreamEvent, lambdaContext());
    });
    try {
      const run = await redrive({ onlyFunction: 'storer' });
      expect(run.lines.at(-1)).toBe('redrive: 10 messages, 1 redriven, 9 kept (9 other function)');
      expect(run.outcomes.find((outcome) => outcome.messageId === storerMessage)?.kept).toBeUndefined();
    } finally {
      lambda.register(STORER.arn, (event) => storer(event as KinesisStreamEvent, lambdaContext()));
    }
    // Released with the handle of their latest receive: visible again at once, not in five minutes.
    expect(sqs.messages.map((m) => [m.messageId, m.visibleAt <= Date.now()])).toEqual(processorMessages.map((id) => [id, true]));
  });

  test('--max-messages bounds the run', async () => {
    const records = await putRecords(seconds('rd-i', 1));
    const ids = [deadLetter(records), deadLetter(records), deadLetter(records)];

    const run = await redrive({ maxMessages: 2 });

    expect(run.lines.at(-1)).toBe('redrive: 2 messages, 2 redriven, 0 kept; at least 1 more message in the queue not read (--max-messages 2): run again, or raise --max-messages');
    expect(run.exitCode).toBe(1);
    expect(sqs.messages.map((m) => [m.messageId, m.visibleAt <= Date.now()])).toEqual([[ids[2], true]]);
  });

  test('a run that stops at the default --max-messages with more in the queue says so and fails; the rest go back at once and the next run takes them', async () => {
    const records = await putRecords(seconds('rd-m', 1));
    const ids = Array.from({ length: 60 }, () => deadLetter(records, { functionArn: PROCESSOR.arn }));

    const run = await redrive();

    expect(run.lines).toHaveLength(51);
    expect(run.lines.at(-1)).toBe('redrive: 50 messages, 50 redriven, 0 kept; at least 10 more messages in the queue not read (--max-messages 50): run again, or raise --max-messages');
    expect(run.unread).toEqual({ state: 'some', atLeast: 10 });
    expect(run.exitCode).toBe(1);
    expect(processorCalls).toBe(50);
    // The check only looked: the ten are visible again at once, not in five minutes.
    expect(sqs.messages.map((m) => [m.messageId, m.visibleAt <= Date.now()])).toEqual(ids.slice(50).map((id) => [id, true]));

    const next = await redrive();
    expect(next.lines.at(-1)).toBe('redrive: 10 messages, 10 redriven, 0 kept');
    expect(next.exitCode).toBe(0);
    expect(sqs.messages).toEqual([]);
  });

  test('--dry-run that stops at --max-messages says the same and fails, deleting nothing', async () => {
    const records = await putRecords(seconds('rd-n', 1));
    const ids = Array.from({ length: 60 }, () => deadLetter(records, { functionArn: PROCESSOR.arn }));

    const run = await redrive({ dryRun: true });

    expect(run.lines.at(-1)).toBe(
      'redrive: 50 messages, 0 redriven, 50 kept (50 dry run); at least 10 more messages in the queue not read (--max-messages 50): raise --max-messages to read them too',
    );
    expect(run.exitCode).toBe(1);
    expect(processorCalls).toBe(0);
    expect(sqs.callsOf('DeleteMessage')).toEqual([]);
    expect(sqs.messages.map((m) => [m.messageId, m.visibleAt <= Date.now()])).toEqual(ids.map((id) => [id, true]));
  });

  test('exactly --max-messages messages: the check finds the queue empty and the run succeeds', async () => {
    const records = await putRecords(seconds('rd-o', 1));
    Array.from({ length: 50 }, () => deadLetter(records, { functionArn: PROCESSOR.arn }));

    const run = await redrive();

    expect(run.lines.at(-1)).toBe('redrive: 50 messages, 50 redriven, 0 kept');
    expect(run.unread).toEqual({ state: 'none' });
    expect(run.exitCode).toBe(0);
    // Five receives of ten, then the check's, which came back empty.
    expect(sqs.callsOf('ReceiveMessage').map((call) => call.input.MaxNumberOfMessages)).toEqual([10, 10, 10, 10, 10, 10]);
    expect(sqs.messages).toEqual([]);
  });

  test.each([
    [2, 'redrive: 2 messages, 0 redriven, 2 kept (2 batch item failures)'],
    [3, 'redrive: 2 messages, 0 redriven, 2 kept (2 batch item failures); at least 1 more message in the queue not read (--max-messages 2): run again, or raise --max-messages'],
  ])('kept messages back early in the check are not counted as not read (%i in the queue)', async (count, summary) => {
    const records = await putRecords(seconds('rd-p', 1));
    const ids = Array.from({ length: count }, () => deadLetter(records, { functionArn: PROCESSOR.arn }));
    // Both redrives fail, and the second outlasts the first kept message's visibility (a long run).
    processorAnswer = (event, index) => {
      if (index === 1) sqs.expireVisibility();
      return { batchItemFailures: [{ itemIdentifier: event.Records[0]?.kinesis.sequenceNumber ?? '' }] };
    };

    const run = await redrive({ maxMessages: 2 });

    expect(run.lines.at(-1)).toBe(summary);
    expect(run.exitCode).toBe(1);
    expect(processorCalls).toBe(2);
    // The run's receive, then the check's: the two kept ones (and the unread third), and with only the two, an empty one.
    expect(sqs.callsOf('ReceiveMessage')).toHaveLength(count === 2 ? 3 : 2);
    // They were visible before the check took them: it gives them back as it found them.
    expect(sqs.messages.map((m) => [m.messageId, m.visibleAt <= Date.now()])).toEqual(ids.map((id) => [id, true]));
  });

  test('when the check cannot tell, the summary says the queue may hold more and the run fails; the messages are still released', async () => {
    const records = await putRecords(seconds('rd-q', 1));
    const ids = [deadLetter(records), deadLetter(records)];
    // Every receive outlasts the visibility of what it took: the check keeps getting the two the run has read.
    const lapsing = sqsClientAroundReceive(async (receive) => {
      const output = await receive();
      sqs.expireVisibility();
      return output;
    });
    let receives = 0;
    const failing = sqsClientAroundReceive(async (receive) => {
      receives += 1;
      if (receives > 1) throw Object.assign(new Error('socket hang up'), { name: 'TimeoutError' });
      return receive();
    });
    try {
      const lapsed = await redrive({ dryRun: true, maxMessages: 2 }, {}, lapsing);
      expect(lapsed.lines.at(-1)).toBe(
        'redrive: 2 messages, 0 redriven, 2 kept (2 dry run); the queue may hold more messages not read ' +
          '(--max-messages 2; the receives that check brought back only messages this run had tried): raise --max-messages to read them too',
      );
      expect(lapsed.exitCode).toBe(1);

      const failed = await redrive({ dryRun: true, maxMessages: 1 }, {}, failing);
      expect(failed.lines.at(-1)).toBe(
        'redrive: 1 message, 0 redriven, 1 kept (1 dry run); the queue may hold more messages not read ' +
          '(--max-messages 1; the receive that checks failed: TimeoutError: socket hang up): raise --max-messages to read them too',
      );
      expect(failed.exitCode).toBe(1);
    } finally {
      lapsing.destroy();
      failing.destroy();
    }
    expect(sqs.callsOf('DeleteMessage')).toEqual([]);
    expect(sqs.messages.map((m) => [m.messageId, m.visibleAt <= Date.now()])).toEqual(ids.map((id) => [id, true]));
  });

  test('readings redriven into a bucket that later records of the shard already reached are stored, once', async () => {
    const given = await putRecords(seconds('rd-j', 1, 1));
    const later = await putRecords(seconds('rd-j', 1, 2));
    await failWhileDynamoIsDown(given);
    expect(await storer({ Records: later }, lambdaContext())).toEqual({ batchItemFailures: [] });
    deadLetter(given);

    expect((await redrive()).lines.at(-1)).toBe('redrive: 1 message, 1 redriven, 0 kept');
    const both = [`pressure@${BASE + 1_000}=0`, `pressure@${BASE + 2_000}=0`, `temperature@${BASE + 1_000}=60`, `temperature@${BASE + 2_000}=60`];
    expect(await storedReadings('rd-j', ['temperature', 'pressure'])).toEqual(both);

    deadLetter(given);
    expect((await redrive()).lines.at(-1)).toBe('redrive: 1 message, 1 redriven, 0 kept');
    expect(await storedReadings('rd-j', ['temperature', 'pressure'])).toEqual(both);
  });
});

describe('redrive pieces', () => {
  test('archive prefixes span the buffering interval before the first arrival, across day and year boundaries', () => {
    expect(archivePrefixes(targets, Date.parse('2026-01-01T00:02:00Z'), Date.parse('2026-01-01T01:00:00Z'))).toEqual([
      's3://s3-archive-111122223333-dev/raw/year=2025/month=12/day=31/hour=23/',
      's3://s3-archive-111122223333-dev/raw/year=2026/month=01/day=01/hour=00/',
      's3://s3-archive-111122223333-dev/raw/year=2026/month=01/day=01/hour=01/',
    ]);
    expect(archivePrefixes(targets, Date.parse('2026-01-01T00:30:00Z'), Date.parse('2026-01-01T00:31:00Z'))).toEqual([
      's3://s3-archive-111122223333-dev/raw/year=2026/month=01/day=01/hour=00/',
    ]);
  });

  test('the failure document: every field the redrive relies on is checked', () => {
    const valid = JSON.parse(
      batchFailureDocument([kinesisRecord(telemetry(), { sequenceNumber: '1', shardId: SHARD, arrivedAt: 1000 })], {
        functionArn: STORER.arn,
        streamArn: targets.streamArn,
      }),
    ) as { KinesisBatchInfo: Record<string, unknown>; requestContext: Record<string, unknown> };
    const reason = (change: (doc: typeof valid) => void): string | undefined => {
      const doc = structuredClone(valid);
      change(doc);
      const parsed = parseBatchFailure(JSON.stringify(doc));
      return parsed.ok ? undefined : parsed.reason;
    };
    expect(reason(() => undefined)).toBeUndefined();
    expect(parseBatchFailure('[]')).toEqual({ ok: false, reason: 'body is not a JSON object' });
    expect(reason((d) => delete d.requestContext.functionArn)).toBe('requestContext.functionArn is missing');
    expect(reason((d) => (d.KinesisBatchInfo.shardId = 'shard-1'))).toBe('KinesisBatchInfo.shardId is invalid ("shard-1")');
    expect(reason((d) => (d.KinesisBatchInfo.endSequenceNumber = '0'))).toBe('KinesisBatchInfo.startSequenceNumber is above endSequenceNumber');
    expect(reason((d) => (d.KinesisBatchInfo.batchSize = 0))).toBe('KinesisBatchInfo.batchSize is invalid (0)');
    expect(reason((d) => (d.KinesisBatchInfo.approximateArrivalOfLastRecord = 'yesterday'))).toBe('KinesisBatchInfo.approximateArrivalOfLastRecord is invalid ("yesterday")');
    expect(reason((d) => delete (d as Partial<typeof d>).requestContext)).toBe('no requestContext object');
  });

  test('command line: exact one-line errors', () => {
    expect(parseRedriveArgs(['--env', 'dev'])).toEqual({ environment: 'dev', dryRun: false, maxMessages: 50 });
    expect(parseRedriveArgs(['--env', 'prod', '--dry-run', '--max-messages', '7', '--function', 'processor'])).toEqual({
      environment: 'prod',
      dryRun: true,
      maxMessages: 7,
      onlyFunction: 'processor',
    });
    const usage = 'usage: redrive --env <env> [--dry-run] [--max-messages N] [--function processor|storer]';
    const error = (args: string[]): string => {
      try {
        parseRedriveArgs(args);
        return 'no error';
      } catch (e) {
        return (e as Error).message;
      }
    };
    expect(error([])).toBe(`missing --env; ${usage}`);
    expect(error(['--env'])).toBe(`--env needs a value; ${usage}`);
    expect(error(['--env', 'dev', '--max-messages', '1.5'])).toBe('--max-messages must be a whole number from 1 to 10000, got "1.5"');
    expect(error(['--env', 'dev', '--function', 'firehose'])).toBe('--function must be processor or storer, got "firehose"');
    expect(error(['--env', 'dev', '--force'])).toBe(`unknown argument "--force"; ${usage}`);
    // --flag=value, as parseArgs reads it for the other tools.
    expect(parseRedriveArgs(['--env=prod', '--max-messages=7', '--function=storer'])).toEqual({ environment: 'prod', dryRun: false, maxMessages: 7, onlyFunction: 'storer' });
    expect(error(['--env='])).toBe(`--env needs a value; ${usage}`);
    expect(error(['--env', '--dry-run'])).toBe(`--env needs a value; ${usage}`);
    expect(error(['--env=dev', '--max-messages=0'])).toBe('--max-messages must be a whole number from 1 to 10000, got "0"');
    expect(error(['--env=dev', '--dry-run=yes'])).toBe(`--dry-run takes no value, got "--dry-run=yes"; ${usage}`);
    expect(error(['--env=dev', '--force=1'])).toBe(`unknown argument "--force=1"; ${usage}`);
    expect(error(['--env=dev', 'prod'])).toBe(`unknown argument "prod"; ${usage}`);
    expect(() => redriveTargets('staging')).toThrow(
      new Error('--env staging: config/staging.yaml: (environment): value "staging" is not allowed; unknown environment; known environments are dev, prod'),
    );
  });

  test.each([[['--env', 'staging']], [['--env=staging']]])('the CLI exits 2 with one line for a usage or config error (%j)', (args) => {
    const result = spawnSync(process.execPath, [require.resolve('tsx/cli'), join(__dirname, '..', '..', 'scripts', 'redrive.ts'), ...args], { encoding: 'utf8' });
    expect(result.stderr).toBe(
      'redrive: --env staging: config/staging.yaml: (environment): value "staging" is not allowed; unknown environment; known environments are dev, prod\n',
    );
    expect(result.stdout).toBe('');
    expect(result.status).toBe(2);
  });
});

describe('the AWS calls of the redrive and the storer under the rendered policies', () => {
  test('were all allowed, and each is a required call of the policy proof', () => {
    expect(enforcer.errors).toEqual([]);
    expect(enforcer.deniedCalls()).toEqual([]);
    expect(enforcer.uncataloguedCalls()).toEqual([]);
    const actionsOf = (identity: 'redrive' | 'storer'): string[] => [...new Set(enforcer.calls.filter((call) => call.identity === identity).map((call) => call.action))].sort();
    expect(actionsOf('redrive')).toEqual([
      'kinesis:GetRecords',
      'kinesis:GetShardIterator',
      'lambda:InvokeFunction',
      'sqs:ChangeMessageVisibility',
      'sqs:DeleteMessage',
      'sqs:ReceiveMessage',
    ]);
    expect(actionsOf('storer')).toEqual(['dynamodb:PutItem']);
  });
});
