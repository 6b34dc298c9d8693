import { BatchGetCommand, BatchWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AssetDetectorState } from '../shared/detector';
import type { CircuitBreaker } from '../shared/CircuitBreaker';
import { ASSET_STATUS, ITEM_ATTRIBUTES, LIMITS, RETRY_POLICY, TABLE_KEYS } from '../shared/constants';
import type { Deadline } from '../shared/Deadline';
import { TelemetryError, TransientDependencyError } from '../shared/errors';
import { sleep as realSleep } from '../shared/sleep';
import { mapWithConcurrency } from '../shared/mapWithConcurrency';
import { withRetry, type RetryPolicy } from '../shared/withRetry';
import type { DetectorCheckpoint, DetectorStatePort, Notice, ShardClaim, ShardLease, StatusCheckpoint } from './types';

/** Days a checkpoint outlives its last write: an asset silent longer starts a new warm-up. */
export const DETECTOR_STATE_TTL_DAYS = 30;

export interface DetectorStateStoreOptions {
  readonly doc: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly breaker: CircuitBreaker;
  readonly policy?: RetryPolicy;
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface SaveResult {
  /** Assets whose checkpoint could not be written (after retrying unprocessed items). */
  readonly failed: ReadonlySet<string>;
  readonly error?: unknown;
}

const PK = TABLE_KEYS.detectorState.partitionKey;

/**
 * Key of a shard's lease item in the detector state table. `#` and `/` are outside the contract's
 * identifier pattern, so no asset id can name it.
 */
export function shardLeaseKey(shardId: string): string {
  return `#lease/${shardId}`;
}

/** Days a lease outlives its last claim (a shard closed by resharding is no longer claimed). */
const SHARD_LEASE_TTL_DAYS = 7;
/** BatchGetItem or BatchWriteItem calls of one load or save in flight at once. */
const BATCH_CONCURRENCY = 4;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let i = 0; i < items.length; i += size) result.push(items.slice(i, i + size));
  return result;
}

/**
 * Metrics of an asset its checkpoint lists as added to the status item: all the item can list
 * (LIMITS.maxListedMetricsPerAsset), so a restored container knows how full the item is and never
 * lists more. The usual asset has a few dozen (under 4 KB); the most, 1,000 names of 64 characters,
 * add about 66 KB to an item whose detector state is at most about 70 KB (MAX_MODEL_METRICS).
 */
export const MAX_CHECKPOINT_METRICS = LIMITS.maxListedMetricsPerAsset;

/** Attributes of the status part of a checkpoint item (see StatusCheckpoint). */
const STATUS_ATTRIBUTES = { thingName: 'statusThing', value: 'statusValue', writtenAt: 'statusWrittenAt', metrics: 'statusMetrics' } as const;

/** Attribute of the notices a checkpoint holds until they are published (JSON of Notice[]). */
const OUTBOX_ATTRIBUTE = 'outbox';

/** The outbox of an item; one this code did not write is refused (TelemetryError), not half-read. */
function decodeOutbox(value: unknown, assetId: string): Notice[] | undefined {
  if (value === undefined) return undefined;
  const notices: unknown = typeof value === 'string' ? JSON.parse(value) : undefined;
  const valid = Array.isArray(notices) && notices.every((notice) => typeof notice === 'object' && notice !== null && ('alert' in notice || 'recovery' in notice));
  if (!valid) throw new TelemetryError(`detector checkpoint of ${assetId} has an outbox that is not a list of alerts and recoveries`);
  return notices as Notice[];
}

/** The item of a checkpoint (without the TTL). */
export function encodeCheckpoint(checkpoint: DetectorCheckpoint): Record<string, unknown> {
  const status = checkpoint.status;
  return {
    [PK]: checkpoint.assetId,
    [ITEM_ATTRIBUTES.detectorState]: JSON.stringify(checkpoint.state),
    lastTs: checkpoint.lastTs,
    ...(checkpoint.lastTsMetrics === undefined ? {} : { lastTsMetrics: [...checkpoint.lastTsMetrics] }),
    savedAt: checkpoint.savedAt,
    ...(status?.thingName === undefined ? {} : { [STATUS_ATTRIBUTES.thingName]: status.thingName }),
    ...(status?.value === undefined ? {} : { [STATUS_ATTRIBUTES.value]: status.value }),
    ...(status?.writtenAt === undefined ? {} : { [STATUS_ATTRIBUTES.writtenAt]: status.writtenAt }),
    ...(checkpoint.outbox === undefined || checkpoint.outbox.length === 0 ? {} : { [OUTBOX_ATTRIBUTE]: JSON.stringify(checkpoint.outbox) }),
    ...(status?.metrics === undefined || status.metrics.length === 0
      ? {}
      : { [STATUS_ATTRIBUTES.metrics]: [...status.metrics].sort().slice(0, MAX_CHECKPOINT_METRICS) }),
  };
}

/** The status part of a checkpoint item; a field of another type is dropped (unknown: written again). */
function decodeStatus(item: Record<string, unknown>): StatusCheckpoint | undefined {
  const thingName = item[STATUS_ATTRIBUTES.thingName];
  const value = item[STATUS_ATTRIBUTES.value];
  const writtenAt = item[STATUS_ATTRIBUTES.writtenAt];
  const metrics = item[STATUS_ATTRIBUTES.metrics];
  const status: StatusCheckpoint = {
    ...(typeof thingName === 'string' ? { thingName } : {}),
    ...((value === ASSET_STATUS.ok || value === ASSET_STATUS.anomaly) && typeof writtenAt === 'number' ? { value, writtenAt } : {}),
    ...(Array.isArray(metrics) && metrics.every((metric) => typeof metric === 'string') ? { metrics: metrics as string[] } : {}),
  };
  return Object.keys(status).length === 0 ? undefined : status;
}

/** Reads a checkpoint item; TelemetryError when it is not one this code wrote. */
export function decodeCheckpoint(item: Record<string, unknown>): DetectorCheckpoint {
  const assetId = item[PK];
  const state = item[ITEM_ATTRIBUTES.detectorState];
  const lastTs = item.lastTs;
  const savedAt = item.savedAt;
  if (typeof assetId !== 'string' || typeof state !== 'string' || typeof lastTs !== 'number' || typeof savedAt !== 'number') {
    throw new TelemetryError(`detector checkpoint of ${String(assetId)} lacks assetId, state, lastTs or savedAt`);
  }
  const lastTsMetrics = item.lastTsMetrics;
  const status = decodeStatus(item);
  const outbox = decodeOutbox(item[OUTBOX_ATTRIBUTE], assetId);
  return {
    assetId,
    state: JSON.parse(state) as AssetDetectorState,
    lastTs,
    savedAt,
    ...(Array.isArray(lastTsMetrics) && lastTsMetrics.every((metric) => typeof metric === 'string') ? { lastTsMetrics: lastTsMetrics as string[] } : {}),
    ...(status === undefined ? {} : { status }),
    ...(outbox === undefined ? {} : { outbox }),
  };
}

/**
 * Checkpoints of detector state in DynamoDB: read lazily (BatchGetItem) the first time a
 * container sees an asset, written (BatchWriteItem) at the end of every batch that changed it; and
 * one lease item per shard (UpdateItem per batch) that tells a container whether another one
 * processed the shard since its own last batch.
 * Unprocessed keys and items (throttled partitions) are retried with backoff.
 */
export class DetectorStateStore implements DetectorStatePort {
  readonly #options: DetectorStateStoreOptions;

  constructor(options: DetectorStateStoreOptions) {
    this.#options = options;
  }

  /**
   * The checkpoint items of `assetIds` (an asset without one is absent). Chunks go out in parallel: a cold
   * start or a shard handoff restores every asset of a batch, and their reads are independent. Throws when any
   * chunk fails: the caller retries the assets together.
   */
  async load(assetIds: readonly string[], deadline: Deadline): Promise<Map<string, Record<string, unknown>>> {
    const found = new Map<string, Record<string, unknown>>();
    const results = await mapWithConcurrency(chunks(assetIds, LIMITS.batchGetSize), BATCH_CONCURRENCY, (chunk) => this.#loadChunk(chunk, found, deadline));
    for (const result of results) if (result.status === 'rejected') throw result.reason;
    return found;
  }

  async #loadChunk(assetIds: readonly string[], found: Map<string, Record<string, unknown>>, deadline: Deadline): Promise<void> {
    const { doc, tableName, breaker, policy } = this.#options;
    let keys: Record<string, unknown>[] = assetIds.map((assetId) => ({ [PK]: assetId }));
    for (let round = 1; keys.length > 0; round += 1) {
      const request = keys;
      const output = await withRetry(
        (abortSignal) => doc.send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: request, ConsistentRead: true } } }), { abortSignal }),
        { breaker, deadline, ...(policy ? { policy } : {}) },
      );
      for (const item of output.Responses?.[tableName] ?? []) found.set(String(item[PK]), item);
      keys = output.UnprocessedKeys?.[tableName]?.Keys ?? [];
      if (keys.length > 0) await this.#backoff(round, deadline, `${keys.length} detector state key(s) stayed unprocessed`);
    }
  }

  async save(checkpoints: readonly DetectorCheckpoint[], deadline: Deadline): Promise<SaveResult> {
    const failed = new Set<string>();
    let lastError: unknown;
    // Chunks go out in parallel: a batch's checkpoints are independent items.
    const results = await mapWithConcurrency(chunks(checkpoints, LIMITS.batchWriteSize), BATCH_CONCURRENCY, (chunk) => this.#saveChunk(chunk, deadline));
    for (const result of results) {
      if (result.status === 'rejected') throw result.reason; // #saveChunk reports failures, it does not throw
      if (result.value.error === undefined) continue;
      lastError = result.value.error;
      for (const assetId of result.value.unwritten) failed.add(assetId);
    }
    return lastError === undefined ? { failed } : { failed, error: lastError };
  }

  /** Writes one chunk, retrying unprocessed items; returns the assets left unwritten and why. */
  async #saveChunk(chunk: readonly DetectorCheckpoint[], deadline: Deadline): Promise<{ unwritten: string[]; error?: unknown }> {
    const { doc, tableName, breaker, policy } = this.#options;
    let requests = chunk.map((checkpoint) => {
      const item: Record<string, unknown> = {
        ...encodeCheckpoint(checkpoint),
        [TABLE_KEYS.ttlAttribute]: Math.floor(checkpoint.savedAt / 1000) + DETECTOR_STATE_TTL_DAYS * 86_400,
      };
      return { PutRequest: { Item: item } };
    });
    try {
      for (let round = 1; requests.length > 0; round += 1) {
        const request = requests;
        const output = await withRetry(
          (abortSignal) => doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: request } }), { abortSignal }),
          { breaker, deadline, ...(policy ? { policy } : {}) },
        );
        requests = (output.UnprocessedItems?.[tableName] ?? []).filter(
          (entry): entry is (typeof requests)[number] => entry.PutRequest?.Item !== undefined,
        );
        if (requests.length > 0) await this.#backoff(round, deadline, `${requests.length} detector checkpoint(s) stayed unprocessed`);
      }
      return { unwritten: [] };
    } catch (error) {
      return { unwritten: requests.map((r) => String(r.PutRequest.Item[PK])), error };
    }
  }

  async claimShard(claim: ShardClaim, deadline: Deadline): Promise<ShardLease | undefined> {
    const { doc, tableName, breaker, policy } = this.#options;
    const now = Date.now();
    const output = await withRetry(
      (abortSignal) =>
        doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { [PK]: shardLeaseKey(claim.shardId) },
            UpdateExpression: 'SET #owner = :owner, #sequence = :sequence, #claimedAt = :claimedAt, #expiresAt = :expiresAt',
            ExpressionAttributeNames: { '#owner': 'owner', '#sequence': 'lastSequenceNumber', '#claimedAt': 'claimedAt', '#expiresAt': TABLE_KEYS.ttlAttribute },
            ExpressionAttributeValues: {
              ':owner': claim.owner,
              ':sequence': claim.lastSequenceNumber,
              ':claimedAt': now,
              ':expiresAt': Math.floor(now / 1000) + SHARD_LEASE_TTL_DAYS * 86_400,
            },
            ReturnValues: 'ALL_OLD',
          }),
          { abortSignal },
        ),
      { breaker, deadline, ...(policy ? { policy } : {}) },
    );
    const owner = output.Attributes?.owner;
    const lastSequenceNumber = output.Attributes?.lastSequenceNumber;
    return typeof owner === 'string' && typeof lastSequenceNumber === 'string' ? { owner, lastSequenceNumber } : undefined;
  }

  async #backoff(round: number, deadline: Deadline, what: string): Promise<void> {
    const policy = this.#options.policy ?? RETRY_POLICY;
    const delay = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** round) * (0.5 + Math.random() / 2);
    if (round >= policy.maxAttempts || delay >= deadline.remainingMs()) {
      throw new TransientDependencyError('dynamodb', `${what} after ${round} round(s)`);
    }
    await (this.#options.sleep ?? realSleep)(delay);
  }
}
