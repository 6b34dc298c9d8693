import { PutRecordsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { mapWithConcurrency } from '../../functions/shared/mapWithConcurrency';
import type { QuarantineReplayOptions } from './redriveArgs';
import { RedriveError } from './RedriveError';
import { LEFT_REASONS, parseErrorActionDocument, rebuildRecord, type LeftReason } from './redriveIotDocument';
import type { IotReplayTargets } from './redriveIotRules';

/** The SDK clients the replay works with (tests point real clients at local servers). */
export interface IotReplayClients {
  readonly s3: S3Client;
  readonly kinesis: KinesisClient;
}

/** Kinesis PutRecords: records and bytes (data and partition keys) of one request at most. */
export const PUT_RECORDS_LIMITS = { maxRecords: 500, maxBytes: 5 * 1_048_576 } as const;

/** Entry errors of PutRecords worth another attempt: the shard or KMS was busy, or Kinesis failed inside. */
const RETRIED_ENTRY_ERRORS: ReadonlySet<string> = new Set(['ProvisionedThroughputExceededException', 'InternalFailure', 'KMSThrottlingException']);

export interface IotReplaySettings {
  /** Attempts of a throttled entry, the first included (default 10: about 15 s of backoff in all). */
  readonly maxPutAttempts?: number;
  /** GetObject calls in flight (default 8). */
  readonly readConcurrency?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface ObjectOutcome {
  readonly key: string;
  /** undefined: replayed. */
  readonly left?: LeftReason;
  readonly line: string;
}

export interface IotReplaySummary {
  readonly outcomes: readonly ObjectOutcome[];
  readonly replayed: number;
  readonly left: Readonly<Partial<Record<LeftReason, number>>>;
  /** Objects in the range past --max-objects: not read, not counted. */
  readonly notRead: number;
  readonly exitCode: 0 | 1;
  readonly line: string;
}

interface ListedObject {
  readonly key: string;
  readonly lastModifiedMs: number;
}

const HOUR_MS = 3_600_000;
const SUMMARY_PREFIX = 'redrive quarantine/iot';

function errorText(error: unknown): string {
  const e = error as { name?: string; message?: string };
  return `${e.name ?? 'Error'}: ${(e.message ?? String(error)).split('\n')[0]}`;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The error actions' folders that can hold objects written in [fromMs, toMs): the folder is named after the
 * message's arrival (the rule's timestamp()), and the object is written just after it, so an object written
 * early in the first hour may sit in the folder of the hour before.
 */
export function quarantineFolders(targets: IotReplayTargets, fromMs: number, toMs: number): string[] {
  const folders = new Set<string>();
  const first = Math.floor(fromMs / HOUR_MS) - 1;
  const last = Math.floor((toMs - 1) / HOUR_MS);
  for (let hour = first; hour <= last; hour += 1) {
    for (const { rule, folderTemplate } of targets.rules) folders.add(rule.substitute(folderTemplate, {}, { topic: '', clientId: '', timestamp: hour * HOUR_MS }));
  }
  return [...folders];
}

async function listFolder(s3: S3Client, bucket: string, prefix: string): Promise<ListedObject[]> {
  const objects: ListedObject[] = [];
  let token: string | undefined;
  do {
    let output;
    try {
      output = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ...(token === undefined ? {} : { ContinuationToken: token }) }));
    } catch (error) {
      // Missing credentials keep their own error: the CLI turns it into the hint naming the policy.
      if (error instanceof Error && error.name === 'CredentialsProviderError') throw error;
      throw new RedriveError(`listing s3://${bucket}/${prefix} failed: ${errorText(error)}`, 1);
    }
    for (const item of output.Contents ?? []) {
      if (item.Key !== undefined && item.LastModified !== undefined) objects.push({ key: item.Key, lastModifiedMs: item.LastModified.getTime() });
    }
    token = output.IsTruncated === true ? output.NextContinuationToken : undefined;
  } while (token !== undefined);
  return objects;
}

/**
 * Puts the records, retrying the entries Kinesis throttled with exponential backoff; answers, per record,
 * undefined when it was put or the last error. A call that fails as a whole (the SDK has retried it) fails all.
 */
async function putWithRetries(
  kinesis: KinesisClient,
  streamName: string,
  records: ReadonlyArray<{ readonly partitionKey: string; readonly data: Buffer }>,
  settings: Required<IotReplaySettings>,
): Promise<Array<string | undefined>> {
  const errors = new Array<string | undefined>(records.length).fill('not put');
  let pending = records.map((_, index) => index);
  for (let attempt = 1; pending.length > 0; attempt += 1) {
    let results;
    try {
      const output = await kinesis.send(
        new PutRecordsCommand({ StreamName: streamName, Records: pending.map((index) => ({ Data: records[index]?.data, PartitionKey: records[index]?.partitionKey })) }),
      );
      results = output.Records ?? [];
    } catch (error) {
      for (const index of pending) errors[index] = errorText(error);
      return errors;
    }
    const retry: number[] = [];
    pending.forEach((index, position) => {
      const result = results[position];
      if (result !== undefined && result.ErrorCode === undefined) {
        errors[index] = undefined;
        return;
      }
      const code = result?.ErrorCode ?? 'NoResult';
      errors[index] = `${code}: ${result?.ErrorMessage ?? 'PutRecords returned no result for the entry'} (attempt ${attempt})`;
      if (RETRIED_ENTRY_ERRORS.has(code)) retry.push(index);
    });
    if (retry.length === 0 || attempt >= settings.maxPutAttempts) break;
    pending = retry;
    // Full jitter keeps a shard that throttled from being hit by every retry at once.
    await settings.sleep(Math.min(5_000, 100 * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2));
  }
  return errors;
}

/** Groups record indexes into PutRecords requests within Kinesis's count and size limits, in order. */
function putBatches(records: ReadonlyArray<{ readonly partitionKey: string; readonly data: Buffer }>): number[][] {
  const batches: number[][] = [];
  let current: number[] = [];
  let bytes = 0;
  records.forEach((record, index) => {
    const size = record.data.length + Buffer.byteLength(record.partitionKey);
    if (current.length === PUT_RECORDS_LIMITS.maxRecords || (current.length > 0 && bytes + size > PUT_RECORDS_LIMITS.maxBytes)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(index);
    bytes += size;
  });
  if (current.length > 0) batches.push(current);
  return batches;
}

/**
 * Replays the IoT rules' error-action objects written in the range: each is read, the rendered rule is run
 * again on its message with the object's LastModified as arrival time, and the record is put to the stream
 * with the rule's partition key. Objects are left in place, replayed or not (the functions treat a replayed
 * message they already have as a duplicate). Writes one line per object and the summary through `write`.
 */
export async function redriveIotQuarantine(
  clients: IotReplayClients,
  targets: IotReplayTargets,
  options: QuarantineReplayOptions,
  write: (line: string) => void,
  overrides: IotReplaySettings = {},
): Promise<IotReplaySummary> {
  const settings: Required<IotReplaySettings> = { maxPutAttempts: 10, readConcurrency: 8, sleep: defaultSleep, ...overrides };
  const folders = quarantineFolders(targets, options.fromMs, options.toMs);
  const listed: ListedObject[] = [];
  for (const folder of folders) listed.push(...(await listFolder(clients.s3, targets.bucket, folder)));
  // Oldest first, so each asset's messages go back in the order they arrived.
  const inRange = listed
    .filter((object) => object.lastModifiedMs >= options.fromMs && object.lastModifiedMs < options.toMs)
    .sort((a, b) => a.lastModifiedMs - b.lastModifiedMs || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const selected = inRange.slice(0, options.maxObjects);
  const notRead = inRange.length - selected.length;
  write(
    `range ${new Date(options.fromMs).toISOString()} to ${new Date(options.toMs).toISOString()}: ${folders.length} folders of s3://${targets.bucket}/ listed, ` +
      `${inRange.length} objects written in the range${notRead > 0 ? `, the oldest ${selected.length} taken (--max-objects)` : ''}`,
  );

  const outcomes: ObjectOutcome[] = [];
  // A window of objects at a time: bodies are read, rebuilt and put, then dropped.
  for (let start = 0; start < selected.length; start += PUT_RECORDS_LIMITS.maxRecords) {
    const window = selected.slice(start, start + PUT_RECORDS_LIMITS.maxRecords);
    const bodies = await mapWithConcurrency(window, settings.readConcurrency, async (object) => {
      const output = await clients.s3.send(new GetObjectCommand({ Bucket: targets.bucket, Key: object.key }));
      return (await output.Body?.transformToString('utf8')) ?? '';
    });
    /** Each object's line, in window order: its start, and its outcome so far. */
    const lines: Array<{ head: string; outcome: { key: string; left?: LeftReason; text: string } }> = [];
    const records: Array<{ partitionKey: string; data: Buffer; at: number }> = [];
    window.forEach((object, index) => {
      const arrived = new Date(object.lastModifiedMs).toISOString();
      const body = bodies[index];
      const leave = (head: string, reason: LeftReason, detail: string): void => {
        lines.push({ head, outcome: { key: object.key, left: reason, text: `left: ${reason}: ${detail}` } });
      };
      if (body === undefined || body.status === 'rejected') {
        leave(`object ${object.key} | - | - | arrived ${arrived} | `, 'read error', `GetObject failed: ${errorText(body?.reason)}`);
        return;
      }
      const parsed = parseErrorActionDocument(body.value);
      if (!parsed.ok) {
        leave(`object ${object.key} | - | - | arrived ${arrived} | `, 'malformed', `not an IoT error-action document: ${parsed.reason}`);
        return;
      }
      const { document } = parsed;
      const head = `object ${object.key} | ${document.ruleName} | ${document.clientId || '-'} | arrived ${arrived} | `;
      const rebuilt = rebuildRecord(document, targets.rules, object.lastModifiedMs);
      if (!rebuilt.ok) {
        leave(head, rebuilt.reason, rebuilt.detail);
        return;
      }
      const what = `${rebuilt.data.length} bytes, partition key ${rebuilt.partitionKey}`;
      if (options.dryRun) {
        lines.push({ head, outcome: { key: object.key, left: 'dry run', text: `dry run: would put ${what}` } });
        return;
      }
      // Replayed unless the put fails below.
      lines.push({ head, outcome: { key: object.key, text: `replayed: ${what}` } });
      records.push({ partitionKey: rebuilt.partitionKey, data: rebuilt.data, at: lines.length - 1 });
    });
    for (const batch of putBatches(records)) {
      const batchRecords = batch.map((index) => records[index]).filter((record) => record !== undefined);
      const errors = await putWithRetries(clients.kinesis, targets.streamName, batchRecords, settings);
      batchRecords.forEach((record, position) => {
        const error = errors[position];
        const entry = lines[record.at];
        if (error !== undefined && entry !== undefined) entry.outcome = { key: entry.outcome.key, left: 'put failed', text: `left: put failed: ${error}` };
      });
    }
    for (const { head, outcome } of lines) {
      const line = `${head}${outcome.text}`;
      outcomes.push({ key: outcome.key, ...(outcome.left === undefined ? {} : { left: outcome.left }), line });
      write(line);
    }
  }

  const left: Partial<Record<LeftReason, number>> = {};
  for (const outcome of outcomes) if (outcome.left !== undefined) left[outcome.left] = (left[outcome.left] ?? 0) + 1;
  const leftTotal = Object.values(left).reduce((sum, n) => sum + n, 0);
  const replayed = outcomes.length - leftTotal;
  const reasons = LEFT_REASONS.filter((reason) => left[reason] !== undefined).map((reason) => `${left[reason]} ${reason}`);
  const line =
    `${SUMMARY_PREFIX}: ${outcomes.length} object${outcomes.length === 1 ? '' : 's'}, ${replayed} replayed, ${leftTotal} left${reasons.length > 0 ? `: ${reasons.join(', ')}` : ''}` +
    (notRead > 0 ? `; ${notRead} more in the range not read (--max-objects ${options.maxObjects})` : '');
  write(line);
  // A dry run leaves everything by request; anything else left is a message still missing from the stream.
  const failed = outcomes.some((outcome) => outcome.left !== undefined && outcome.left !== 'dry run');
  return { outcomes, replayed, left, notRead, exitCode: failed ? 1 : 0, line };
}
