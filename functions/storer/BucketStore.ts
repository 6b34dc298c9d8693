import {
  ConditionalCheckFailedException,
  GetItemCommand,
  PutItemCommand,
  type DynamoDBClient,
  type PutItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import type { CircuitBreaker } from '../shared/CircuitBreaker';
import { ITEM_ATTRIBUTES, TABLE_KEYS } from '../shared/constants';
import type { Deadline } from '../shared/Deadline';
import { withRetry, type RetryPolicy } from '../shared/withRetry';
import { decodeBucketItem } from './decodeBucketItem';
import { encodeBucketItem } from './encodeBucketItem';
import type { BucketItem } from './types';

/** Result of a conditional put: written, or the item was not what the writer expected. */
export type PutOutcome = { readonly written: true } | { readonly written: false; readonly current: BucketItem | undefined; readonly known: boolean };

/** Persistence of minute buckets; the storer's only view of DynamoDB. */
export interface BucketPersistence {
  get(sensorId: string, minute: number, deadline: Deadline): Promise<BucketItem | undefined>;
  /** Puts the item if the stored version is `expectedVersion` (undefined: if there is none). */
  put(item: BucketItem, expectedVersion: number | undefined, deadline: Deadline): Promise<PutOutcome>;
}

export interface BucketStoreOptions {
  readonly dynamodb: DynamoDBClient;
  readonly tableName: string;
  readonly breaker: CircuitBreaker;
  readonly policy?: RetryPolicy;
}

const PK = TABLE_KEYS.readings.partitionKey;
const SK = TABLE_KEYS.readings.sortKey;

/** DynamoDB implementation: consistent reads, and puts conditional on the version read or cached. */
export class BucketStore implements BucketPersistence {
  readonly #options: BucketStoreOptions;

  constructor(options: BucketStoreOptions) {
    this.#options = options;
  }

  async get(sensorId: string, minute: number, deadline: Deadline): Promise<BucketItem | undefined> {
    const { dynamodb, tableName, breaker, policy } = this.#options;
    const output = await withRetry(
      (abortSignal) =>
        dynamodb.send(
          new GetItemCommand({ TableName: tableName, Key: { [PK]: { S: sensorId }, [SK]: { N: String(minute) } }, ConsistentRead: true }),
          { abortSignal },
        ),
      { breaker, deadline, ...(policy ? { policy } : {}) },
    );
    return output.Item ? decodeBucketItem(output.Item) : undefined;
  }

  async put(item: BucketItem, expectedVersion: number | undefined, deadline: Deadline): Promise<PutOutcome> {
    const { dynamodb, tableName, breaker, policy } = this.#options;
    const condition: Pick<PutItemCommandInput, 'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'> =
      expectedVersion === undefined
        ? { ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': PK } }
        : {
            ConditionExpression: '#version = :version',
            ExpressionAttributeNames: { '#version': ITEM_ATTRIBUTES.version },
            ExpressionAttributeValues: { ':version': { N: String(expectedVersion) } },
          };
    try {
      await withRetry(
        (abortSignal) =>
          dynamodb.send(
            new PutItemCommand({
              TableName: tableName,
              Item: encodeBucketItem(item),
              ...condition,
              // Saves the read after a lost race where DynamoDB supports it.
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            }),
            { abortSignal },
          ),
        { breaker, deadline, ...(policy ? { policy } : {}) },
      );
      return { written: true };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException || (error as { name?: unknown }).name === 'ConditionalCheckFailedException') {
        const old = (error as ConditionalCheckFailedException).Item;
        return old ? { written: false, current: decodeBucketItem(old), known: true } : { written: false, current: undefined, known: false };
      }
      throw error;
    }
  }
}
