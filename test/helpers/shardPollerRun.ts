import { DescribeStreamSummaryCommand, ListShardsCommand } from '@aws-sdk/client-kinesis';
import type { Context, KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { InvokeResult } from '../../scripts/lib/local/ExecutionEnvironment';
import type { FunctionHost } from '../../scripts/lib/local/FunctionHost';
import type { MappingSpec } from '../../scripts/lib/local/LocalManifests';
import { readManifests } from '../../scripts/lib/local/readManifests';
import { ShardPoller, type MappingCounters } from '../../scripts/lib/local/ShardPoller';
import type { TestStream } from './emulators';
import type { KinesisHandler } from './eventSourceMapping';
import { lambdaContext } from './records';

/** Lambda's on-failure document for a Kinesis batch (what the poller sends to the dead-letter queue). */
export interface DeadLetterDocument {
  readonly requestContext: { readonly condition: string; readonly approximateInvokeCount: number };
  readonly KinesisBatchInfo: { readonly shardId: string; readonly startSequenceNumber: string; readonly endSequenceNumber: string; readonly batchSize: number };
}

export interface PollerRun {
  /** The stream's ARN and its only shard, as the records and the quarantine objects name them. */
  readonly streamArn: string;
  readonly shardId: string;
  readonly counters: MappingCounters;
  /** Records of batches that finally succeeded, in delivery order. */
  readonly delivered: KinesisStreamRecord[];
  /** The on-failure documents, as the dead-letter queue would hold them. */
  readonly deadLetters: DeadLetterDocument[];
}

let rendered: readonly MappingSpec[] | undefined;

/** The committed dev manifest's mapping of a function: bisection, partial responses, retries and destination as deployed. */
export function renderedMapping(functionObjectName: 'lambda-processor-dev' | 'lambda-storer-dev'): MappingSpec {
  rendered ??= readManifests(join(__dirname, '..', '..', 'manifests', 'dev'), 'dev').mappings;
  const mapping = rendered.find((candidate) => candidate.functionObjectName === functionObjectName);
  if (!mapping) throw new Error(`manifests/dev renders no event source mapping of ${functionObjectName}`);
  return mapping;
}

/** Whether a dead-letter document's sequence range holds the record (its shard, start and end inclusive). */
export function inDeadLetters(documents: readonly DeadLetterDocument[], shardId: string, sequenceNumber: string): boolean {
  const sequence = BigInt(sequenceNumber);
  return documents.some(({ KinesisBatchInfo: info }) => info.shardId === shardId && BigInt(info.startSequenceNumber) <= sequence && sequence <= BigInt(info.endSequenceNumber));
}

/**
 * Runs a handler in process behind the local ShardPoller (the mapping the local pipeline emulates: partial
 * responses, bisection on a function error, retries, on-failure documents) over the stream's only shard, until
 * `records` records were delivered or dead-lettered. `beforeInvoke` and `context` see each event, so a test
 * can inject faults per invocation or break the invocations of the batches that hold a given record.
 */
export async function pollShard(
  stream: TestStream,
  handler: KinesisHandler,
  options: {
    mapping: MappingSpec;
    records: number;
    beforeInvoke?: (event: KinesisStreamEvent) => void;
    context?: (event: KinesisStreamEvent) => Context;
    timeoutMs?: number;
  },
): Promise<PollerRun> {
  const summary = await stream.client.send(new DescribeStreamSummaryCommand({ StreamName: stream.name }));
  const shards = await stream.client.send(new ListShardsCommand({ StreamName: stream.name }));
  const streamArn = summary.StreamDescriptionSummary?.StreamARN ?? '';
  const shardId = shards.Shards?.[0]?.ShardId ?? '';
  const counters: MappingCounters = { invocations: 0, functionErrors: 0, partialFailures: 0, bisections: 0, recordsDelivered: 0, recordsDeadLettered: 0, dlqMessages: 0, iteratorAgeMs: 0 };
  const delivered: KinesisStreamRecord[] = [];
  const deadLetters: DeadLetterDocument[] = [];
  // The host side the poller uses: an error thrown by the handler is a function error, as Lambda reports it.
  const host = {
    functionArn: 'arn:aws:lambda:sa-east-1:123456789012:function:lambda-test',
    invoke: async (event: KinesisStreamEvent): Promise<InvokeResult> => {
      options.beforeInvoke?.(event);
      const started = Date.now();
      try {
        const response = await handler(event, options.context ? options.context(event) : lambdaContext());
        return { ok: true, response, durationMs: Date.now() - started };
      } catch (error) {
        return { ok: false, error: String(error), durationMs: Date.now() - started };
      }
    },
  };
  const poller = new ShardPoller({
    mapping: { ...options.mapping, eventSourceArn: streamArn },
    host: host as unknown as FunctionHost,
    kinesis: stream.client,
    streamName: stream.name,
    shardId,
    roleArn: 'arn:aws:iam::123456789012:role/lambda-test',
    counters,
    deadLetter: (body) => deadLetters.push(JSON.parse(body) as DeadLetterDocument),
    onDelivered: (records) => delivered.push(...records),
  });
  const accounted = (): number => delivered.length + deadLetters.reduce((sum, document) => sum + document.KinesisBatchInfo.batchSize, 0);
  const timeoutMs = options.timeoutMs ?? 20_000;
  poller.start();
  try {
    for (let waited = 0; accounted() < options.records && waited < timeoutMs; waited += 50) await sleep(50);
  } finally {
    await poller.stop();
  }
  if (accounted() < options.records) throw new Error(`the poller accounted for ${accounted()} of ${options.records} records in ${timeoutMs} ms`);
  return { streamArn, shardId, counters, delivered, deadLetters };
}
