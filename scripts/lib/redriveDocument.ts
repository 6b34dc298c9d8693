/**
 * The document a Kinesis event source mapping sends to its on-failure destination when it gives up on
 * a batch: where the batch is in the stream (shard, first and last sequence number), not its records.
 */
export interface KinesisBatchFailure {
  readonly functionArn: string;
  /** Why the mapping gave up: RetryAttemptsExhausted, RecordAgeExceeded, ... */
  readonly condition: string;
  readonly approximateInvokeCount?: number;
  readonly timestamp?: string;
  readonly shardId: string;
  readonly startSequenceNumber: string;
  readonly endSequenceNumber: string;
  /** Epoch ms of the arrival of the first and last record (from the ISO timestamps of the document). */
  readonly firstArrivalMs: number;
  readonly lastArrivalMs: number;
  readonly batchSize: number;
  readonly streamArn: string;
}

export type ParsedFailure = { readonly ok: true; readonly failure: KinesisBatchFailure } | { readonly ok: false; readonly reason: string };

const SEQUENCE_NUMBER = /^\d{1,128}$/;
const SHARD_ID = /^shardId-\d{12}$/;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A field of the document that is missing or malformed; becomes the `reason` of a ParsedFailure. */
class InvalidField extends Error {}

function describe(value: unknown): string {
  return value === undefined ? 'missing' : `invalid (${JSON.stringify(value)})`;
}

function field(owner: Record<string, unknown>, where: string, key: string, pattern?: RegExp): string {
  const value = owner[key];
  if (typeof value !== 'string' || value === '' || (pattern !== undefined && !pattern.test(value))) {
    throw new InvalidField(`${where}.${key} is ${describe(value)}`);
  }
  return value;
}

function instant(owner: Record<string, unknown>, where: string, key: string): number {
  const ms = Date.parse(field(owner, where, key));
  if (Number.isNaN(ms)) throw new InvalidField(`${where}.${key} is ${describe(owner[key])}`);
  return ms;
}

/**
 * Checks that an SQS message body is a Kinesis batch-info failure document and extracts what the redrive
 * needs. Anything else (another producer's message, a truncated body, an SQS test message) gets a reason
 * and is left in the queue by the caller.
 */
export function parseBatchFailure(body: string): ParsedFailure {
  let document: unknown;
  try {
    document = JSON.parse(body);
  } catch {
    return { ok: false, reason: 'body is not JSON' };
  }
  if (!isObject(document)) return { ok: false, reason: 'body is not a JSON object' };
  const info = document.KinesisBatchInfo;
  if (!isObject(info)) return { ok: false, reason: 'no KinesisBatchInfo object' };
  const context = document.requestContext;
  if (!isObject(context)) return { ok: false, reason: 'no requestContext object' };
  try {
    const batch = 'KinesisBatchInfo';
    const failure: KinesisBatchFailure = {
      functionArn: field(context, 'requestContext', 'functionArn'),
      condition: field(context, 'requestContext', 'condition'),
      ...(typeof context.approximateInvokeCount === 'number' ? { approximateInvokeCount: context.approximateInvokeCount } : {}),
      ...(typeof document.timestamp === 'string' ? { timestamp: document.timestamp } : {}),
      shardId: field(info, batch, 'shardId', SHARD_ID),
      startSequenceNumber: field(info, batch, 'startSequenceNumber', SEQUENCE_NUMBER),
      endSequenceNumber: field(info, batch, 'endSequenceNumber', SEQUENCE_NUMBER),
      firstArrivalMs: instant(info, batch, 'approximateArrivalOfFirstRecord'),
      lastArrivalMs: instant(info, batch, 'approximateArrivalOfLastRecord'),
      batchSize: typeof info.batchSize === 'number' && Number.isInteger(info.batchSize) && info.batchSize >= 1 ? info.batchSize : 0,
      streamArn: field(info, batch, 'streamArn'),
    };
    if (failure.batchSize === 0) throw new InvalidField(`${batch}.batchSize is ${describe(info.batchSize)}`);
    if (BigInt(failure.startSequenceNumber) > BigInt(failure.endSequenceNumber)) {
      throw new InvalidField(`${batch}.startSequenceNumber is above endSequenceNumber`);
    }
    return { ok: true, failure };
  } catch (error) {
    if (error instanceof InvalidField) return { ok: false, reason: error.message };
    throw error;
  }
}
