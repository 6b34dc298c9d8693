import { ListShardsCommand } from '@aws-sdk/client-kinesis';
import type { KinesisStreamEvent } from 'aws-lambda';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FunctionHost, InvokeResult } from '../../scripts/lib/local/FunctionHost';
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
      objectName: 'esm-processor-fanout-dev',
      functionObjectName: 'lambda-processor-dev',
      eventSourceArn: `arn:aws:kinesis:sa-east-1:111122223333:stream/${stream.name}/consumer/kinesis-processor-dev:${Math.floor(readsFrom / 1000)}`,
      batchSize: 100,
      batchingWindowSeconds: 0,
      startingPosition: 'AT_TIMESTAMP',
      startingPositionTimestamp: readsFrom,
      reportBatchItemFailures: true,
      bisectOnError: true,
      maximumRetryAttempts: 10,
      maximumRecordAgeSeconds: 3600,
      parallelizationFactor: 1,
      onFailureDestination: undefined,
      enabled: true,
    };
    const shards = await stream.client.send(new ListShardsCommand({ StreamName: stream.name }));
    const poller = new ShardPoller({
      mapping,
      host: host as unknown as FunctionHost,
      kinesis: stream.client,
      streamName: stream.name,
      shardId: shards.Shards?.[0]?.ShardId ?? '',
      roleArn: 'arn:aws:iam::111122223333:role/iam-processor-dev',
      counters: counters(),
      deadLetter: () => undefined,
    });
    poller.start();
    await stream.put(['after-1', 'after-2']);
    for (let waited = 0; host.delivered.length < 2 && waited < 10_000; waited += 50) await sleep(50);
    await poller.stop();
    expect(host.delivered).toEqual(['after-1', 'after-2']);
  }, 30_000);
});
