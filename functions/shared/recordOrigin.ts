import type { KinesisStreamRecord } from 'aws-lambda';
import type { RecordOrigin } from './types';

/** The shard id is the part of the event id before the colon (`shardId-000000000000:<sequence>`). */
export function recordOrigin(record: KinesisStreamRecord, index: number): RecordOrigin {
  const colon = record.eventID.indexOf(':');
  return {
    index,
    shardId: colon > 0 ? record.eventID.slice(0, colon) : record.eventID,
    sequenceNumber: record.kinesis.sequenceNumber,
    partitionKey: record.kinesis.partitionKey,
    arrivedAt: Math.round(record.kinesis.approximateArrivalTimestamp * 1000),
    streamArn: record.eventSourceARN,
  };
}
