import { GetRecordsCommand, ListShardsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import type { KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FunctionHost } from '../../scripts/lib/local/FunctionHost';
import type { InvokeResult } from '../../scripts/lib/local/ExecutionEnvironment';
import type { MappingSpec } from '../../scripts/lib/local/LocalManifests';
import { ShardPoller, type MappingCounters } from '../../scripts/lib/local/ShardPoller';
import { startKinesalite, TestStream, type Emulator } from '../helpers/emulators';

/** The host side the poller uses: the function's ARN and an invocation that keeps the batch and succeeds. */
class RecordingHost {
  readonly functionArn = 'arn:aws:lambda:sa-east-1:111122223333:function:lambda-processor-dev';
  readonly delivered: string[] = [];

  async invoke(event: KinesisStreamEvent): Promise<InvokeResult> {
    this.delivered.push(...event.Records.map((record) => Buffer.from(record.kinesis.data, 'base64').toString()));
    return { ok: true, response: { batchItemFailures: [] }, durationMs: 1 };
  }
}

const counters = (): MappingCounters => ({ invocations: 0, functionErrors: 0, partialFailures: 0, bisections: 0, recordsDelivered: 0, recordsDeadLettered: 0, dlqMessages: 0, iteratorAgeMs: 0 });

let kinesalite: Emulator;
beforeAll(async () => {
  kinesalite = await startKinesalite();
});
afterAll(async () => {
  await kinesalite.stop();
});

/** Reports the records whose payloads `failFirst` names as failed on its first invocation; succeeds after. */
class PartialFailureHost extends RecordingHost {
  readonly batches: string[][] = [];

  /** `failFirst` names the failed records' identifiers; a null stands for a null entry, which a buggy function could send. */
  constructor(readonly failFirst: (payloads: readonly string[], sequenceOf: (payload: string) => string) => (string | null)[]) {
    super();
  }

  override async invoke(event: KinesisStreamEvent): Promise<InvokeResult> {
    const payloads = event.Records.map((record) => Buffer.from(record.kinesis.data, 'base64').toString());
    this.batches.push(payloads);
    if (this.batches.length > 1) return super.invoke(event);
    const sequenceOf = (payload: string): string => event.Records[payloads.indexOf(payload)]?.kinesis.sequenceNumber ?? payload;
    const batchItemFailures = this.failFirst(payloads, sequenceOf).map((itemIdentifier) => (itemIdentifier === null ? null : { itemIdentifier }));
    return { ok: true, response: { batchItemFailures } as unknown as KinesisStreamBatchResponse, durationMs: 1 };
  }
}

const streamMapping = (streamName: string, objectName: string): MappingSpec => ({
  objectName,
  file: 'processing.k8s.yaml',
  functionObjectName: 'lambda-storer-dev',
  eventSourceArn: `arn:aws:kinesis:sa-east-1:111122223333:stream/${streamName}`,
  batchSize: 100,
  batchingWindowSeconds: 0,
  startingPosition: 'TRIM_HORIZON',
  startingPositionTimestamp: undefined,
  reportBatchItemFailures: true,
  bisectOnError: false,
  maximumRetryAttempts: 10,
  maximumRecordAgeSeconds: 3600,
  parallelizationFactor: 1,
  tumblingWindowSeconds: 0,
  filterCriteria: undefined,
  onFailureDestination: 'arn:aws:sqs:sa-east-1:111122223333:sqs-stream-dlq-dev',
  enabled: true,
});

/** A started poller of the test stream's only shard, delivering to `host` (on-failure documents to `deadLetter`). */
async function startPoller(
  stream: TestStream,
  mapping: MappingSpec,
  host: RecordingHost,
  options: { counters?: MappingCounters; deadLetter?: (body: string) => void; kinesis?: KinesisClient } = {},
): Promise<ShardPoller> {
  const shards = await stream.client.send(new ListShardsCommand({ StreamName: stream.name }));
  const poller = new ShardPoller({
    mapping,
    host: host as unknown as FunctionHost,
    kinesis: options.kinesis ?? stream.client,
    streamName: stream.name,
    shardId: shards.Shards?.[0]?.ShardId ?? '',
    roleArn: `arn:aws:iam::111122223333:role/${mapping.functionObjectName.replace('lambda-', 'iam-')}`,
    counters: options.counters ?? counters(),
    deadLetter: options.deadLetter ?? (() => undefined),
  });
  poller.start();
  return poller;
}

/** Runs one poller over a stream holding `payloads` until `host` has had two batches, then stops it. */
async function pollTwice(name: string, payloads: string[], host: PartialFailureHost): Promise<void> {
  const stream = new TestStream(kinesalite.endpoint, name);
  await stream.create();
  await stream.put(payloads, () => 'pump-00001');
  const poller = await startPoller(stream, streamMapping(stream.name, `esm-${name}`), host);
  for (let waited = 0; host.batches.length < 2 && waited < 10_000; waited += 50) await sleep(50);
  await poller.stop();
}

describe("a partial batch response, as the poller reads it", () => {
  const payloads = Array.from({ length: 8 }, (_, index) => `r${index}`);

  it('retries from the lowest reported record, however many are reported', async () => {
    const host = new PartialFailureHost((batch, sequenceOf) => batch.slice(3).reverse().map(sequenceOf));
    await pollTwice('kinesis-partial-lowest', payloads, host);
    expect(host.batches).toEqual([payloads, payloads.slice(3)]);
  }, 30_000);

  it('retries the whole batch when a report names no record of it', async () => {
    const host = new PartialFailureHost((_batch, sequenceOf) => [sequenceOf('r5'), '49999999999999999999999999999999999999999999999999999999']);
    await pollTwice('kinesis-partial-unknown', payloads, host);
    expect(host.batches).toEqual([payloads, payloads]);
  }, 30_000);

  it('retries the whole batch, and keeps polling, when a report holds a null entry', async () => {
    const host = new PartialFailureHost((_batch, sequenceOf) => [sequenceOf('r5'), null]);
    await pollTwice('kinesis-partial-null', payloads, host);
    expect(host.batches).toEqual([payloads, payloads]);
  }, 30_000);
});

/** Fails every invocation whose batch holds the payload `poison` (an unhandled error, as a bug would); delivers the rest. */
class PoisonHost extends RecordingHost {
  readonly batches: string[][] = [];

  override async invoke(event: KinesisStreamEvent): Promise<InvokeResult> {
    const payloads = event.Records.map((record) => Buffer.from(record.kinesis.data, 'base64').toString());
    this.batches.push(payloads);
    if (payloads.includes('poison')) return { ok: false, error: 'Error: poison', durationMs: 1 };
    return super.invoke(event);
  }
}

describe('bisection on a function error, as the poller splits', () => {
  it('delivers the good records and dead-letters the poison one after its retries, the splits not counted among them', async () => {
    const stream = new TestStream(kinesalite.endpoint, 'kinesis-bisect-poison');
    await stream.create();
    const payloads = ['r0', 'r1', 'r2', 'r3', 'r4', 'poison', 'r6', 'r7'];
    const sequences = await stream.put(payloads, () => 'pump-00001');
    const host = new PoisonHost();
    const documents: string[] = [];
    const mappingCounters = counters();
    const mapping: MappingSpec = {
      ...streamMapping(stream.name, 'esm-bisect-poison'),
      bisectOnError: true,
      maximumRetryAttempts: 2,
      onFailureDestination: 'arn:aws:sqs:sa-east-1:111122223333:sqs-dlq-dev',
    };
    const poller = await startPoller(stream, mapping, host, { counters: mappingCounters, deadLetter: (body) => documents.push(body) });
    for (let waited = 0; (host.delivered.length < 7 || documents.length < 1) && waited < 10_000; waited += 50) await sleep(50);
    await poller.stop();

    // Three splits down to the poison record alone, then its first invocation and 2 retries: 3 invocations of it.
    expect(host.batches).toEqual([
      payloads,
      ['r0', 'r1', 'r2', 'r3'],
      ['r4', 'poison', 'r6', 'r7'],
      ['r4', 'poison'],
      ['r4'],
      ['poison'],
      ['poison'],
      ['poison'],
      ['r6', 'r7'],
    ]);
    expect(host.delivered).toEqual(['r0', 'r1', 'r2', 'r3', 'r4', 'r6', 'r7']);
    expect(documents).toHaveLength(1);
    const document = JSON.parse(documents[0] ?? '{}') as { requestContext: { condition: string; approximateInvokeCount: number }; KinesisBatchInfo: { startSequenceNumber: string; endSequenceNumber: string; batchSize: number } };
    expect(document.requestContext).toMatchObject({ condition: 'RetryAttemptsExhausted', approximateInvokeCount: 3 });
    expect(document.KinesisBatchInfo).toMatchObject({ startSequenceNumber: sequences[5], endSequenceNumber: sequences[5], batchSize: 1 });
    expect(mappingCounters).toMatchObject({ invocations: 9, functionErrors: 6, bisections: 3, recordsDelivered: 7, recordsDeadLettered: 1, dlqMessages: 1 });
  }, 30_000);

  it('is never started for a mapping without an on-failure destination, so nothing it gives up on is dropped and counted as dead-lettered', async () => {
    const stream = new TestStream(kinesalite.endpoint, 'kinesis-no-destination');
    await stream.create();
    const mapping: MappingSpec = { ...streamMapping(stream.name, 'esm-no-destination'), onFailureDestination: undefined };
    await expect(startPoller(stream, mapping, new RecordingHost())).rejects.toThrow(
      'mapping esm-no-destination: no on-failure destination; a poller does not drop the records it gives up on',
    );
  }, 30_000);
});

describe("Lambda's 6 MB invocation payload, as the poller batches", () => {
  it('keeps every event within it, counting each record\'s envelope, and delivers every record', async () => {
    // 10,000 records of 112 bytes (150 in base64): about 7.1 MB as one event, once the ~560 bytes of
    // envelope per record (ids, ARNs, the sequence number twice) are counted.
    const stream = new TestStream(kinesalite.endpoint, 'kinesis-payload-limit');
    await stream.create();
    const payloads = Array.from({ length: 10_000 }, (_, index) => `${String(index).padStart(5, '0')}`.padEnd(112, '.'));
    await stream.put(payloads, () => 'pump-00001');
    const eventBytes: number[] = [];
    class MeasuringHost extends RecordingHost {
      override async invoke(event: KinesisStreamEvent): Promise<InvokeResult> {
        eventBytes.push(Buffer.byteLength(JSON.stringify(event)));
        return super.invoke(event);
      }
    }
    const host = new MeasuringHost();
    const poller = await startPoller(stream, { ...streamMapping(stream.name, 'esm-payload-limit'), batchSize: 10_000 }, host);
    for (let waited = 0; host.delivered.length < payloads.length && waited < 20_000; waited += 50) await sleep(50);
    await poller.stop();
    expect(host.delivered).toEqual(payloads);
    expect(eventBytes.length).toBeGreaterThan(1);
    expect(Math.max(...eventBytes)).toBeLessThanOrEqual(6 * 1024 * 1024);
  }, 60_000);
});

describe('an expired shard iterator, as the poller survives it', () => {
  it('takes a new iterator after the last record read and delivers every record once', async () => {
    const stream = new TestStream(kinesalite.endpoint, 'kinesis-expired-iterator');
    await stream.create();
    await stream.put(['r0', 'r1'], () => 'pump-00001');
    // Kinesis expires an iterator 5 minutes after handing it out: the next read after expireNext fails as it would.
    let expireNext = false;
    let expired = 0;
    const kinesis = {
      send: (command: unknown) => {
        if (expireNext && command instanceof GetRecordsCommand) {
          expireNext = false;
          expired += 1;
          return Promise.reject(Object.assign(new Error('Iterator expired'), { name: 'ExpiredIteratorException' }));
        }
        return stream.client.send(command as GetRecordsCommand);
      },
    } as unknown as KinesisClient;
    const host = new RecordingHost();
    const poller = await startPoller(stream, streamMapping(stream.name, 'esm-expired-iterator'), host, { kinesis });
    const waitFor = async (count: number): Promise<void> => {
      for (let waited = 0; host.delivered.length < count && waited < 10_000; waited += 50) await sleep(50);
    };
    await waitFor(2);
    expireNext = true;
    for (let waited = 0; expired === 0 && waited < 10_000; waited += 50) await sleep(50);
    await stream.put(['r2', 'r3'], () => 'pump-00001');
    await waitFor(4);
    await poller.stop();
    expect(expired).toBe(1);
    expect(host.delivered).toEqual(['r0', 'r1', 'r2', 'r3']);
  }, 30_000);
});

describe("a mapping's starting position, as the poller follows it", () => {
  it('AT_TIMESTAMP skips what arrived before the time and reads what arrived at or after it, an empty shard too', async () => {
    const stream = new TestStream(kinesalite.endpoint, 'kinesis-at-timestamp');
    await stream.create();
    await stream.put(['before-1', 'before-2']);
    // Well clear of both arrivals, whatever the clock's resolution.
    await sleep(1100);
    const readsFrom = Date.now();
    const host = new RecordingHost();
    const mapping: MappingSpec = {
      ...streamMapping(stream.name, 'esm-processor-fanout-dev'),
      functionObjectName: 'lambda-processor-dev',
      eventSourceArn: `arn:aws:kinesis:sa-east-1:111122223333:stream/${stream.name}/consumer/kinesis-processor-dev:${Math.floor(readsFrom / 1000)}`,
      startingPosition: 'AT_TIMESTAMP',
      startingPositionTimestamp: readsFrom,
      bisectOnError: true,
    };
    const poller = await startPoller(stream, mapping, host);
    await stream.put(['after-1', 'after-2']);
    for (let waited = 0; host.delivered.length < 2 && waited < 10_000; waited += 50) await sleep(50);
    await poller.stop();
    expect(host.delivered).toEqual(['after-1', 'after-2']);
  }, 30_000);
});
