import { GetRecordsCommand, GetShardIteratorCommand, type KinesisClient, type _Record } from '@aws-sdk/client-kinesis';

/** Bounds of one range read: GetRecords calls (Kinesis may return empty pages while it walks a shard). */
export const RANGE_READ_LIMITS = { maxGetRecordsCalls: 200, recordsPerCall: 10_000 } as const;

export interface RangeRequest {
  readonly streamName: string;
  readonly shardId: string;
  readonly startSequenceNumber: string;
  readonly endSequenceNumber: string;
}

export type RangeRead =
  /** Every record of the shard from start to end sequence number, in order. */
  | { readonly status: 'ok'; readonly records: _Record[] }
  /**
   * The stream no longer holds the start of the range: an AT_SEQUENCE_NUMBER iterator on a trimmed
   * sequence number starts at the trim horizon, after it. `firstAvailable` is the oldest record still there.
   */
  | { readonly status: 'expired'; readonly firstAvailable?: string };

/**
 * Reads the records of one dead-lettered range: GetShardIterator AT_SEQUENCE_NUMBER the start, then
 * GetRecords until a record beyond the end, the end of a closed shard, the tip of the shard, or the
 * call bound (an error: a range is at most one batch, so the bound is never reached in a healthy read).
 */
export async function readRange(kinesis: KinesisClient, range: RangeRequest, limits = RANGE_READ_LIMITS): Promise<RangeRead> {
  const start = BigInt(range.startSequenceNumber);
  const end = BigInt(range.endSequenceNumber);
  const { ShardIterator } = await kinesis.send(
    new GetShardIteratorCommand({
      StreamName: range.streamName,
      ShardId: range.shardId,
      ShardIteratorType: 'AT_SEQUENCE_NUMBER',
      StartingSequenceNumber: range.startSequenceNumber,
    }),
  );
  const records: _Record[] = [];
  let iterator = ShardIterator;
  for (let call = 1; iterator !== undefined; call += 1) {
    if (call > limits.maxGetRecordsCalls) {
      throw new Error(`gave up after ${limits.maxGetRecordsCalls} GetRecords calls without reaching sequence number ${range.endSequenceNumber}`);
    }
    const page = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: limits.recordsPerCall }));
    for (const record of page.Records ?? []) {
      const sequence = BigInt(record.SequenceNumber ?? '0');
      if (records.length === 0 && sequence !== start) {
        if (sequence < start) throw new Error(`an iterator at ${range.startSequenceNumber} returned the earlier record ${sequence}`);
        return { status: 'expired', firstAvailable: sequence.toString() };
      }
      if (sequence > end) return { status: 'ok', records };
      records.push(record);
    }
    // At the tip of an open shard (nothing more yet) or the end of a closed one: the range is complete.
    if ((page.Records ?? []).length === 0 && (page.MillisBehindLatest ?? 0) === 0) break;
    iterator = page.NextShardIterator;
  }
  // Nothing at all from the start: every record of the range has been trimmed.
  return records.length === 0 ? { status: 'expired' } : { status: 'ok', records };
}
