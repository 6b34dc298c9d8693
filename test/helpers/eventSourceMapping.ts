import type { _Record } from '@aws-sdk/client-kinesis';
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import { firstToRetry } from '../../scripts/lib/local/firstToRetry';
import { lambdaContext } from './records';
import type { TestStream } from './emulators';

export type KinesisHandler = (event: KinesisStreamEvent, context: Context) => Promise<KinesisStreamBatchResponse>;

export interface MappingRun {
  /** Invocations made, including retries. */
  readonly invocations: number;
  /** Records given up after the retries (what the on-failure destination would receive). */
  readonly deadLettered: KinesisStreamRecord[];
  /** Records whose batch finally succeeded. */
  readonly delivered: KinesisStreamRecord[];
}

/**
 * Drives a handler the way a Kinesis event source mapping with ReportBatchItemFailures does:
 * batches read with GetRecords, a partial failure retried from the lowest reported sequence number
 * (re-read from the stream), a report naming no record of the batch retried as a whole, and after
 * `maxRetries` the rest of the batch sent to the on-failure destination (collected here) and the shard
 * moved on.
 */
export async function runEventSourceMapping(
  stream: TestStream,
  handler: KinesisHandler,
  options: { batchSize: number; maxRetries: number; context?: () => Context; beforeInvoke?: (attempt: number) => void },
): Promise<MappingRun> {
  const deadLettered: KinesisStreamRecord[] = [];
  const delivered: KinesisStreamRecord[] = [];
  let invocations = 0;
  let after: string | undefined;
  for (;;) {
    let records: _Record[] = await stream.read(after ? { after } : {}, options.batchSize);
    if (records.length === 0) break;
    const lastOfBatch = records[records.length - 1]?.SequenceNumber;
    for (let attempt = 0; ; attempt += 1) {
      const event = stream.toEvent(records);
      options.beforeInvoke?.(attempt);
      invocations += 1;
      const response = await handler(event, options.context ? options.context() : lambdaContext());
      const firstIndex = firstToRetry(event.Records, response);
      const first = event.Records[firstIndex];
      // None to retry: the batch succeeded.
      if (first === undefined) {
        delivered.push(...event.Records);
        break;
      }
      delivered.push(...event.Records.slice(0, firstIndex));
      if (attempt >= options.maxRetries) {
        deadLettered.push(...event.Records.slice(firstIndex));
        break;
      }
      // Lambda checkpoints before the failed record and reads the batch again from it.
      const reread = await stream.read({ at: first.kinesis.sequenceNumber }, options.batchSize);
      records = reread.filter((r) => BigInt(r.SequenceNumber ?? '0') <= BigInt(lastOfBatch ?? '0'));
    }
    after = lastOfBatch;
  }
  return { invocations, deadLettered, delivered };
}
