import type { KinesisStreamRecord } from 'aws-lambda';

export interface BatchFailureOverrides {
  functionArn?: string;
  condition?: string;
  streamArn?: string;
  shardId?: string;
  /** ISO instants; default: the records' own arrival times. */
  firstArrival?: string;
  lastArrival?: string;
}

/**
 * The document a Kinesis event source mapping sends to its on-failure destination for the given
 * records (one contiguous run of a shard, as the mapping gave up on it), in AWS's documented shape.
 */
export function batchFailureDocument(records: readonly KinesisStreamRecord[], overrides: BatchFailureOverrides & { functionArn: string; streamArn: string }): string {
  const first = records[0];
  const last = records[records.length - 1];
  if (!first || !last) throw new Error('batchFailureDocument: needs at least one record');
  const iso = (record: KinesisStreamRecord): string => new Date(record.kinesis.approximateArrivalTimestamp * 1000).toISOString();
  return JSON.stringify({
    requestContext: {
      requestId: 'c9b8fa9f-5a7f-47c8-9d9e-0f3a3d3b8a01',
      functionArn: overrides.functionArn,
      condition: overrides.condition ?? 'RetryAttemptsExhausted',
      approximateInvokeCount: 11,
    },
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: '' },
    version: '1.0',
    timestamp: '2025-11-29T12:05:00.000Z',
    KinesisBatchInfo: {
      shardId: overrides.shardId ?? first.eventID.split(':')[0],
      startSequenceNumber: first.kinesis.sequenceNumber,
      endSequenceNumber: last.kinesis.sequenceNumber,
      approximateArrivalOfFirstRecord: overrides.firstArrival ?? iso(first),
      approximateArrivalOfLastRecord: overrides.lastArrival ?? iso(last),
      batchSize: records.length,
      streamArn: overrides.streamArn,
    },
  });
}
