import type { KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';

/**
 * Largest event the redrive packs: a little under Lambda's synchronous invocation payload limit
 * (LAMBDA_LIMITS.maxInvokePayloadBytes, 6 MB) so that no rounding on either side can push an invocation over.
 */
export const MAX_REDRIVE_EVENT_BYTES = 6_000_000;

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
