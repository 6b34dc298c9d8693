import { DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import type { KinesisStreamBatchResponse } from 'aws-lambda';
import { ENV, QUARANTINE_PREFIX } from '../../functions/shared/constants';
import { createBreakers } from '../../functions/shared/createBreakers';
import { Deadline } from '../../functions/shared/Deadline';
import { QuarantineWriter } from '../../functions/shared/QuarantineWriter';
import { sdkClientConfig } from '../../functions/shared/sdkClientConfig';
import { BucketStore } from '../../functions/storer/BucketStore';
import { BucketWriter } from '../../functions/storer/BucketWriter';
import { decodeBucketItem } from '../../functions/storer/decodeBucketItem';
import type { BucketContribution, BucketGroup, BucketItem } from '../../functions/storer/types';
import { createTables, setAwsTestEnvironment, startDynalite, startKinesalite, testDynamoClient, TestStream, type Emulator } from '../helpers/emulators';
import { runEventSourceMapping, type KinesisHandler } from '../helpers/eventSourceMapping';
import { FakeAwsServer } from '../helpers/FakeAwsServer';
import { FaultProxy } from '../helpers/FaultProxy';
import { inDeadLetters, pollShard, renderedMapping } from '../helpers/shardPollerRun';
import { PolicyEnforcer } from '../helpers/policy/PolicyEnforcer';
import { assetSecond, kinesisRecords, lambdaContext, presence, telemetry } from '../helpers/records';

/** The fakes authorize every call against the rendered dev policies, so the names are dev's. */
const enforcer = new PolicyEnforcer('dev');
const TABLE = enforcer.policies.names.readingsTable;
const BUCKET = enforcer.policies.names.archiveBucket;

let dynalite: Emulator;
let kinesalite: Emulator;
const proxy = new FaultProxy();
const s3 = new FakeAwsServer();
let dynamo: DynamoDBClient;
let handler: KinesisHandler;
let streamCount = 0;

/** Start of a minute a few minutes ago: inside the accepted timestamp range, whole minutes. */
const BASE = Math.floor(Date.now() / 60_000) * 60_000 - 5 * 60_000;

beforeAll(async () => {
  dynalite = await startDynalite();
  kinesalite = await startKinesalite();
  await proxy.startInFrontOf(dynalite.endpoint);
  await s3.start();
  setAwsTestEnvironment({ dynamodb: proxy.endpoint, s3: s3.endpoint }, enforcer.credentials('storer'));
  proxy.enforce(enforcer);
  s3.enforce(enforcer);
  process.env[ENV.readingsTable] = TABLE;
  process.env[ENV.archiveBucket] = BUCKET;
  process.env[ENV.hotRetentionDays] = '14';
  process.env[ENV.powertoolsServiceName] = 'storer';
  process.env[ENV.circuitBreakerOpenMs] = '300';
  dynamo = testDynamoClient(dynalite.endpoint);
  await createTables(dynamo, { readings: TABLE });
  ({ handler } = await import('../../functions/storer'));
});

afterAll(async () => {
  dynamo.destroy();
  await proxy.stop();
  await s3.stop();
  await dynalite.stop();
  await kinesalite.stop();
});

afterEach(() => {
  proxy.clear();
  s3.clear();
});

async function newStream(): Promise<TestStream> {
  streamCount += 1;
  const stream = new TestStream(kinesalite.endpoint, `kinesis-telemetry-test-${streamCount}`);
  await stream.create();
  return stream;
}

async function bucketsOf(sensorId: string): Promise<BucketItem[]> {
  const output = await dynamo.send(
    new QueryCommand({
      TableName: TABLE,
      KeyConditionExpression: 'sensorId = :s',
      ExpressionAttributeValues: { ':s': { S: sensorId } },
      ConsistentRead: true,
    }),
  );
  return (output.Items ?? []).map(decodeBucketItem);
}

/** Every stored reading of an asset as `metric@ts=value`, for exact multiset comparisons. */
async function storedReadings(assetId: string, metrics: readonly string[]): Promise<string[]> {
  const readings: string[] = [];
  for (const metric of metrics) {
    for (const bucket of await bucketsOf(`${assetId}#${metric}`)) {
      bucket.ts.forEach((offset, i) => readings.push(`${metric}@${bucket.minute + offset}=${bucket.values[i]}`));
    }
  }
  return readings.sort();
}

function failedSequences(response: KinesisStreamBatchResponse): string[] {
  return response.batchItemFailures.map((f) => f.itemIdentifier);
}

describe('storer handler against dynalite, kinesalite and a fake S3', () => {
  it('stores valid readings in minute buckets, quarantines bad records and skips presence events', async () => {
    const stream = await newStream();
    const payloads = [
      assetSecond('st-a', BASE + 1_000, { temperature: 70, pressure: 2.5 }),
      '{not json',
      telemetry({ assetId: 'st-a', schemaVersion: 2, receivedAt: BASE }),
      presence({ timestamp: BASE + 2_000 }),
      assetSecond('st-a', BASE + 61_000, { temperature: 72, pressure: 2.7 }),
      telemetry({ assetId: 'bad asset!', receivedAt: BASE }),
    ];
    const sequences = await stream.put(payloads);
    const response = await handler(stream.toEvent(await stream.read()), lambdaContext());

    expect(response).toEqual({ batchItemFailures: [] });
    const temperature = await bucketsOf('st-a#temperature');
    expect(temperature.map((b) => [b.minute, b.ts, b.values, b.qualities, b.count, b.min, b.max, b.shift, b.sum])).toEqual([
      [BASE, [1_000], [70], ['GOOD'], 1, 70, 70, 70, 0],
      [BASE + 60_000, [1_000], [72], ['GOOD'], 1, 72, 72, 72, 0],
    ]);
    expect(temperature[0]?.expiresAt).toBe((BASE + 60_000) / 1000 + 14 * 86_400);
    const quarantined = s3.objectsUnder<{ reason: string; sequenceNumber: string; shardId: string }>(`${QUARANTINE_PREFIX}storer/`);
    expect(quarantined.map((q) => [q.body.reason, q.body.sequenceNumber]).sort()).toEqual(
      [
        ['INVALID_JSON', sequences[1]],
        ['UNSUPPORTED_SCHEMA_VERSION', sequences[2]],
        ['UNKNOWN_ASSET', sequences[5]],
      ].sort(),
    );
    expect(quarantined.every((q) => q.key.endsWith(`/shardId-000000000000/${q.body.sequenceNumber}.json`))).toBe(true);
  });

  it('leaves the buckets unchanged when the same batch is delivered twice', async () => {
    const stream = await newStream();
    await stream.put([1, 2, 3].map((s) => assetSecond('st-b', BASE + s * 1_000, { temperature: 60 + s })));
    const event = stream.toEvent(await stream.read());
    await handler(event, lambdaContext());
    const first = await bucketsOf('st-b#temperature');
    const putsBefore = proxy.count('PutItem');

    expect(await handler(event, lambdaContext())).toEqual({ batchItemFailures: [] });
    expect(await bucketsOf('st-b#temperature')).toEqual(first);
    expect(first[0]?.values).toEqual([61, 62, 63]);
    expect(proxy.count('PutItem')).toBe(putsBefore);
  });

  it('appends a later batch to the same minute bucket without a read', async () => {
    const stream = await newStream();
    await stream.put([assetSecond('st-c', BASE + 1_000, { temperature: 1 })]);
    await handler(stream.toEvent(await stream.read()), lambdaContext());
    const [firstRecord] = await stream.read();
    await stream.put([assetSecond('st-c', BASE + 2_000, { temperature: 2 })]);
    const gets = proxy.count('GetItem');
    await handler(stream.toEvent(await stream.read({ after: firstRecord?.SequenceNumber ?? '' })), lambdaContext());

    expect((await bucketsOf('st-c#temperature'))[0]?.values).toEqual([1, 2]);
    expect(proxy.count('GetItem')).toBe(gets);
  });

  it('retries throttled writes and stores every reading exactly once', async () => {
    const stream = await newStream();
    await stream.put([1, 2, 3, 4].map((s) => assetSecond('st-d', BASE + s * 1_000, { temperature: s, pressure: s * 10 })));
    proxy.inject('PutItem', 'throttle', 3);
    const response = await handler(stream.toEvent(await stream.read()), lambdaContext());

    expect(response).toEqual({ batchItemFailures: [] });
    expect(proxy.faultsInjected.filter((f) => f.fault === 'throttle')).toHaveLength(3);
    expect(await storedReadings('st-d', ['temperature', 'pressure'])).toEqual(
      ['temperature@1=1', 'temperature@2=2', 'temperature@3=3', 'temperature@4=4', 'pressure@1=10', 'pressure@2=20', 'pressure@3=30', 'pressure@4=40']
        .map((r) => r.replace(/@(\d)/, (_, s: string) => `@${BASE + Number(s) * 1_000}`))
        .sort(),
    );
  });

  it('fails fast from the first record when DynamoDB is down, then stores everything once after it recovers', async () => {
    const stream = await newStream();
    const sequences = await stream.put([1, 2, 3].map((s) => assetSecond('st-e', BASE + s * 1_000, { temperature: s })));
    proxy.inject('*', 'reset');
    const down = await handler(stream.toEvent(await stream.read()), lambdaContext());

    expect(failedSequences(down)).toEqual(sequences);
    proxy.clear();
    // The breaker stays open for a few seconds; the retried batch first meets it open, then recovers.
    const run = await runEventSourceMapping(stream, handler, { batchSize: 100, maxRetries: 200 });
    expect(run.deadLettered).toEqual([]);
    expect((await bucketsOf('st-e#temperature'))[0]?.values).toEqual([1, 2, 3]);
  }, 20_000);

  it('reports a record whose quarantine write fails, and the records after it, for retry', async () => {
    const stream = await newStream();
    const sequences = await stream.put([
      assetSecond('st-f', BASE + 1_000, { temperature: 1 }),
      'garbage',
      assetSecond('st-f', BASE + 2_000, { temperature: 2 }),
    ]);
    s3.inject('server-error');
    const response = await handler(stream.toEvent(await stream.read()), lambdaContext());

    expect(failedSequences(response)).toEqual(sequences.slice(1));
    s3.clear();
    const retried = await handler(stream.toEvent(await stream.read({ at: sequences[1] ?? '' })), lambdaContext());
    expect(retried).toEqual({ batchItemFailures: [] });
    expect((await bucketsOf('st-f#temperature'))[0]?.values).toEqual([1, 2]);
    expect(s3.objectsUnder(`${QUARANTINE_PREFIX}storer/`).filter((o) => o.key.includes(sequences[1] ?? '-'))).toHaveLength(1);
  });

  it('fails the invocation on an unexpected error (a bug), so the rendered mapping bisects the batch: the record behind it ends alone in the dead-letter queue, the others are stored', async () => {
    const bug = 'the context broke (a stand-in for a bug)';
    const brokenContext = lambdaContext(() => {
      throw new Error(bug);
    });
    await expect(handler({ Records: kinesisRecords([assetSecond('st-bug', BASE, { temperature: 70 }, 'gw-int')]) }, brokenContext)).rejects.toThrow(bug);

    const stream = await newStream();
    const payloads = Array.from({ length: 8 }, (_, i) => assetSecond(`st-bug${i}`, BASE + i * 1_000, { temperature: i }, 'gw-int'));
    const sequences = await stream.put(payloads);
    const poison = sequences[5] ?? '';
    // Every invocation whose batch holds the poison record meets the bug; the others run normally. No batching
    // window: it only delays the first batch.
    const run = await pollShard(stream, handler, {
      mapping: { ...renderedMapping('lambda-storer-dev'), batchingWindowSeconds: 0 },
      records: payloads.length,
      context: (event) => (event.Records.some((r) => r.kinesis.sequenceNumber === poison) ? brokenContext : lambdaContext()),
    });

    expect(run.counters.bisections).toBeGreaterThan(0);
    expect(run.deadLetters.map((d) => d.KinesisBatchInfo)).toEqual([expect.objectContaining({ startSequenceNumber: poison, endSequenceNumber: poison, batchSize: 1 })]);
    expect(run.deadLetters[0]?.requestContext.condition).toBe('RetryAttemptsExhausted');
    const stored = await Promise.all(payloads.map(async (_, i) => (await bucketsOf(`st-bug${i}#temperature`)).flatMap((bucket) => bucket.values)));
    expect(stored).toEqual(payloads.map((_, i) => (i === 5 ? [] : [i])));
  }, 30_000);

  it('stops before its timeout and reports the unstarted records', async () => {
    const stream = await newStream();
    const sequences = await stream.put([assetSecond('st-g', BASE + 1_000, { temperature: 1 })]);
    const response = await handler(stream.toEvent(await stream.read()), lambdaContext(400));

    expect(failedSequences(response)).toEqual(sequences);
    expect(await bucketsOf('st-g#temperature')).toEqual([]);
  });

  it('writes at least 10 readings per item write for 1 Hz sensors and a 60 s window', async () => {
    const stream = await newStream();
    const payloads = [];
    for (let second = 0; second < 60; second += 1) {
      for (let asset = 0; asset < 5; asset += 1) {
        payloads.push(assetSecond(`st-h${asset}`, BASE + 30_000 + second * 1_000, { a: second, b: 1, c: 2, d: 3 }));
      }
    }
    await stream.put(payloads);
    const puts = proxy.count('PutItem');
    await handler(stream.toEvent(await stream.read()), lambdaContext());

    // 5 assets x 4 metrics straddling two minutes: 40 item writes for 1,200 readings.
    expect(proxy.count('PutItem') - puts).toBe(40);
  });
});

describe('full buckets: a reading ends stored or set aside, never both', () => {
  /** A container's BucketWriter as the handler wires it, with a bucket of 2 readings (LIMITS.maxReadingsPerBucket is 6,000). */
  function container(): { writer: BucketWriter; close: () => void } {
    const breakers = createBreakers(['dynamodb', 's3'] as const);
    const dynamodb = new DynamoDBClient(sdkClientConfig());
    const s3Client = new S3Client({ ...sdkClientConfig(), forcePathStyle: true });
    const quarantine = new QuarantineWriter({ s3: s3Client, bucket: BUCKET, functionName: 'storer', breaker: breakers.s3 });
    const writer = new BucketWriter({
      store: new BucketStore({ dynamodb, tableName: TABLE, breaker: breakers.dynamodb }),
      quarantine,
      retentionDays: 14,
      maxReadingsPerBucket: 2,
    });
    return { writer, close: () => [dynamodb, s3Client].forEach((client) => client.destroy()) };
  }
  const sensorId = 'st-full#t';
  const contribution = (sequence: string, index: number, offset: number): BucketContribution => ({
    origin: { index, shardId: 'shardId-000000000000', sequenceNumber: sequence, partitionKey: 'st-full', arrivedAt: BASE },
    readings: [{ metric: 't', value: offset, ts: BASE + offset, quality: 'GOOD' }],
  });
  const group = (...contributions: BucketContribution[]): BucketGroup => ({ sensorId, assetId: 'st-full', metric: 't', minute: BASE, contributions });

  it('redoes the overflow of a stale cache on the current bucket: a resend of a stored reading is not quarantined', async () => {
    const deadline = new Deadline(lambdaContext());
    const [a, b] = [container(), container()];
    try {
      await a.writer.write(group(contribution('91000', 0, 0)), deadline); // A caches version 1
      await b.writer.write(group(contribution('91001', 0, 1_000)), deadline); // the shard moved to B: version 2
      // Back on A, still on version 1: a new reading, and an MQTT QoS 1 resend of B's.
      const result = await a.writer.write(group(contribution('91002', 0, 2_000), contribution('91003', 1, 1_000)), deadline);

      expect(result).toEqual({ stored: 0, alreadyApplied: 1, superseded: 0, overflowed: 1, writes: 0 });
      expect((await bucketsOf(sensorId)).map((item) => [item.ts, item.version])).toEqual([[[0, 1_000], 2]]);
      const setAside = s3
        .objectsUnder<{ reason: string; sequenceNumber: string; data: string }>(`${QUARANTINE_PREFIX}storer/`)
        .filter((o) => o.key.includes('st-full'))
        .map((o) => [o.body.reason, o.body.sequenceNumber, (JSON.parse(Buffer.from(o.body.data, 'base64').toString()) as { readings: Array<{ ts: number }> }).readings.map((r) => r.ts - BASE)]);
      expect(setAside).toEqual([['BUCKET_FULL', '91002', [2_000]]]);
    } finally {
      a.close();
      b.close();
    }
  });
});

describe('sum test: every record ends stored, quarantined or dead-lettered, none twice', () => {
  it('holds under throttling, dropped connections, unavailable S3 and redelivery', async () => {
    const stream = await newStream();
    const payloads: unknown[] = [];
    const metrics = ['m1', 'm2', 'm3'];
    for (let i = 0; i < 240; i += 1) {
      if (i % 23 === 5) payloads.push(`{"broken": ${i}`);
      else if (i % 31 === 7) payloads.push(telemetry({ assetId: `sum-${i % 4}`, readings: [], receivedAt: BASE }));
      else if (i % 37 === 11) payloads.push(presence({ timestamp: BASE + i }));
      else payloads.push(assetSecond(`sum-${i % 4}`, BASE + 1_000 + i * 500, { m1: i, m2: i * 2, m3: i * 3 }));
    }
    const sequences = await stream.put(payloads);
    let random = 42;
    const next = (): number => {
      random = (random * 1103515245 + 12345) % 2 ** 31;
      return random / 2 ** 31;
    };
    // The deployed mapping (partial responses, bisection) with smaller batches, fewer retries and no batching
    // window. Faults at random, and DynamoDB failing every invocation of the batch holding record 120, which
    // therefore runs out of retries.
    const run = await pollShard(stream, handler, {
      mapping: { ...renderedMapping('lambda-storer-dev'), batchSize: 50, maximumRetryAttempts: 2, batchingWindowSeconds: 0 },
      records: payloads.length,
      timeoutMs: 40_000,
      beforeInvoke: (event) => {
        proxy.clear();
        s3.clear();
        const roll = next();
        if (event.Records.some((r) => r.kinesis.sequenceNumber === sequences[120])) proxy.inject('*', 'server-error');
        else if (roll < 0.25) proxy.inject('PutItem', 'throttle', 4 + Math.floor(next() * 6));
        else if (roll < 0.4) proxy.inject('PutItem', 'reset', 1 + Math.floor(next() * 3));
        else if (roll < 0.5) s3.inject('server-error', 5);
        else if (roll < 0.55) proxy.inject('*', 'server-error');
      },
    });
    proxy.clear();
    s3.clear();

    // Each outcome from what the run left behind, independently: the readings in DynamoDB, the quarantine
    // objects of this stream (others may share its sequence numbers) and the dead-letter documents' ranges.
    const { streamArn, shardId } = run;
    const stored: string[] = [];
    for (let asset = 0; asset < 4; asset += 1) {
      for (const reading of await storedReadings(`sum-${asset}`, metrics)) stored.push(`sum-${asset}:${reading}`);
    }
    const storedSet = new Set(stored);
    const quarantine = s3.objectsUnder<{ streamArn: string; shardId: string; sequenceNumber: string }>(`${QUARANTINE_PREFIX}storer/`).filter((o) => o.body.streamArn === streamArn);
    const outcomes = payloads.map((payload, i) => {
      const sequence = sequences[i] ?? '';
      const { assetId, readings = [] } = (typeof payload === 'object' ? payload : {}) as { assetId?: string; readings?: Array<{ metric: string; ts: number; value: number }> };
      const own = readings.map((r) => `${assetId}:${r.metric}@${r.ts}=${r.value}`);
      const storedCount = own.filter((r) => storedSet.has(r)).length;
      return {
        i,
        kind: typeof payload === 'object' && payload !== null && 'recordType' in payload ? 'presence' : own.length > 0 ? 'reading' : 'bad',
        own,
        stored: own.length > 0 && storedCount === own.length,
        partlyStored: storedCount > 0 && storedCount < own.length,
        keys: quarantine.filter((o) => o.body.shardId === shardId && o.body.sequenceNumber === sequence).map((o) => o.key),
        deadLettered: inDeadLetters(run.deadLetters, shardId, sequence),
      };
    });
    const outcomeOf = (o: (typeof outcomes)[number]): string[] => [
      ...(o.stored ? ['stored'] : o.partlyStored ? ['partly stored'] : []),
      ...(o.keys.length > 0 ? ['quarantined'] : []),
      ...(o.deadLettered ? ['dead-lettered'] : []),
    ];
    // Outside the dead-letter queue, the one outcome each payload calls for (a presence event is skipped: none).
    const expected = { reading: ['stored'], bad: ['quarantined'], presence: [] };
    const kept = outcomes.filter((o) => !o.deadLettered);
    expect(kept.map((o) => [o.i, outcomeOf(o)])).toEqual(kept.map((o) => [o.i, expected[o.kind as keyof typeof expected]]));
    // A dead-lettered record may have been partly stored, or quarantined at its own key, before it was given up:
    // the redrive replays it through the same idempotent writes. A good record is never quarantined.
    expect(outcomes.filter((o) => o.deadLettered && o.kind !== 'bad' && o.keys.length > 0).map((o) => o.i)).toEqual([]);
    // The batch holding record 120 was given up on (others may have been: the faults are random), and each
    // document's range holds exactly the records it counts.
    const deadLettered = outcomes.filter((o) => o.deadLettered).map((o) => o.i);
    expect(deadLettered).toContain(120);
    expect(deadLettered).toHaveLength(run.deadLetters.reduce((sum, d) => sum + d.KinesisBatchInfo.batchSize, 0));
    // Every stored reading is one of the input's, and none is stored twice.
    const inputReadings = new Set(outcomes.flatMap((o) => o.own));
    expect(stored.filter((r) => !inputReadings.has(r))).toEqual([]);
    expect(stored).toHaveLength(storedSet.size);
    // One quarantine object per bad record, however often it was delivered: one key per record (its shard and
    // sequence number), and as many objects as records with a key.
    expect(outcomes.filter((o) => o.keys.length > 1 || o.keys.some((key) => !key.endsWith(`/${shardId}/${sequences[o.i]}.json`))).map((o) => o.i)).toEqual([]);
    expect(quarantine).toHaveLength(outcomes.filter((o) => o.keys.length > 0).length);
    // Lower bounds a run that dead-lettered everything, or stored or quarantined nothing, would break.
    expect(outcomes.filter((o) => o.stored && !o.deadLettered).length).toBeGreaterThan(100);
    expect(outcomes.filter((o) => o.keys.length > 0 && !o.deadLettered).length).toBeGreaterThan(5);
    expect(run.counters.invocations).toBeGreaterThan(5);
  }, 60_000);
});

describe('the storer\'s AWS calls under the rendered policies', () => {
  it('were all allowed, and each is a required call of the policy proof', () => {
    expect(enforcer.errors).toEqual([]);
    expect(enforcer.deniedCalls()).toEqual([]);
    expect(enforcer.uncataloguedCalls()).toEqual([]);
    // GetItem: the full-bucket test's lost race (dynalite returns no item with a failed condition, DynamoDB does).
    expect([...new Set(enforcer.calls.map((call) => call.action))].sort()).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem', 's3:PutObject']);
  });
});
