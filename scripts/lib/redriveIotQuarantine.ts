import { PutRecordsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { mapWithConcurrency } from '../../functions/shared/mapWithConcurrency';
import { sleep } from '../../functions/shared/sleep';
import { errorText } from './errorText';
import { KINESIS_LIMITS } from './local/constants';
import { parseErrorActionDocument } from './parseErrorActionDocument';
import { rebuildRecord } from './rebuildRecord';
import type { QuarantineReplayOptions } from './redriveArgs';
import { RedriveError } from './RedriveError';
import { LEFT_REASONS, type LeftReason } from './redriveIotDocument';
import type { IotReplayTargets } from './redriveIotRules';

/** The SDK clients the replay works with (tests point real clients at local servers). */
export interface IotReplayClients {
  readonly s3: S3Client;
  readonly kinesis: KinesisClient;
}

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

/**
 * The error actions' folders that can hold objects written in [fromMs, toMs): the folder is named after the
 * message's arrival (the rule's timestamp()), and the object is written just after it, so an object written
 * early in the first hour may sit in the folder of the hour before.
 */
function quarantineFolders(targets: IotReplayTargets, fromMs: number, toMs: number): string[] {
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

interface PendingRecord {
  readonly partitionKey: string;
  readonly data: Buffer;
}

/**
 * Puts the records in order per partition key: a PutRecords request holds at most one record of a key (Kinesis
 * goes on with the entries after a failed one, so two of a key in a request could land reversed), and the next
 * record of a key goes only once the one before it was put. Entries Kinesis throttled (or failed inside) stay
 * first of their key and are retried with exponential backoff; a record that finally fails leaves the later
 * records of its key unput (`blockedKeys`, across calls), since putting them would move the asset past it.
 * Answers, per record, undefined when it was put or why not. A call that fails as a whole (the SDK has
 * retried it) fails every record not put yet.
 */
async function putInKeyOrder(
  kinesis: KinesisClient,
  streamName: string,
  records: readonly PendingRecord[],
  blockedKeys: Map<string, string>,
  settings: Required<IotReplaySettings>,
): Promise<Array<string | undefined>> {
  const errors = new Array<string | undefined>(records.length).fill('not put');
  const attempts = new Array<number>(records.length).fill(0);
  let pending: number[] = [];
  records.forEach((record, index) => {
    const blocker = blockedKeys.get(record.partitionKey);
    if (blocker === undefined) pending.push(index);
    else errors[index] = `not put after an earlier record of partition key ${record.partitionKey} (${blocker})`;
  });
  let backoffs = 0;
  while (pending.length > 0) {
    // The earliest pending record of each key, in order, within the count and size limits of one request.
    const request: number[] = [];
    const keys = new Set<string>();
    let bytes = 0;
    for (const index of pending) {
      const record = records[index];
      if (record === undefined || keys.has(record.partitionKey)) continue;
      const size = record.data.length + Buffer.byteLength(record.partitionKey);
      if (request.length === KINESIS_LIMITS.putRecordsMax || (request.length > 0 && bytes + size > KINESIS_LIMITS.putRecordsMaxBytes)) break;
      request.push(index);
      keys.add(record.partitionKey);
      bytes += size;
    }
    let results;
    try {
      const output = await kinesis.send(
        new PutRecordsCommand({ StreamName: streamName, Records: request.map((index) => ({ Data: records[index]?.data, PartitionKey: records[index]?.partitionKey })) }),
      );
      results = output.Records ?? [];
    } catch (error) {
      for (const index of pending) errors[index] = errorText(error);
      for (const index of pending) {
        const key = records[index]?.partitionKey;
        if (key !== undefined && !blockedKeys.has(key)) blockedKeys.set(key, `its put failed: ${errorText(error)}`);
      }
      return errors;
    }
    const done = new Set<number>();
    let throttled = false;
    request.forEach((index, position) => {
      const result = results[position];
      attempts[index] = (attempts[index] ?? 0) + 1;
      if (result !== undefined && result.ErrorCode === undefined) {
        errors[index] = undefined;
        done.add(index);
        return;
      }
      const code = result?.ErrorCode ?? 'NoResult';
      errors[index] = `${code}: ${result?.ErrorMessage ?? 'PutRecords returned no result for the entry'} (attempt ${attempts[index]})`;
      if (RETRIED_ENTRY_ERRORS.has(code) && (attempts[index] ?? 0) < settings.maxPutAttempts) {
        throttled = true;
        return;
      }
      done.add(index);
      blockedKeys.set(records[index]?.partitionKey ?? '', `its put failed: ${errors[index]}`);
    });
    // Records behind a record that finally failed are not put: they would move the asset past it.
    const next: number[] = [];
    for (const index of pending) {
      if (done.has(index)) continue;
      const key = records[index]?.partitionKey ?? '';
      const blocker = blockedKeys.get(key);
      if (blocker !== undefined) errors[index] = `not put after an earlier record of partition key ${key} (${blocker})`;
      else next.push(index);
    }
    pending = next;
    if (!throttled) {
      backoffs = 0;
      continue;
    }
    backoffs += 1;
    // Full jitter keeps a shard that throttled from being hit by every retry at once.
    await settings.sleep(Math.min(5_000, 100 * 2 ** (backoffs - 1)) * (0.5 + Math.random() / 2));
  }
  return errors;
}

/**
 * The message's own device time, for ordering objects written in the same second: the earliest reading's `ts`
 * of a telemetry payload (data contract v1), or a presence event's `timestamp`; undefined when it has none.
 */
function deviceTimestamp(payload: Buffer): number | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const message = parsed as { readings?: unknown; timestamp?: unknown };
  let earliest: number | undefined;
  if (Array.isArray(message.readings)) {
    for (const reading of message.readings as unknown[]) {
      const ts = typeof reading === 'object' && reading !== null ? (reading as { ts?: unknown }).ts : undefined;
      if (typeof ts === 'number' && Number.isSafeInteger(ts) && (earliest === undefined || ts < earliest)) earliest = ts;
    }
  }
  if (earliest !== undefined) return earliest;
  return typeof message.timestamp === 'number' && Number.isSafeInteger(message.timestamp) ? message.timestamp : undefined;
}

const secondOf = (ms: number): number => Math.floor(ms / 1000);
const byKey = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Order within one LastModified second (S3 keeps whole seconds, the keys are random UUIDs): by the message's
 * device time, objects without one after those with one, then by key.
 */
function sameSecondOrder(a: { key: string; deviceMs: number | undefined }, b: { key: string; deviceMs: number | undefined }): number {
  if (a.deviceMs !== undefined && b.deviceMs !== undefined && a.deviceMs !== b.deviceMs) return a.deviceMs - b.deviceMs;
  if (a.deviceMs === undefined && b.deviceMs !== undefined) return 1;
  if (a.deviceMs !== undefined && b.deviceMs === undefined) return -1;
  return byKey(a.key, b.key);
}

/**
 * Windows of objects to read and put together: whole LastModified seconds (their order is only known once
 * the bodies are read), up to KINESIS_LIMITS.putRecordsMax objects unless one second holds more.
 */
function secondWindows(objects: readonly ListedObject[]): ListedObject[][] {
  const windows: ListedObject[][] = [];
  let current: ListedObject[] = [];
  let index = 0;
  while (index < objects.length) {
    const second = secondOf(objects[index]?.lastModifiedMs ?? 0);
    let end = index;
    while (end < objects.length && secondOf(objects[end]?.lastModifiedMs ?? 0) === second) end += 1;
    const group = objects.slice(index, end);
    if (current.length > 0 && current.length + group.length > KINESIS_LIMITS.putRecordsMax) {
      windows.push(current);
      current = [];
    }
    current.push(...group);
    index = end;
  }
  if (current.length > 0) windows.push(current);
  return windows;
}

/**
 * The oldest objects up to `max`, never splitting a LastModified second: which of its objects came first is
 * only known from their bodies, and a later run could not put a skipped earlier one back in order. None when
 * the oldest second alone holds more than `max`.
 */
function takeWholeSeconds(objects: readonly ListedObject[], max: number): ListedObject[] {
  if (objects.length <= max) return [...objects];
  let cut = max;
  const boundary = secondOf(objects[max]?.lastModifiedMs ?? 0);
  while (cut > 0 && secondOf(objects[cut - 1]?.lastModifiedMs ?? 0) === boundary) cut -= 1;
  return objects.slice(0, cut);
}

/** Why objects of the range were not read: the summary's tail. */
function notReadText(inRange: readonly ListedObject[], taken: number, maxObjects: number): string {
  const next = inRange[taken];
  if (next === undefined) return '';
  const notRead = inRange.length - taken;
  const second = secondOf(next.lastModifiedMs);
  const inSecond = inRange.filter((object) => secondOf(object.lastModifiedMs) === second).length;
  const at = new Date(second * 1000).toISOString();
  return taken === 0
    ? `; ${notRead} more in the range not read (--max-objects ${maxObjects}: the oldest second, ${at}, holds ${inSecond} objects, read together; raise --max-objects to at least ${inSecond})`
    : `; ${notRead} more in the range not read (--max-objects ${maxObjects}, whole seconds): replay them with --from ${at}`;
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
  const settings: Required<IotReplaySettings> = { maxPutAttempts: 10, readConcurrency: 8, sleep, ...overrides };
  const folders = quarantineFolders(targets, options.fromMs, options.toMs);
  const listed: ListedObject[] = [];
  for (const folder of folders) listed.push(...(await listFolder(clients.s3, targets.bucket, folder)));
  // Oldest first, so each asset's messages go back in the order they arrived; within a second, by device time
  // once the bodies are read.
  const inRange = listed
    .filter((object) => object.lastModifiedMs >= options.fromMs && object.lastModifiedMs < options.toMs)
    .sort((a, b) => secondOf(a.lastModifiedMs) - secondOf(b.lastModifiedMs) || byKey(a.key, b.key));
  const selected = takeWholeSeconds(inRange, options.maxObjects);
  const notRead = inRange.length - selected.length;
  write(
    `range ${new Date(options.fromMs).toISOString()} to ${new Date(options.toMs).toISOString()}: ${folders.length} folders of s3://${targets.bucket}/ listed, ` +
      `${inRange.length} objects written in the range${notRead > 0 ? `, the oldest ${selected.length} taken (--max-objects, whole seconds)` : ''}`,
  );

  const outcomes: ObjectOutcome[] = [];
  // A window of objects at a time: bodies are read, rebuilt and put, then dropped.
  /** Partition keys whose record was finally not put: their later records are not put either. */
  const blockedKeys = new Map<string, string>();
  for (const listedWindow of secondWindows(selected)) {
    const read = await mapWithConcurrency(listedWindow, settings.readConcurrency, async (object) => {
      const output = await clients.s3.send(new GetObjectCommand({ Bucket: targets.bucket, Key: object.key }));
      return (await output.Body?.transformToString('utf8')) ?? '';
    });
    const window = listedWindow
      .map((object, index) => {
        const body = read[index];
        const parsed = body?.status === 'fulfilled' ? parseErrorActionDocument(body.value) : undefined;
        return { ...object, body, parsed, deviceMs: parsed?.ok === true ? deviceTimestamp(parsed.document.payload) : undefined };
      })
      .sort((a, b) => secondOf(a.lastModifiedMs) - secondOf(b.lastModifiedMs) || sameSecondOrder(a, b));
    /** Each object's line, in window order: its start, and its outcome so far. */
    const lines: Array<{ head: string; outcome: { key: string; left?: LeftReason; text: string } }> = [];
    const records: Array<{ partitionKey: string; data: Buffer; at: number }> = [];
    window.forEach((object) => {
      const arrived = new Date(object.lastModifiedMs).toISOString();
      const { body, parsed } = object;
      const leave = (head: string, reason: LeftReason, detail: string): void => {
        lines.push({ head, outcome: { key: object.key, left: reason, text: `left: ${reason}: ${detail}` } });
      };
      if (body === undefined || body.status === 'rejected') {
        leave(`object ${object.key} | - | - | arrived ${arrived} | `, 'read error', `GetObject failed: ${errorText(body?.reason)}`);
        return;
      }
      if (parsed === undefined || !parsed.ok) {
        leave(`object ${object.key} | - | - | arrived ${arrived} | `, 'malformed', `not an IoT error-action document: ${parsed?.reason ?? 'not read'}`);
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
    const errors = records.length === 0 ? [] : await putInKeyOrder(clients.kinesis, targets.streamName, records, blockedKeys, settings);
    records.forEach((record, position) => {
      const error = errors[position];
      const entry = lines[record.at];
      if (error !== undefined && entry !== undefined) entry.outcome = { key: entry.outcome.key, left: 'put failed', text: `left: put failed: ${error}` };
    });
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
    notReadText(inRange, selected.length, options.maxObjects);
  write(line);
  // A dry run leaves everything by request; anything else left, or not read, is a message still missing from the stream.
  const failed = notRead > 0 || outcomes.some((outcome) => outcome.left !== undefined && outcome.left !== 'dry run');
  return { outcomes, replayed, left, notRead, exitCode: failed ? 1 : 0, line };
}
