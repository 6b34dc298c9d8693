import { GetRecordsCommand, GetShardIteratorCommand, type GetShardIteratorCommandInput, type KinesisClient, type _Record } from '@aws-sdk/client-kinesis';
import { sleep as pause } from '../../functions/shared/sleep';

/** Bounds of one range read: GetRecords calls (Kinesis may return empty pages while it walks a shard). */
export const RANGE_READ_LIMITS = { maxGetRecordsCalls: 200, recordsPerCall: 10_000 } as const;

/**
 * Waits before each retry of a throttled shard read, doubling. A shard serves 5 reads a second and 2 MB/s to all its
 * readers, and after a GetRecords of 10 MB refuses reads for about 5 seconds: the SDK's own three quick attempts do not
 * outlast that, so the read waits up to 1 + 2 + 4 + 8 + 8 + 8 seconds more before it gives up.
 */
export const THROTTLED_READ_BACKOFF_MS = [1_000, 2_000, 4_000, 8_000, 8_000, 8_000] as const;

/** Errors of GetShardIterator and GetRecords that a later attempt may not get (the shard's or the key's rate). */
const THROTTLING_ERRORS: ReadonlySet<string> = new Set(['ProvisionedThroughputExceededException', 'KMSThrottlingException']);

export interface ShardReadSettings {
  /** Records per GetRecords call; default RANGE_READ_LIMITS.recordsPerCall. */
  readonly recordsPerCall?: number;
  /** Waits before each retry of a throttled call; default THROTTLED_READ_BACKOFF_MS. */
  readonly backoffMs?: readonly number[];
  readonly sleep?: (ms: number) => Promise<void>;
}

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

/** Where a read of a shard starts: a record's sequence number, or the first record that arrived at or after a time. */
export type ShardStart = { readonly atSequenceNumber: string } | { readonly atTimestampMs: number };

export interface ShardPage {
  /** The records of one GetRecords call, in shard order; possibly none. */
  readonly records: _Record[];
  /** No page follows: the tip of an open shard (nothing more yet) or the end of a closed one. */
  readonly last: boolean;
  /** The end of a shard a resharding closed (GetRecords answered no next iterator): its later records are in its children. */
  readonly closed: boolean;
}

/**
 * The GetRecords pages of one shard from `start`, each read when the caller asks for it. A shard iterator
 * lives 5 minutes, and a caller may spend longer invoking a page's records: an expired one is replaced by
 * one after the last record read (or at the start again when none was).
 */
export async function* shardPages(
  kinesis: KinesisClient,
  shard: { readonly streamName: string; readonly shardId: string },
  start: ShardStart,
  settings: ShardReadSettings = {},
): AsyncGenerator<ShardPage, void, undefined> {
  const recordsPerCall = settings.recordsPerCall ?? RANGE_READ_LIMITS.recordsPerCall;
  const backoff = settings.backoffMs ?? THROTTLED_READ_BACKOFF_MS;
  const sleep = settings.sleep ?? pause;
  /** One call, retried after each wait of `backoff` while the shard throttles it; the last refusal is thrown. */
  const patiently = async <T>(call: () => Promise<T>): Promise<T> => {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await call();
      } catch (error) {
        const wait = backoff[attempt];
        if (wait === undefined || !THROTTLING_ERRORS.has((error as { name?: string }).name ?? '')) throw error;
        await sleep(wait);
      }
    }
  };
  const iteratorAt = async (lastRead: string | undefined): Promise<string | undefined> => {
    const position: Partial<GetShardIteratorCommandInput> =
      lastRead !== undefined
        ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: lastRead }
        : 'atSequenceNumber' in start
          ? { ShardIteratorType: 'AT_SEQUENCE_NUMBER', StartingSequenceNumber: start.atSequenceNumber }
          : { ShardIteratorType: 'AT_TIMESTAMP', Timestamp: new Date(start.atTimestampMs) };
    const input = { StreamName: shard.streamName, ShardId: shard.shardId, ...position } as GetShardIteratorCommandInput;
    const output = await patiently(() => kinesis.send(new GetShardIteratorCommand(input)));
    return output.ShardIterator;
  };
  let lastRead: string | undefined;
  let iterator = await iteratorAt(undefined);
  let renewed = false;
  while (iterator !== undefined) {
    let page;
    try {
      const current = iterator;
      page = await patiently(() => kinesis.send(new GetRecordsCommand({ ShardIterator: current, Limit: recordsPerCall })));
    } catch (error) {
      // Once per page: a fresh iterator that expires at once is not the caller's slowness.
      if ((error as { name?: string }).name !== 'ExpiredIteratorException' || renewed) throw error;
      renewed = true;
      iterator = await iteratorAt(lastRead);
      continue;
    }
    renewed = false;
    const records = page.Records ?? [];
    lastRead = records.at(-1)?.SequenceNumber ?? lastRead;
    // At the tip of an open shard (an empty page with nothing behind it) or past the end of a closed one.
    const closed = page.NextShardIterator === undefined;
    const last = (records.length === 0 && (page.MillisBehindLatest ?? 0) === 0) || closed;
    yield { records, last, closed };
    if (last) return;
    iterator = page.NextShardIterator;
  }
}

/**
 * Reads the records of one dead-lettered range: GetShardIterator AT_SEQUENCE_NUMBER the start, then
 * GetRecords until a record beyond the end, the end of a closed shard, the tip of the shard, or the
 * call bound (an error: a range is at most one batch, so the bound is never reached in a healthy read).
 */
export async function readRange(kinesis: KinesisClient, range: RangeRequest, limits = RANGE_READ_LIMITS, settings: Omit<ShardReadSettings, 'recordsPerCall'> = {}): Promise<RangeRead> {
  const start = BigInt(range.startSequenceNumber);
  const end = BigInt(range.endSequenceNumber);
  const records: _Record[] = [];
  let calls = 0;
  for await (const page of shardPages(kinesis, range, { atSequenceNumber: range.startSequenceNumber }, { ...settings, recordsPerCall: limits.recordsPerCall })) {
    calls += 1;
    for (const record of page.records) {
      const sequence = BigInt(record.SequenceNumber ?? '0');
      if (records.length === 0 && sequence !== start) {
        if (sequence < start) throw new Error(`an iterator at ${range.startSequenceNumber} returned the earlier record ${sequence}`);
        return { status: 'expired', firstAvailable: sequence.toString() };
      }
      if (sequence > end) return { status: 'ok', records };
      records.push(record);
    }
    if (!page.last && calls >= limits.maxGetRecordsCalls) {
      throw new Error(`gave up after ${limits.maxGetRecordsCalls} GetRecords calls without reaching sequence number ${range.endSequenceNumber}`);
    }
  }
  // Nothing at all from the start: every record of the range has been trimmed.
  return records.length === 0 ? { status: 'expired' } : { status: 'ok', records };
}
