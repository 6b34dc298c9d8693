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

/** Refuses a range that starts before what the stream still holds, with the archive prefixes of the part it lost. */
function refuseExpired(targets: RedriveTargets, options: ShardRangeOptions, now: number): void {
  const horizon = now - STREAM_RETENTION_HOURS * 3_600_000;
  if (options.fromMs >= horizon) return;
  const rest = options.toMs > horizon ? `; the stream still holds what arrived after ${iso(horizon)}: give a later --from to redrive that` : '';
  throw new RedriveError(
    `expired: the stream no longer holds records that arrived before ${iso(horizon)} (it keeps them ${STREAM_RETENTION_HOURS} hours); ` +
      `${archiveRecoveryText(targets, options.fromMs, Math.min(options.toMs, horizon))}${rest}`,
  );
}

/** Refuses a shard the environment's stream does not have (closed shards count: their records stay for the retention). */
async function refuseUnknownShard(kinesis: KinesisClient, targets: RedriveTargets, shardId: string): Promise<void> {
  const shards: Shard[] = [];
  let token: string | undefined;
  do {
    const output = await kinesis.send(new ListShardsCommand(token === undefined ? { StreamName: targets.streamName } : { NextToken: token }));
    shards.push(...(output.Shards ?? []));
    token = output.NextToken;
  } while (token !== undefined);
  if (shards.some((shard) => shard.ShardId === shardId)) return;
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
  await refuseUnknownShard(clients.kinesis, targets, shardId);

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
    stopped = `stopped at invocation ${invocations}: ${rerun(from)} the range is not redriven; fix the cause, then run again with --from ${iso(arrivalMs(from))}`;
    return false;
  };

  let readFailure: unknown;
  let emptyPages = 0;
  try {
    pages: for await (const page of shardPages(clients.kinesis, { streamName: targets.streamName, shardId }, { atTimestampMs: options.fromMs }, settings.recordsPerCall)) {
      const pageAt = now();
      for (const record of page.records) {
        if ((record.ApproximateArrivalTimestamp?.getTime() ?? 0) >= options.toMs) break pages;
        const lambdaRecord = toLambdaRecord(record, source);
        read += 1;
        lastRead = lambdaRecord;
        const closed = packer.add(lambdaRecord);
        if (closed !== undefined && !(await send(closed))) break pages;
      }
      if (page.last) break;
      emptyPages = page.records.length === 0 ? emptyPages + 1 : 0;
      if (emptyPages >= RANGE_READ_LIMITS.maxGetRecordsCalls) throw new Error(`gave up after ${emptyPages} GetRecords calls in a row that returned no record`);
      await sleep(Math.max(0, pageAt + interval - now()));
    }
  } catch (error) {
    // Before anything was read, the error is the run's (missing credentials get their hint from the CLI).
    if (lastRead === undefined) throw error;
    readFailure = error;
  }
  if (stopped === undefined) {
    // What was read before a read failed is still a contiguous run of the shard: invoke it.
    const rest = packer.flush();
    if (rest !== undefined) await send(rest);
  }
  if (stopped === undefined && readFailure !== undefined && lastRead !== undefined) {
    stopped = `stopped: reading ${shardId} after sequence number ${lastRead.kinesis.sequenceNumber} failed: ${errorText(readFailure)}; run again with --from ${iso(arrivalMs(lastRead))}`;
  }

  const head = `redrive ${shardId} (${options.fn})`;
  let line: string;
  if (stopped !== undefined) line = `${head}: ${counted(sent, 'record')} sent, ${redriven} redriven (${counted(invocations, 'invocation')}); ${stopped}`;
  else if (read === 0) line = `${head}: 0 records, 0 redriven (none arrived from ${iso(options.fromMs)} to ${iso(options.toMs)})`;
  else if (options.dryRun) line = `${head}: ${counted(read, 'record')}, 0 redriven (dry run: would invoke ${target.name} ${invocations === 1 ? 'once' : `${invocations} times`})`;
  else line = `${head}: ${counted(read, 'record')}, ${redriven} redriven (${counted(invocations, 'invocation')})`;
  write(line);
  return { records: read, redriven, invocations, exitCode: stopped === undefined ? 0 : 1, line };
}
