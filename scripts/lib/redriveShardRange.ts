import { ListShardsCommand, type KinesisClient, type Shard } from '@aws-sdk/client-kinesis';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import { STREAM_RETENTION_HOURS } from '../../functions/shared/constants';
import { sleep as pause } from '../../functions/shared/sleep';
import { archiveRecoveryText } from './archiveRecoveryText';
import { errorText } from './errorText';
import { EventPacker } from './EventPacker';
import { eventBytes } from './eventBytes';
import { invokeRedriveEvent } from './invokeRedriveEvent';
import type { ShardRangeOptions } from './redriveArgs';
import { RedriveError } from './RedriveError';
import { RANGE_READ_LIMITS, shardPages } from './redriveRecords';
import type { RedriveTargets } from './redriveTargets';
import { MAX_REDRIVE_EVENT_BYTES } from './splitIntoEvents';
import { toLambdaRecord } from './toLambdaRecord';

/** The SDK clients a shard range needs (tests point real clients at local servers). */
export interface ShardRangeClients {
  readonly kinesis: KinesisClient;
  readonly lambda: LambdaClient;
}

/**
 * Least time between two GetRecords calls of the range: a shard serves five reads a second to everything that
 * reads it, and the two mappings and Firehose poll it about once a second each.
 */
export const RANGE_PAGE_INTERVAL_MS = 1_000;

export interface ShardRangeSettings {
  /** Largest invocation payload; default MAX_REDRIVE_EVENT_BYTES. */
  readonly maxPayloadBytes?: number;
  /** Records per GetRecords call; default RANGE_READ_LIMITS.recordsPerCall. */
  readonly recordsPerCall?: number;
  /** Waits before each retry of a throttled read; default THROTTLED_READ_BACKOFF_MS. */
  readonly backoffMs?: readonly number[];
  /** Default RANGE_PAGE_INTERVAL_MS. */
  readonly pageIntervalMs?: number;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface ShardRangeSummary {
  /** Records of the range read (all of it, unless the run stopped). */
  readonly records: number;
  readonly redriven: number;
  readonly invocations: number;
  readonly exitCode: 0 | 1;
  readonly line: string;
}

const iso = (ms: number): string => new Date(ms).toISOString();
const counted = (n: number, what: string): string => `${n} ${what}${n === 1 ? '' : 's'}`;
const arrivalMs = (record: KinesisStreamRecord): number => Math.round(record.kinesis.approximateArrivalTimestamp * 1000);

/** The arrival time before which the stream may have trimmed records, at `now`. */
const horizonAt = (now: number): number => now - STREAM_RETENTION_HOURS * 3_600_000;

/** Refuses a range that starts before what the stream still holds, with the archive prefixes of the part it lost. */
function refuseExpired(targets: RedriveTargets, options: ShardRangeOptions, now: number): void {
  const horizon = horizonAt(now);
  if (options.fromMs >= horizon) return;
  const rest = options.toMs > horizon ? `; the stream still holds what arrived after ${iso(horizon)}: give a later --from to redrive that` : '';
  throw new RedriveError(
    `expired: the stream no longer holds records that arrived before ${iso(horizon)} (it keeps them ${STREAM_RETENTION_HOURS} hours); ` +
      `${archiveRecoveryText(targets, options.fromMs, Math.min(options.toMs, horizon))}${rest}`,
  );
}

/** The shards a resharding made of `shardId` (a split makes two, a merge one with an adjacent parent). */
function childShards(shards: readonly Shard[], shardId: string): string[] {
  return shards.filter((shard) => shard.ParentShardId === shardId || shard.AdjacentParentShardId === shardId).map((shard) => shard.ShardId ?? '?');
}

/** Refuses a shard the environment's stream does not have (closed shards count: their records stay for the retention); answers the stream's shards. */
async function refuseUnknownShard(kinesis: KinesisClient, targets: RedriveTargets, shardId: string): Promise<Shard[]> {
  const shards: Shard[] = [];
  let token: string | undefined;
  do {
    const output = await kinesis.send(new ListShardsCommand(token === undefined ? { StreamName: targets.streamName } : { NextToken: token }));
    shards.push(...(output.Shards ?? []));
    token = output.NextToken;
  } while (token !== undefined);
  if (shards.some((shard) => shard.ShardId === shardId)) return shards;
  const listed = shards.map((shard) => `${shard.ShardId ?? '?'}${shard.SequenceNumberRange?.EndingSequenceNumber === undefined ? '' : ' (closed)'}`);
  throw new RedriveError(`--shard ${shardId} is not a shard of ${targets.streamName}; its shards: ${listed.join(', ')}`);
}

/**
 * Redrives the records of one shard that arrived in [options.fromMs, options.toMs): reads them from the first
 * record at or after --from (AT_TIMESTAMP) and invokes options.fn with the events its mapping would have sent
 * (original shard, sequence numbers, partition keys and arrival times; at most its batch size and under the
 * payload limit each), in order, one event in memory at a time, stopping at the first invocation that fails.
 * Writes one line per invocation and the summary through `write`. A refusal (range older than the stream's
 * retention, shard not of the stream) is a RedriveError before anything is invoked.
 */
export async function redriveShardRange(
  clients: ShardRangeClients,
  targets: RedriveTargets,
  options: ShardRangeOptions,
  write: (line: string) => void,
  settings: ShardRangeSettings = {},
): Promise<ShardRangeSummary> {
  const now = settings.now ?? Date.now;
  const sleep = settings.sleep ?? pause;
  const interval = settings.pageIntervalMs ?? RANGE_PAGE_INTERVAL_MS;
  const { shardId } = options;
  const target = targets.functions[options.fn];
  refuseExpired(targets, options, now());
  const shards = await refuseUnknownShard(clients.kinesis, targets, shardId);
  /** What the summary tells the operator to run again with: the range's rest, to the same end. */
  const again = (fromMs: number): string => `--from ${iso(fromMs)} --to ${iso(options.toMs)}`;

  const source = { shardId, streamArn: targets.streamArn, region: targets.region, roleArn: target.roleArn };
  const packer = new EventPacker({ maxBytes: settings.maxPayloadBytes ?? MAX_REDRIVE_EVENT_BYTES, maxRecords: target.batchSize });
  let read = 0;
  /** Records in the invocations made: a run that stops has read one event further. */
  let sent = 0;
  let redriven = 0;
  let invocations = 0;
  let lastRead: KinesisStreamRecord | undefined;
  /** Why and where the run stopped short of the range's end, for the summary. */
  let stopped: string | undefined;
  const rerun = (record: KinesisStreamRecord): string => `from sequence number ${record.kinesis.sequenceNumber} (arrived ${iso(arrivalMs(record))}) on`;

  /** Invokes one event (a dry run only reports it); false when it failed and the run stops. */
  const send = async (event: KinesisStreamEvent): Promise<boolean> => {
    invocations += 1;
    const records = event.Records;
    sent += records.length;
    const first = records[0] as KinesisStreamRecord;
    const last = records[records.length - 1] as KinesisStreamRecord;
    const prefix =
      `invocation ${invocations} | ${options.fn} | ${shardId} | ${first.kinesis.sequenceNumber}..${last.kinesis.sequenceNumber} | ` +
      `${counted(records.length, 'record')} | arrived ${iso(arrivalMs(first))}..${iso(arrivalMs(last))} | `;
    if (options.dryRun) {
      write(`${prefix}dry run: would invoke ${target.name} (${eventBytes(event)} bytes)`);
      return true;
    }
    const result = await invokeRedriveEvent(clients.lambda, target.arn, event);
    if (result.ok) {
      redriven += records.length;
      write(`${prefix}redriven`);
      return true;
    }
    write(`${prefix}${result.reason === 'invoke error' ? 'failed:' : 'reported'} ${result.detail}`);
    // The records before the lowest one reported are done, as the mapping would take them; a function error leaves none done.
    const resume = Math.max(0, records.findIndex((record) => record.kinesis.sequenceNumber === result.firstFailed));
    redriven += resume;
    const from = records[resume] as KinesisStreamRecord;
    stopped = `stopped at invocation ${invocations}: ${rerun(from)} the range is not redriven; fix the cause, then run again with ${again(arrivalMs(from))}`;
    return false;
  };

  let readFailure: unknown;
  /** The stream's horizon when a page showed that it had passed the last record read: what followed may be gone. */
  let trimmedAt: number | undefined;
  /** The read reached the end of a shard a resharding closed, before a record at --to: the rest of the window is in its children. */
  let closedEarly = false;
  let emptyPages = 0;
  const reading = { streamName: targets.streamName, shardId };
  const readSettings = { ...(settings.recordsPerCall === undefined ? {} : { recordsPerCall: settings.recordsPerCall }), ...(settings.backoffMs === undefined ? {} : { backoffMs: settings.backoffMs }), sleep };
  try {
    pages: for await (const page of shardPages(clients.kinesis, reading, { atTimestampMs: options.fromMs }, readSettings)) {
      const pageAt = now();
      // Kinesis trims silently: an iterator on trimmed records answers from the oldest record left. Once the horizon has
      // passed the last record read (or --from), records between it and this page may be gone, and a partial range is no redrive.
      if (lastRead === undefined) refuseExpired(targets, options, pageAt);
      else if (arrivalMs(lastRead) < horizonAt(pageAt)) {
        trimmedAt = horizonAt(pageAt);
        break;
      }
      for (const record of page.records) {
        if ((record.ApproximateArrivalTimestamp?.getTime() ?? 0) >= options.toMs) break pages;
        const lambdaRecord = toLambdaRecord(record, source);
        read += 1;
        lastRead = lambdaRecord;
        const closed = packer.add(lambdaRecord);
        if (closed !== undefined && !(await send(closed))) break pages;
      }
      if (page.last) {
        closedEarly = page.closed;
        break;
      }
      emptyPages = page.records.length === 0 ? emptyPages + 1 : 0;
      if (emptyPages >= RANGE_READ_LIMITS.maxGetRecordsCalls) throw new Error(`gave up after ${emptyPages} GetRecords calls in a row that returned no record`);
      await sleep(Math.max(0, pageAt + interval - now()));
    }
  } catch (error) {
    // Before anything was read, the error is the run's (missing credentials get their hint from the CLI, an expired range its refusal).
    if (lastRead === undefined) throw error;
    readFailure = error;
  }
  if (stopped === undefined) {
    // What was read before a read failed is still a contiguous run of the shard: invoke it.
    const rest = packer.flush();
    if (rest !== undefined) await send(rest);
  }
  if (stopped === undefined && readFailure !== undefined && lastRead !== undefined) {
    stopped = `stopped: reading ${shardId} after sequence number ${lastRead.kinesis.sequenceNumber} failed: ${errorText(readFailure)}; run again with ${again(arrivalMs(lastRead))}`;
  }
  if (stopped === undefined && trimmedAt !== undefined && lastRead !== undefined) {
    const after = arrivalMs(lastRead);
    const rest = options.toMs > trimmedAt ? `; the stream still holds what arrived after ${iso(trimmedAt)}: run again with ${again(trimmedAt)}` : '';
    stopped =
      `stopped: the stream's retention (${STREAM_RETENTION_HOURS} hours) passed sequence number ${lastRead.kinesis.sequenceNumber} (arrived ${iso(after)}) before the run read on, ` +
      `so records after it may be trimmed; ${archiveRecoveryText(targets, after, Math.min(options.toMs, trimmedAt))}${rest}`;
  }
  // Reported, not refused: the named shard's part of the window is done, and its children are other shards' batches.
  const children = childShards(shards, shardId);
  const closedNote = closedEarly
    ? `; ${shardId} is closed (resharded) and ended before --to: later records are in ${children.length === 0 ? 'its child shards (aws kinesis list-shards)' : children.join(' and ')}; redrive ${children.length === 1 ? 'it' : 'each'} with --shard if its batches failed too`
    : '';

  const head = `redrive ${shardId} (${options.fn})`;
  let line: string;
  if (stopped !== undefined) line = `${head}: ${counted(sent, 'record')} sent, ${redriven} redriven (${counted(invocations, 'invocation')}); ${stopped}`;
  else if (read === 0) line = `${head}: 0 records, 0 redriven (none arrived from ${iso(options.fromMs)} to ${iso(options.toMs)})${closedNote}`;
  else if (options.dryRun) line = `${head}: ${counted(read, 'record')}, 0 redriven (dry run: would invoke ${target.name} ${invocations === 1 ? 'once' : `${invocations} times`})${closedNote}`;
  else line = `${head}: ${counted(read, 'record')}, ${redriven} redriven (${counted(invocations, 'invocation')})${closedNote}`;
  write(line);
  return { records: read, redriven, invocations, exitCode: stopped === undefined ? 0 : 1, line };
}
