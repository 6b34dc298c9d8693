import { BatchGetCommand, BatchWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { backoffDelayMs } from '../shared/backoffDelayMs';
import type { CircuitBreaker } from '../shared/CircuitBreaker';
import { LIMITS, RETRY_POLICY, TABLE_KEYS } from '../shared/constants';
import type { Deadline } from '../shared/Deadline';
import { TransientDependencyError } from '../shared/errors';
import { expiresAtSeconds } from '../shared/expiresAtSeconds';
import { sleep as realSleep } from '../shared/sleep';
import { mapWithConcurrency } from '../shared/mapWithConcurrency';
import { withRetry, type RetryPolicy } from '../shared/withRetry';
import { CHECKPOINT_BATCH_CONCURRENCY, DETECTOR_STATE_TTL_DAYS, SHARD_LEASE_TTL_DAYS } from './constants';
import { encodeCheckpoint } from './encodeCheckpoint';
import { shardLeaseKey } from './shardLeaseKey';
import type { DetectorCheckpoint, DetectorStatePort, ShardClaim, ShardLease } from './types';

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

function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let i = 0; i < items.length; i += size) result.push(items.slice(i, i + size));
  return result;
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
    const results = await mapWithConcurrency(chunks(assetIds, LIMITS.batchGetSize), CHECKPOINT_BATCH_CONCURRENCY, (chunk) => this.#loadChunk(chunk, found, deadline));
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
    const results = await mapWithConcurrency(chunks(checkpoints, LIMITS.batchWriteSize), CHECKPOINT_BATCH_CONCURRENCY, (chunk) => this.#saveChunk(chunk, deadline));
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
        [TABLE_KEYS.ttlAttribute]: expiresAtSeconds(checkpoint.savedAt, DETECTOR_STATE_TTL_DAYS),
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
              ':expiresAt': expiresAtSeconds(now, SHARD_LEASE_TTL_DAYS),
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

  /** Waits before another round of unprocessed keys or items, paced as withRetry paces its attempts. */
  async #backoff(round: number, deadline: Deadline, what: string): Promise<void> {
    const policy = this.#options.policy ?? RETRY_POLICY;
    const delay = backoffDelayMs(round, policy);
    if (round >= policy.maxAttempts || delay >= deadline.remainingMs()) {
      throw new TransientDependencyError('dynamodb', `${what} after ${round} round(s)`);
    }
    await (this.#options.sleep ?? realSleep)(delay);
  }
}
