import type { _Record } from '@aws-sdk/client-kinesis';
import type { KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';

/**
 * Largest event the redrive packs: a little under Lambda's synchronous invocation payload limit
 * (LAMBDA_LIMITS.maxInvokePayloadBytes, 6 MB) so that no rounding on either side can push an invocation over.
 */
export const MAX_REDRIVE_EVENT_BYTES = 6_000_000;

/** Where the records come from, as Lambda's event source mapping names it in every record. */
export interface EventSource {
  readonly shardId: string;
  readonly streamArn: string;
  readonly region: string;
  /** The function's execution role (the mapping's invokeIdentityArn). */
  readonly roleArn: string;
}

/**
 * One record of Lambda's documented Kinesis event, with the record's ORIGINAL shard, sequence number,
 * partition key and arrival time: the functions' idempotency keys on them.
 */
export function toLambdaRecord(record: _Record, source: EventSource): KinesisStreamRecord {
  const sequenceNumber = record.SequenceNumber ?? '';
  return {
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey: record.PartitionKey ?? '',
      sequenceNumber,
      data: Buffer.from(record.Data ?? new Uint8Array()).toString('base64'),
      approximateArrivalTimestamp: (record.ApproximateArrivalTimestamp?.getTime() ?? 0) / 1000,
    },
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: `${source.shardId}:${sequenceNumber}`,
    eventName: 'aws:kinesis:record',
    invokeIdentityArn: source.roleArn,
    awsRegion: source.region,
    eventSourceARN: source.streamArn,
  };
}

const EVENT_OVERHEAD_BYTES = Buffer.byteLength('{"Records":[]}');

/**
 * Splits records (in shard order) into events of at most `maxBytes` of JSON each, every event a
 * contiguous run of the range, in order. A record that alone exceeds the limit is an error (Kinesis
 * records are at most 1 MiB, so this does not happen with Lambda's 6 MB).
 */
export function splitIntoEvents(records: readonly KinesisStreamRecord[], maxBytes = MAX_REDRIVE_EVENT_BYTES): KinesisStreamEvent[] {
  const events: KinesisStreamEvent[] = [];
  let current: KinesisStreamRecord[] = [];
  let size = EVENT_OVERHEAD_BYTES;
  for (const record of records) {
    const bytes = Buffer.byteLength(JSON.stringify(record));
    if (EVENT_OVERHEAD_BYTES + bytes > maxBytes) {
      throw new Error(`record ${record.kinesis.sequenceNumber} alone is ${EVENT_OVERHEAD_BYTES + bytes} bytes of event, above the ${maxBytes}-byte invocation limit`);
    }
    // A comma separates it from the previous record.
    const added = current.length === 0 ? bytes : bytes + 1;
    if (size + added > maxBytes) {
      events.push({ Records: current });
      current = [];
      size = EVENT_OVERHEAD_BYTES + bytes;
    } else size += added;
    current.push(record);
  }
  if (current.length > 0) events.push({ Records: current });
  return events;
}

/** Bytes of an event as it is sent. */
export function eventBytes(event: KinesisStreamEvent): number {
  return Buffer.byteLength(JSON.stringify(event));
}
