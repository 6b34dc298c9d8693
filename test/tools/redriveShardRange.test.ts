import { GetItemCommand, QueryCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient, SplitShardCommand, type _Record } from '@aws-sdk/client-kinesis';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ENV } from '../../functions/shared/constants';
import { decodeBucketItem } from '../../functions/storer/decodeBucketItem';
import { eventBytes } from '../../scripts/lib/eventBytes';
import { parseRedriveArgs, type ShardRangeOptions } from '../../scripts/lib/redriveArgs';
import { redriveShardRange, type ShardRangeSettings, type ShardRangeSummary } from '../../scripts/lib/redriveShardRange';
import { redriveTargets } from '../../scripts/lib/redriveTargets';
import { toLambdaRecord } from '../../scripts/lib/toLambdaRecord';
import { createTables, REGION, setAwsTestEnvironment, startDynalite, startKinesalite, testDynamoClient, TestStream, type Emulator } from '../helpers/emulators';
import type { KinesisHandler } from '../helpers/eventSourceMapping';
import { FakeAwsServer } from '../helpers/FakeAwsServer';
import { FakeLambdaServer } from '../helpers/fakeLambdaServer';
import { FaultProxy } from '../helpers/FaultProxy';
import { PolicyEnforcer } from '../helpers/policy/PolicyEnforcer';
import { assetSecond, lambdaContext } from '../helpers/records';

/** Every name and ARN comes from config/dev.yaml; the fakes authorize each call against the rendered dev policies. */
const targets = redriveTargets('dev');
const STORER = targets.functions.storer;
const PROCESSOR = targets.functions.processor;
const SHARD = 'shardId-000000000000';
const enforcer = new PolicyEnforcer('dev');
const { names } = enforcer.policies;

/** Start of a minute a few minutes ago: inside the functions' accepted timestamp range. */
const BASE = Math.floor(Date.now() / 60_000) * 60_000 - 10 * 60_000;

let dynalite: Emulator;
let kinesalite: Emulator;
const dynamoProxy = new FaultProxy();
/** In front of kinesalite: authorizes the tool's Kinesis calls as the redrive operator's. */
const kinesisAuthorizer = new FaultProxy();
const aws = new FakeAwsServer();
const lambda = new FakeLambdaServer();
let dynamo: DynamoDBClient;
let stream: TestStream;
let clients: { kinesis: KinesisClient; lambda: LambdaClient };
let storer: KinesisHandler;
let processor: KinesisHandler;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs a real handler as its own role: both functions share this process's environment, and each SDK client
 * keeps the credentials it first resolved, which is during its own function's first invocation (the tool
 * invokes one at a time).
 */
function asRole(role: 'processor' | 'storer', handler: () => KinesisHandler): (event: unknown) => Promise<KinesisStreamBatchResponse> {
  return (event) => {
    const { accessKeyId, secretAccessKey } = enforcer.credentials(role);
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey });
    return handler()(event as KinesisStreamEvent, lambdaContext());
  };
}

beforeAll(async () => {
  dynalite = await startDynalite();
  kinesalite = await startKinesalite();
  await dynamoProxy.startInFrontOf(dynalite.endpoint);
  await kinesisAuthorizer.startInFrontOf(kinesalite.endpoint);
  await aws.start();
  await lambda.start();
  setAwsTestEnvironment({ dynamodb: dynamoProxy.endpoint, s3: aws.endpoint, sns: aws.endpoint });
  dynamoProxy.enforce(enforcer);
  kinesisAuthorizer.enforce(enforcer, 'kinesis');
  aws.enforce(enforcer);
  lambda.enforce(enforcer);
  Object.assign(process.env, {
    [ENV.readingsTable]: names.readingsTable,
    [ENV.hotRetentionDays]: '30',
    [ENV.assetStatusTable]: names.assetStatusTable,
    [ENV.detectorStateTable]: names.detectorStateTable,
    [ENV.alertTopicArn]: names.alertTopicArn,
    [ENV.archiveBucket]: names.archiveBucket,
    [ENV.dashboardUrl]: 'https://sa-east-1.console.aws.amazon.com/cloudwatch/home?region=sa-east-1#dashboards/dashboard/telemetry-test',
    [ENV.detectorConfig]: JSON.stringify({ warmupSamples: 10, cooldownSeconds: 60, limits: { temperature: { max: 100 } } }),
    [ENV.statusHeartbeatSeconds]: '60',
    // Every batch checkpoints, so the table shows exactly what the detector judged.
    [ENV.checkpointIntervalSeconds]: '0',
    [ENV.circuitBreakerOpenMs]: '200',
  });
  dynamo = testDynamoClient(dynalite.endpoint);
  await createTables(dynamo, { readings: names.readingsTable, assetStatus: names.assetStatusTable, detectorState: names.detectorStateTable });
  process.env[ENV.powertoolsServiceName] = 'storer';
  ({ handler: storer } = await import('../../functions/storer'));
  process.env[ENV.powertoolsServiceName] = 'processor';
  ({ handler: processor } = await import('../../functions/processor'));

  // The environment's stream, on kinesalite: real sequence numbers and arrival times.
  stream = new TestStream(kinesalite.endpoint, targets.streamName);
  await stream.create();

  const http = { region: REGION, credentials: enforcer.credentials('redrive'), requestHandler: new NodeHttpHandler() };
  clients = { kinesis: new KinesisClient({ ...http, endpoint: kinesisAuthorizer.endpoint }), lambda: new LambdaClient({ ...http, endpoint: lambda.endpoint }) };
});

afterAll(async () => {
  for (const client of [...Object.values(clients), dynamo, stream.client]) client.destroy();
  for (const server of [lambda, aws, kinesisAuthorizer, dynamoProxy]) await server.stop();
  await dynalite.stop();
  await kinesalite.stop();
});

beforeEach(() => {
  lambda.invocations.length = 0;
  lambda.register(STORER.arn, asRole('storer', () => storer));
  lambda.register(PROCESSOR.arn, asRole('processor', () => processor));
});

interface Run extends ShardRangeSummary {
  readonly lines: string[];
}

async function redrive(options: Partial<ShardRangeOptions> & Pick<ShardRangeOptions, 'fromMs' | 'toMs'>, settings: ShardRangeSettings = {}, kinesis = clients.kinesis): Promise<Run> {
  const lines: string[] = [];
  const summary = await redriveShardRange(
    { kinesis, lambda: clients.lambda },
    targets,
    { environment: 'dev', fn: 'storer', shardId: SHARD, dryRun: false, ...options },
    (line) => lines.push(line),
    { pageIntervalMs: 0, ...settings },
  );
  return { ...summary, lines };
}

/** A range of its own on the shard: the records put, and [first arrival, last arrival + 1 ms). */
interface PutRange {
  readonly records: _Record[];
  readonly fromMs: number;
  readonly toMs: number;
}

/** Puts payloads with a few milliseconds on either side, so no record of another test shares their arrival times. */
async function putRange(payloads: readonly unknown[]): Promise<PutRange> {
  await sleep(5);
  const sequences = await stream.put(payloads);
  const records = await stream.read({ at: sequences[0] ?? '' }, payloads.length);
  await sleep(5);
  return { records, fromMs: arrival(records[0]), toMs: arrival(records[records.length - 1]) + 1 };
}

const arrival = (record: _Record | undefined): number => record?.ApproximateArrivalTimestamp?.getTime() ?? 0;
const iso = (ms: number): string => new Date(ms).toISOString();
const sequenceOf = (record: _Record | undefined): string => record?.SequenceNumber ?? '';

/** The invocation line's columns up to the outcome, for records[from..to] of a range. */
function head(fn: 'processor' | 'storer', index: number, records: readonly _Record[]): string {
  const first = records[0];
  const last = records[records.length - 1];
  return `invocation ${index} | ${fn} | ${SHARD} | ${sequenceOf(first)}..${sequenceOf(last)} | ${records.length} record${records.length === 1 ? '' : 's'} | arrived ${iso(arrival(first))}..${iso(arrival(last))} | `;
}

/** A storer run whose first invocation redrove the range's first `read` records, then a shard read failed with `error`. */
function readStoppedLines(range: PutRange, read: number, error: string): string[] {
  const last = range.records[read - 1];
  return [
    `${head('storer', 1, range.records.slice(0, read))}redriven`,
    `redrive ${SHARD} (storer): ${read} records sent, ${read} redriven (1 invocation); stopped: reading ${SHARD} after sequence number ${sequenceOf(last)} failed: ` +
      `${error}; run again with --from ${iso(arrival(last))} --to ${iso(range.toMs)}`,
  ];
}

/** Each invocation's sequence numbers, in the order they were sent. */
function sentSequences(): string[][] {
  return lambda.invocations.map((invocation) => (invocation.event as KinesisStreamEvent).Records.map((record) => record.kinesis.sequenceNumber));
}

/** Every stored reading of an asset's metrics as `metric@ts=value`, duplicates included. */
async function storedReadings(assetId: string, metrics: readonly string[]): Promise<string[]> {
  const readings: string[] = [];
  for (const metric of metrics) {
    const output = await dynamo.send(
      new QueryCommand({ TableName: names.readingsTable, KeyConditionExpression: 'sensorId = :s', ExpressionAttributeValues: { ':s': { S: `${assetId}#${metric}` } }, ConsistentRead: true }),
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

async function item(table: string, assetId: string): Promise<Record<string, AttributeValue> | undefined> {
  return (await dynamo.send(new GetItemCommand({ TableName: table, Key: { assetId: { S: assetId } }, ConsistentRead: true }))).Item;
}

describe('redrive of a shard range against the real functions, kinesalite, dynalite and fake S3, SNS and Lambda', () => {
  test('the storer gets the records that arrived in the range, as its mapping would have sent them; a second run leaves the same state', async () => {
    const before = await putRange(seconds('sr-out', 1, 1));
    const range = await putRange(seconds('sr-a', 6));
    const after = await putRange(seconds('sr-out', 1, 2));

    const run = await redrive({ fromMs: range.fromMs, toMs: range.toMs });

    expect(run.lines).toEqual([`${head('storer', 1, range.records)}redriven`, `redrive ${SHARD} (storer): 6 records, 6 redriven (1 invocation)`]);
    expect(run.exitCode).toBe(0);
    expect(await storedReadings('sr-a', ['temperature', 'pressure'])).toEqual(expectedReadings(6));
    // Neither the record that arrived just before --from nor the one at --to.
    expect(await storedReadings('sr-out', ['temperature', 'pressure'])).toEqual([]);
    expect(before.toMs).toBeLessThanOrEqual(range.fromMs);
    expect(after.fromMs).toBeGreaterThanOrEqual(range.toMs);
    // Synchronous, by ARN, with the event of the queue path: the records' original coordinates, the storer's role.
    const [invocation] = lambda.invocations;
    expect(invocation).toMatchObject({ functionName: STORER.arn, invocationType: 'RequestResponse' });
    expect(invocation?.event).toEqual({
      Records: range.records.map((record) => toLambdaRecord(record, { shardId: SHARD, streamArn: targets.streamArn, region: 'sa-east-1', roleArn: 'arn:aws:iam::111122223333:role/iam-storer-dev' })),
    });

    const again = await redrive({ fromMs: range.fromMs, toMs: range.toMs });
    expect(again.lines).toEqual(run.lines);
    expect(await storedReadings('sr-a', ['temperature', 'pressure'])).toEqual(expectedReadings(6));
  });

  test('the processor judges the range once: one alert, the asset status and its checkpoint; a second run changes none of them', async () => {
    // Twelve normal seconds, then three above the temperature limit: one episode.
    const payloads = Array.from({ length: 15 }, (_, i) => assetSecond('sr-p', BASE + i * 1_000, { temperature: i < 12 ? 70 + (i % 3) : 150 + i, pressure: 2 }, 'gw-sr'));
    const range = await putRange(payloads);

    const run = await redrive({ fn: 'processor', fromMs: range.fromMs, toMs: range.toMs });

    expect(run.lines).toEqual([`${head('processor', 1, range.records)}redriven`, `redrive ${SHARD} (processor): 15 records, 15 redriven (1 invocation)`]);
    expect(run.exitCode).toBe(0);
    expect((lambda.invocations[0]?.event as KinesisStreamEvent).Records[0]?.invokeIdentityArn).toBe('arn:aws:iam::111122223333:role/iam-processor-dev');
    const alerts = (): string[] => aws.published.filter((message) => message.attributes.assetId === 'sr-p').map((message) => message.attributes.episodeId ?? '');
    expect(alerts()).toEqual([`sr-p:${BASE + 12_000}`]);
    const status = await item(names.assetStatusTable, 'sr-p');
    expect(status?.status?.S).toBe('ANOMALY');
    expect(Number(status?.lastReadingTs?.N)).toBe(BASE + 14_000);
    const checkpoint = await item(names.detectorStateTable, 'sr-p');
    expect(Number(checkpoint?.lastTs?.N)).toBe(BASE + 14_000);

    const again = await redrive({ fn: 'processor', fromMs: range.fromMs, toMs: range.toMs });
    expect(again.lines).toEqual(run.lines);
    expect(alerts()).toEqual([`sr-p:${BASE + 12_000}`]);
    expect(await item(names.assetStatusTable, 'sr-p')).toEqual(status);
    expect(await item(names.detectorStateTable, 'sr-p')).toEqual(checkpoint);
  });

  test("a range longer than the processor's batch size goes as invocations of at most 250 records, in shard order", async () => {
    const payloads = Array.from({ length: 260 }, (_, i) => assetSecond(`sr-b${i % 4}`, BASE + Math.floor(i / 4) * 1_000, { pressure: 2 }, 'gw-sr'));
    const range = await putRange(payloads);

    const run = await redrive({ fn: 'processor', fromMs: range.fromMs, toMs: range.toMs });

    expect(run.lines).toEqual([
      `${head('processor', 1, range.records.slice(0, 250))}redriven`,
      `${head('processor', 2, range.records.slice(250))}redriven`,
      `redrive ${SHARD} (processor): 260 records, 260 redriven (2 invocations)`,
    ]);
    expect(sentSequences().flat()).toEqual(range.records.map(sequenceOf));
  });

  test('reads page by page, at most one GetRecords per interval, splits by payload size, and renews an iterator that expired while it invoked', async () => {
    const range = await putRange(seconds('sr-c', 10));
    await putRange(seconds('sr-out', 1, 3));
    const oneRecord = eventBytes({ Records: [toLambdaRecord(range.records[0] ?? {}, { shardId: SHARD, streamArn: targets.streamArn, region: 'sa-east-1', roleArn: STORER.roleArn })] });
    // The second GetRecords finds its iterator expired, as after five minutes of invocations.
    const iterators: string[] = [];
    let getRecords = 0;
    const expiring = new KinesisClient({ region: REGION, credentials: enforcer.credentials('redrive'), requestHandler: new NodeHttpHandler(), endpoint: kinesisAuthorizer.endpoint });
    expiring.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { ShardIteratorType?: string };
        if (context.commandName === 'GetShardIteratorCommand') iterators.push(input.ShardIteratorType ?? '');
        if (context.commandName === 'GetRecordsCommand' && ++getRecords === 2) {
          throw Object.assign(new Error('Iterator expired. The iterator was created at time ... while right now it is ...'), { name: 'ExpiredIteratorException' });
        }
        return next(args);
      },
      { step: 'initialize', name: 'expireSecondPage' },
    );
    const waits: number[] = [];
    let clock = 0;
    try {
      const run = await redrive(
        { fromMs: range.fromMs, toMs: range.toMs },
        { recordsPerCall: 3, maxPayloadBytes: oneRecord * 4, pageIntervalMs: 1_000, now: () => clock, sleep: async (ms) => void waits.push(ms) },
        expiring,
      );

      expect(run.lines).toEqual([
        `${head('storer', 1, range.records.slice(0, 4))}redriven`,
        `${head('storer', 2, range.records.slice(4, 8))}redriven`,
        `${head('storer', 3, range.records.slice(8))}redriven`,
        `redrive ${SHARD} (storer): 10 records, 10 redriven (3 invocations)`,
      ]);
    } finally {
      expiring.destroy();
    }
    expect(sentSequences().flat()).toEqual(range.records.map(sequenceOf));
    expect(iterators).toEqual(['AT_TIMESTAMP', 'AFTER_SEQUENCE_NUMBER']);
    // Pages of 3, 3, 3 and 1 (the one at --to ends the read): a pause after each page but the last.
    expect(waits).toEqual([1_000, 1_000, 1_000]);
    expect(await storedReadings('sr-c', ['temperature', 'pressure'])).toEqual(expectedReadings(10));
  });

  test('--dry-run reads and reports each invocation it would make, and invokes nothing', async () => {
    const range = await putRange(seconds('sr-d', 4));
    const bytes = eventBytes({ Records: range.records.map((record) => toLambdaRecord(record, { shardId: SHARD, streamArn: targets.streamArn, region: 'sa-east-1', roleArn: STORER.roleArn })) });

    const run = await redrive({ dryRun: true, fromMs: range.fromMs, toMs: range.toMs });

    expect(run.lines).toEqual([
      `${head('storer', 1, range.records)}dry run: would invoke lambda-storer-dev (${bytes} bytes)`,
      `redrive ${SHARD} (storer): 4 records, 0 redriven (dry run: would invoke lambda-storer-dev once)`,
    ]);
    expect(run.exitCode).toBe(0);
    expect(lambda.invocations).toEqual([]);
    expect(await storedReadings('sr-d', ['temperature'])).toEqual([]);
  });

  test('a range in which nothing arrived says so', async () => {
    const range = await putRange(seconds('sr-e', 1));
    // Kinesalite never answers an AT_TIMESTAMP iterator past its last record: the range ends before the record put.
    const run = await redrive({ fromMs: range.fromMs - 4, toMs: range.fromMs });

    expect(run.lines).toEqual([`redrive ${SHARD} (storer): 0 records, 0 redriven (none arrived from ${iso(range.fromMs - 4)} to ${iso(range.fromMs)})`]);
    expect(run.exitCode).toBe(0);
    expect(lambda.invocations).toEqual([]);
  });

  test('stops at the first invocation that reports failures, says from where to run again, and that run completes the range', async () => {
    const range = await putRange(seconds('sr-f', 8));
    const oneRecord = eventBytes({ Records: [toLambdaRecord(range.records[0] ?? {}, { shardId: SHARD, streamArn: targets.streamArn, region: 'sa-east-1', roleArn: STORER.roleArn })] });
    // The second invocation stores only its first record and reports the rest, as a storer that lost DynamoDB midway.
    let calls = 0;
    lambda.register(STORER.arn, async (event) => {
      calls += 1;
      const records = (event as KinesisStreamEvent).Records;
      const storing = calls === 2 ? records.slice(0, 1) : records;
      await asRole('storer', () => storer)({ Records: storing });
      return { batchItemFailures: calls === 2 ? records.slice(1).map((record) => ({ itemIdentifier: record.kinesis.sequenceNumber })) : [] };
    });
    const settings = { maxPayloadBytes: oneRecord * 3 };

    const failed = await redrive({ fromMs: range.fromMs, toMs: range.toMs }, settings);

    const resume = range.records[4];
    expect(failed.lines).toEqual([
      `${head('storer', 1, range.records.slice(0, 3))}redriven`,
      `${head('storer', 2, range.records.slice(3, 6))}reported 2 batch item failures from sequence number ${sequenceOf(resume)}`,
      `redrive ${SHARD} (storer): 6 records sent, 4 redriven (2 invocations); stopped at invocation 2: from sequence number ${sequenceOf(resume)} ` +
        `(arrived ${iso(arrival(resume))}) on the range is not redriven; fix the cause, then run again with --from ${iso(arrival(resume))} --to ${iso(range.toMs)}`,
    ]);
    expect(failed.exitCode).toBe(1);
    expect(lambda.invocations).toHaveLength(2);
    expect(await storedReadings('sr-f', ['temperature', 'pressure'])).toEqual(expectedReadings(4));

    // The advice, taken: the rerun covers every record that arrived from the resumed one's millisecond on (one put,
    // but kinesalite stamps each record as it stores it, so a put can straddle a millisecond on a busy machine).
    lambda.register(STORER.arn, asRole('storer', () => storer));
    const rerun = await redrive({ fromMs: arrival(resume), toMs: range.toMs }, settings);
    const again = range.records.filter((record) => arrival(record) >= arrival(resume)).length;
    expect(again).toBeGreaterThanOrEqual(4);
    expect(rerun.lines.at(-1)).toBe(`redrive ${SHARD} (storer): ${again} records, ${again} redriven (${Math.ceil(again / 3)} invocations)`);
    expect(rerun.exitCode).toBe(0);
    expect(await storedReadings('sr-f', ['temperature', 'pressure'])).toEqual(expectedReadings(8));
  });

  test('a read that fails midway invokes what it read, in order, and says from where to run again', async () => {
    const range = await putRange(seconds('sr-h', 5));
    let getRecords = 0;
    const failing = new KinesisClient({ region: REGION, credentials: enforcer.credentials('redrive'), requestHandler: new NodeHttpHandler(), endpoint: kinesisAuthorizer.endpoint });
    failing.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'GetRecordsCommand' && ++getRecords === 2) throw Object.assign(new Error('We encountered an internal error.'), { name: 'InternalFailure' });
        return next(args);
      },
      { step: 'initialize', name: 'failSecondPage' },
    );
    let run: Run;
    try {
      run = await redrive({ fromMs: range.fromMs, toMs: range.toMs }, { recordsPerCall: 3 }, failing);
    } finally {
      failing.destroy();
    }

    expect(run.lines).toEqual(readStoppedLines(range, 3, 'InternalFailure: We encountered an internal error.'));
    expect(run.exitCode).toBe(1);
    expect(await storedReadings('sr-h', ['temperature', 'pressure'])).toEqual(expectedReadings(3));
  });

  test('a function error stops the run with the whole invocation left to run again', async () => {
    const range = await putRange(seconds('sr-g', 2));
    lambda.register(STORER.arn, () => Promise.reject(new Error('boom')));

    const run = await redrive({ fromMs: range.fromMs, toMs: range.toMs });

    const first = range.records[0];
    expect(run.lines).toEqual([
      `${head('storer', 1, range.records)}reported function error (Unhandled) Error: boom`,
      `redrive ${SHARD} (storer): 2 records sent, 0 redriven (1 invocation); stopped at invocation 1: from sequence number ${sequenceOf(first)} ` +
        `(arrived ${iso(arrival(first))}) on the range is not redriven; fix the cause, then run again with --from ${iso(arrival(first))} --to ${iso(range.toMs)}`,
    ]);
    expect(run.exitCode).toBe(1);
  });
});

/** A client of the redrive operator whose GetRecords calls throw `name` while `throttled(call)` says so (1-based). */
function throttlingClient(name: string, throttled: (call: number) => boolean): KinesisClient {
  let getRecords = 0;
  const client = new KinesisClient({ region: REGION, credentials: enforcer.credentials('redrive'), requestHandler: new NodeHttpHandler(), endpoint: kinesisAuthorizer.endpoint, maxAttempts: 1 });
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'GetRecordsCommand' && throttled(++getRecords)) throw Object.assign(new Error('Rate exceeded for shard shardId-000000000000.'), { name });
      return next(args);
    },
    { step: 'initialize', name: 'throttleGetRecords' },
  );
  return client;
}

describe('how the shard range reads Kinesis', () => {
  test('a throttled GetRecords (5 reads a second, 2 MB/s per shard) is retried after growing waits, and the range completes', async () => {
    const range = await putRange(seconds('sr-t', 3));
    const kinesis = throttlingClient('ProvisionedThroughputExceededException', (call) => call <= 3);
    const waits: number[] = [];
    let run: Run;
    try {
      run = await redrive({ fromMs: range.fromMs, toMs: range.toMs }, { backoffMs: [10, 20, 40], sleep: async (ms) => void waits.push(ms) }, kinesis);
    } finally {
      kinesis.destroy();
    }
    expect(run.lines).toEqual([`${head('storer', 1, range.records)}redriven`, `redrive ${SHARD} (storer): 3 records, 3 redriven (1 invocation)`]);
    expect(run.exitCode).toBe(0);
    // Three backoff waits, then the page pause after the first page (interval 0).
    expect(waits.slice(0, 3)).toEqual([10, 20, 40]);
    expect(await storedReadings('sr-t', ['temperature', 'pressure'])).toEqual(expectedReadings(3));
  });

  test('a read still throttled after the last wait stops the run with the error, naming where to resume', async () => {
    const range = await putRange(seconds('sr-u', 4));
    const kinesis = throttlingClient('ProvisionedThroughputExceededException', (call) => call >= 2);
    const waits: number[] = [];
    let run: Run;
    try {
      run = await redrive({ fromMs: range.fromMs, toMs: range.toMs }, { recordsPerCall: 2, backoffMs: [5, 5], sleep: async (ms) => void waits.push(ms) }, kinesis);
    } finally {
      kinesis.destroy();
    }
    expect(run.lines).toEqual(readStoppedLines(range, 2, 'ProvisionedThroughputExceededException: Rate exceeded for shard shardId-000000000000.'));
    expect(run.exitCode).toBe(1);
    expect(waits).toEqual([0, 5, 5]);
  });

  test('when the retention passes the last record read during the run, it stops before the gap and names the archive prefixes', async () => {
    const range = await putRange(seconds('sr-r', 4));
    const retentionMs = 168 * 3_600_000;
    // The first page is read just inside the retention; by the second, the stream's horizon has passed the records read.
    const clock = [range.fromMs + retentionMs - 60_000];
    const now = (): number => clock[0] ?? 0;
    const run = await redrive(
      { fromMs: range.fromMs, toMs: range.toMs + 3_600_000 },
      {
        recordsPerCall: 2,
        now,
        sleep: async () => {
          clock[0] = range.toMs + retentionMs + 1_000;
        },
      },
    );
    const last = range.records[1];
    const horizon = range.toMs + 1_000;
    const hour = (ms: number): string => {
      const d = new Date(ms);
      const pad = (n: number): string => String(n).padStart(2, '0');
      return `s3://s3-archive-111122223333-dev/raw/year=${d.getUTCFullYear()}/month=${pad(d.getUTCMonth() + 1)}/day=${pad(d.getUTCDate())}/hour=${pad(d.getUTCHours())}/`;
    };
    expect(run.lines[0]).toBe(`${head('storer', 1, range.records.slice(0, 2))}redriven`);
    expect(run.lines).toHaveLength(2);
    expect(run.lines[1]).toMatch(
      new RegExp(
        `^redrive ${SHARD} \\(storer\\): 2 records sent, 2 redriven \\(1 invocation\\); stopped: the stream's retention \\(168 hours\\) passed sequence number ${sequenceOf(last)} ` +
          `\\(arrived ${iso(arrival(last)).replace(/\./g, '\\.')}\\) before the run read on, so records after it may be trimmed; recover the records that arrived ` +
          `${iso(arrival(last)).replace(/\./g, '\\.')} to ${iso(horizon).replace(/\./g, '\\.')} from the archive: `,
      ),
    );
    expect(run.lines[1]).toContain(hour(arrival(last)));
    expect(run.lines[1]).toContain(`; the stream still holds what arrived after ${iso(horizon)}: run again with --from ${iso(horizon)} --to ${iso(range.toMs + 3_600_000)}`);
    expect(run.exitCode).toBe(1);
    expect(sentSequences().flat()).toEqual(range.records.slice(0, 2).map(sequenceOf));
  });

  test('a range whose start the retention passed before the first page is refused as expired, invoking nothing', async () => {
    const range = await putRange(seconds('sr-s', 1));
    const retentionMs = 168 * 3_600_000;
    // The check before the read passes; the clock has moved past the retention when the first page comes back.
    const times = [range.fromMs + retentionMs - 1, range.fromMs + retentionMs + 60_000];
    const now = (): number => (times.length > 1 ? (times.shift() ?? 0) : (times[0] ?? 0));
    await expect(redrive({ fromMs: range.fromMs, toMs: range.toMs }, { now })).rejects.toThrow(/^expired: the stream no longer holds records that arrived before /);
    expect(lambda.invocations).toEqual([]);
  });

  test('a shard closed by a split before --to: its records are redriven, and the summary names the children that hold the rest', async () => {
    // A stream of its own, read without the authorizer (its name is not the environment's): the split closes its only shard.
    const own = new TestStream(kinesalite.endpoint, 'kinesis-telemetry-resharded');
    await own.create();
    try {
      await own.put(seconds('sr-k', 3));
      const before = await own.read({}, 3);
      await own.client.send(new SplitShardCommand({ StreamName: own.name, ShardToSplit: SHARD, NewStartingHashKey: (2n ** 127n).toString() }));
      await sleep(50);
      await own.put(seconds('sr-k', 2, 10));
      const lines: string[] = [];
      const summary = await redriveShardRange(
        { kinesis: own.client, lambda: clients.lambda },
        { ...targets, streamName: own.name },
        { environment: 'dev', fn: 'storer', shardId: SHARD, dryRun: true, fromMs: arrival(before[0]) - 1, toMs: Date.now() },
        (line) => lines.push(line),
        { pageIntervalMs: 0 },
      );
      expect(summary.records).toBe(3);
      expect(lines.at(-1)).toBe(
        `redrive ${SHARD} (storer): 3 records, 0 redriven (dry run: would invoke lambda-storer-dev once); ${SHARD} is closed (resharded) and ended before --to: ` +
          'later records are in shardId-000000000001 and shardId-000000000002; redrive each with --shard if its batches failed too',
      );
      expect(summary.exitCode).toBe(0);
    } finally {
      own.client.destroy();
    }
  });
});

describe('refusals of a shard range', () => {
  test('a shard the stream does not have: its shards are listed, nothing is read or invoked', async () => {
    const reads = kinesisAuthorizer.count('GetShardIterator');
    await expect(redrive({ shardId: 'shardId-000000000009', fromMs: Date.now() - 60_000, toMs: Date.now() })).rejects.toThrow(
      new Error('--shard shardId-000000000009 is not a shard of kinesis-telemetry-dev; its shards: shardId-000000000000'),
    );
    expect(kinesisAuthorizer.count('GetShardIterator')).toBe(reads);
    expect(lambda.invocations).toEqual([]);
  });

  test.each([
    [
      'before the retention',
      '2026-11-26T10:20:00Z',
      '2026-11-26T11:40:00Z',
      'expired: the stream no longer holds records that arrived before 2026-11-26T12:00:00.000Z (it keeps them 168 hours); ' +
        'recover the records that arrived 2026-11-26T10:20:00.000Z to 2026-11-26T11:40:00.000Z from the archive: ' +
        's3://s3-archive-111122223333-dev/raw/year=2026/month=11/day=26/hour=10/ s3://s3-archive-111122223333-dev/raw/year=2026/month=11/day=26/hour=11/',
    ],
    [
      'across the retention',
      '2026-11-26T11:30:00Z',
      '2026-11-26T13:00:00Z',
      'expired: the stream no longer holds records that arrived before 2026-11-26T12:00:00.000Z (it keeps them 168 hours); ' +
        'recover the records that arrived 2026-11-26T11:30:00.000Z to 2026-11-26T12:00:00.000Z from the archive: ' +
        's3://s3-archive-111122223333-dev/raw/year=2026/month=11/day=26/hour=11/ s3://s3-archive-111122223333-dev/raw/year=2026/month=11/day=26/hour=12/; ' +
        'the stream still holds what arrived after 2026-11-26T12:00:00.000Z: give a later --from to redrive that',
    ],
  ])('a range that starts %s: the archive prefixes to recover it from, and no AWS call', async (_case, from, to, message) => {
    const calls = kinesisAuthorizer.requests.length;
    await expect(redrive({ fromMs: Date.parse(from), toMs: Date.parse(to) }, { now: () => Date.parse('2026-12-03T12:00:00Z') })).rejects.toThrow(new Error(message));
    expect(kinesisAuthorizer.requests.length).toBe(calls);
    expect(lambda.invocations).toEqual([]);
  });

  test('command line: the range, and exact one-line errors', () => {
    const now = Date.parse('2026-12-03T12:00:00Z');
    const usage = 'usage: redrive --env <env> --function processor|storer --shard <shardId> --from <ISO|epoch ms|-6h> [--to <ISO|epoch ms|-6h|now>] [--dry-run]';
    const error = (args: string[]): string => {
      try {
        parseRedriveArgs(args, now);
        return 'no error';
      } catch (e) {
        return (e as Error).message;
      }
    };
    const line = ['--env', 'prod', '--function', 'storer', '--shard', SHARD];
    expect(parseRedriveArgs([...line, '--from', '-6h'], now)).toEqual({ environment: 'prod', fn: 'storer', shardId: SHARD, dryRun: false, fromMs: now - 6 * 3_600_000, toMs: now });
    expect(parseRedriveArgs([...line, '--from=2026-12-03T09:00:00Z', '--to', '-2h', '--dry-run'], now)).toEqual({
      environment: 'prod',
      fn: 'storer',
      shardId: SHARD,
      dryRun: true,
      fromMs: Date.parse('2026-12-03T09:00:00Z'),
      toMs: now - 2 * 3_600_000,
    });
    expect(error([...line, '--from', '-2h', '--to', '-3h'])).toBe(
      '--from must be before --to, got --from "-2h" (2026-12-03T10:00:00.000Z) and --to "-3h" (2026-12-03T09:00:00.000Z)',
    );
    expect(error([...line, '--from', '-1h', '--to', '-1h'])).toBe('--from must be before --to, got --from "-1h" (2026-12-03T11:00:00.000Z) and --to "-1h" (2026-12-03T11:00:00.000Z)');
    expect(error([...line, '--from', '2026-12-04T00:00:00Z'])).toBe(
      '--from must be before the default --to of now (2026-12-03T12:00:00.000Z), got "2026-12-04T00:00:00Z" (2026-12-04T00:00:00.000Z)',
    );
    expect(error([...line, '--from', '2026-12-04T00:00:00Z', '--to', '2026-12-05T00:00:00Z'])).toBe('--from must not be in the future, got "2026-12-04T00:00:00Z" (2026-12-04T00:00:00.000Z)');
    expect(error([...line])).toBe(`missing --from (when the range's first record arrived); ${usage}`);
    expect(error(['--env', 'dev', '--shard', SHARD, '--from', '-1h'])).toBe(`missing --function (the function whose range was lost); ${usage}`);
    expect(error(['--env', 'dev', '--function', 'firehose', '--shard', SHARD, '--from', '-1h'])).toBe('--function must be processor or storer, got "firehose"');
    expect(error([...line, '--from', '-1h', '--max-messages', '5'])).toBe(`--max-messages is a flag of the dead-letter redrive, not of --shard; ${usage}`);
    expect(error([...line, '--from', '-1h', '--quarantine', 'iot'])).toBe(`--quarantine is a flag of the IoT error-action replay, not of --shard; ${usage}`);
    expect(error(['--env', 'dev', '--quarantine', 'iot', '--shard', SHARD])).toBe(`--quarantine is a flag of the IoT error-action replay, not of --shard; ${usage}`);
    expect(error([...line, '--from', '-1h', '--max-objects', '5'])).toBe(`--max-objects is a flag of the IoT error-action replay, not of --shard; ${usage}`);
    expect(error(['--env', 'dev', '--function', 'storer', '--shard', '--from', '-1h'])).toBe(`--shard needs a value; ${usage}`);
    expect(error([...line, '--from', '-1h', '--shard', 'shardId-000000000001'])).toBe('--shard is given twice ("shardId-000000000000" and "shardId-000000000001"); give it once');
    expect(error(['--env', 'dev', '--function', 'storer', '--from', '-1h'])).toBe('--from needs --quarantine iot or --shard <shardId> (redrive --help shows both)');
    expect(error([...line, '--from', '49590338271490256608559692538361571095921575989136588898'])).toBe(
      '--from is an arrival time (ISO 8601 with a zone, epoch ms, now or -6h), not a sequence number, got "49590338271490256608559692538361571095921575989136588898"; the stop line gives the arrival time to use',
    );
    expect(error([...line, '--from', '-1h', '--to', '49590338271490256608559692538361571095921575989136588899'])).toBe(
      '--to is an arrival time (ISO 8601 with a zone, epoch ms, now or -6h), not a sequence number, got "49590338271490256608559692538361571095921575989136588899"; the stop line gives the arrival time to use',
    );
  });

  test('the CLI exits 2 with one line for a refused combination, before any AWS call', () => {
    // Nothing listens on port 1: a request would fail with exit 1.
    const env = { ...process.env, AWS_ENDPOINT_URL: 'http://127.0.0.1:1', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'x' };
    const result = spawnSync(
      process.execPath,
      [require.resolve('tsx/cli'), join(__dirname, '..', '..', 'scripts', 'redrive.ts'), '--env', 'dev', '--function', 'storer', '--shard', SHARD, '--from', '-1h', '--max-messages', '5'],
      { encoding: 'utf8', env, timeout: 60_000 },
    );
    expect(result.stderr).toBe(
      'redrive: --max-messages is a flag of the dead-letter redrive, not of --shard; usage: redrive --env <env> --function processor|storer --shard <shardId> --from <ISO|epoch ms|-6h> [--to <ISO|epoch ms|-6h|now>] [--dry-run]\n',
    );
    expect(result.stdout).toBe('');
    expect(result.status).toBe(2);
  });
});

describe('the AWS calls of the shard range and the functions under the rendered policies', () => {
  test('were all allowed, and each is a required call of the policy proof', () => {
    expect(enforcer.errors).toEqual([]);
    expect(enforcer.deniedCalls()).toEqual([]);
    expect(enforcer.uncataloguedCalls()).toEqual([]);
    const actionsOf = (identity: 'redrive' | 'storer' | 'processor'): string[] => [...new Set(enforcer.calls.filter((call) => call.identity === identity).map((call) => call.action))].sort();
    expect(actionsOf('redrive')).toEqual(['kinesis:GetRecords', 'kinesis:GetShardIterator', 'kinesis:ListShards', 'lambda:InvokeFunction']);
    expect(actionsOf('storer')).toEqual(['dynamodb:PutItem']);
    expect(actionsOf('processor')).toEqual(['dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem', 'dynamodb:UpdateItem', 'sns:Publish']);
  });
});
