import type { KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import { EventPacker } from './EventPacker';

/**
 * Largest event the redrive packs: a little under Lambda's synchronous invocation payload limit
 * (LAMBDA_LIMITS.maxInvokePayloadBytes, 6 MB) so that no rounding on either side can push an invocation over.
 */
export const MAX_REDRIVE_EVENT_BYTES = 6_000_000;

/**
 * Splits records (in shard order) into events of at most `maxBytes` of JSON and `maxRecords` records each,
 * every event a contiguous run of the range, in order (see EventPacker).
 */
export function splitIntoEvents(records: readonly KinesisStreamRecord[], maxBytes = MAX_REDRIVE_EVENT_BYTES, maxRecords = Number.POSITIVE_INFINITY): KinesisStreamEvent[] {
  const packer = new EventPacker({ maxBytes, maxRecords });
  const events: KinesisStreamEvent[] = [];
  for (const record of records) {
    const closed = packer.add(record);
    if (closed !== undefined) events.push(closed);
  }
  const last = packer.flush();
  if (last !== undefined) events.push(last);
  return events;
}
