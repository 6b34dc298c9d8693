import type { KinesisStreamBatchResponse, KinesisStreamRecord } from 'aws-lambda';

/**
 * The partial batch response for Kinesis: the first failed record and every record after it, in
 * shard order. Lambda resumes from the lowest reported sequence number, so records after it are
 * redelivered anyway; reporting them keeps the response honest and the metric exact.
 */
export function failuresFrom(records: readonly KinesisStreamRecord[], firstFailedIndex: number): KinesisStreamBatchResponse {
  if (firstFailedIndex >= records.length) return { batchItemFailures: [] };
  return {
    batchItemFailures: records.slice(Math.max(0, firstFailedIndex)).map((record) => ({ itemIdentifier: record.kinesis.sequenceNumber })),
  };
}
