import { GetItemCommand, QueryCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BUCKET_FORMAT, BUCKET_PROJECTIONS } from '../bucket/constants';
import { decodeMinuteBucket } from '../bucket/decodeMinuteBucket';
import { TABLE_KEYS } from '../constants';
import { sensorIdOf } from '../sensorIdOf';
import type { MinuteBucket } from './types';

export interface SeriesReaderOptions {
  readonly dynamodb: DynamoDBClient;
  readonly tableName: string;
  /**
   * Read capacity one sensor's read may consume before it stops (READ_CAPACITY_BUDGET by default): what
   * bounds the time of a read, since DynamoDB pages and bills whole items.
   */
  readonly maxCapacityUnits?: number;
}

/** What one sensor's read returned: buckets sorted by minute, and how many items DynamoDB read for them. */
export interface SeriesRead {
  readonly buckets: MinuteBucket[];
  readonly itemsRead: number;
  /** Read capacity units DynamoDB reported for the read (eventually consistent: one per 8 KB of whole items). */
  readonly capacityUnits: number;
  /** `readings` mode only: the range holds more readings than `maxReadings`, so reading stopped. */
  readonly overLimit: boolean;
  /** The read consumed more than `maxCapacityUnits` before it was done, so reading stopped; the buckets are incomplete. */
  readonly overBudget: boolean;
}

/** How much of each bucket a read needs: its stats (roll-ups), or its readings too (`raw`). */
export type ReadMode = 'stats' | 'readings';

/**
 * Read capacity one sensor's read may consume by default (eventually consistent: one unit per 8 KB of
 * whole items), 256 MiB. DynamoDB pages (1 MB) and bills by whole items whatever the projection, and a
 * bucket holds its readings, so the bytes of a range grow with the sensor's rate: a 1 Hz minute is about
 * 1.4 KB (a day about 240 units, a quarter about 22,000), a 100 Hz minute up to 240 KB. Past the budget
 * the read stops and the request is a 400 (narrow the range), never a timeout: about 256 sequential
 * pages, some 10 s at 20-50 ms a page, within the query function's 30 s.
 */
export const READ_CAPACITY_BUDGET = 32_768;

const PK = TABLE_KEYS.readings.partitionKey;
const SK = TABLE_KEYS.readings.sortKey;
const MINUTE = BUCKET_FORMAT.minuteMs;

/** How many of the bucket's readings lie in [from, to): all of them unless the range cuts its minute. */
function readingsInRange(bucket: MinuteBucket, from: number, to: number): number {
  if (bucket.minute >= from && bucket.minute + MINUTE <= to) return bucket.count;
  return (bucket.readings?.ts ?? []).filter((offset) => bucket.minute + offset >= from && bucket.minute + offset < to).length;
}

/** Every attribute name aliased: count, min, max, values and ts are DynamoDB reserved words. */
function projection(attributes: readonly string[]): { ProjectionExpression: string; ExpressionAttributeNames: Record<string, string> } {
  return {
    ProjectionExpression: attributes.map((_, index) => `#a${index}`).join(', '),
    ExpressionAttributeNames: Object.fromEntries(attributes.map((name, index) => [`#a${index}`, name])),
  };
}

/**
 * Reads one sensor's minute buckets from the readings table: one Query on its partition with a sort-key
 * range (paginated; never a scan), eventually consistent (half the read cost; a dashboard does not need the
 * last second). Roll-ups project the stats only, which keeps the readings lists off the network and out of
 * the function's JSON parsing; DynamoDB still pages (1 MB) and bills by whole items, so a 1 Hz minute
 * (about 1.4 KB) reads about 700 minutes a page. The at most two minutes the range cuts are read whole
 * with GetItem, because their stats cover readings outside the range. So the items read never exceed the
 * minutes the range touches. Every call asks for the consumed capacity and stops past the budget: the
 * bytes of a range depend on the sensor's rate, which no check of the range alone can know.
 */
export class SeriesReader {
  readonly #options: SeriesReaderOptions;

  constructor(options: SeriesReaderOptions) {
    this.#options = options;
  }

  /** The read capacity one sensor's read may consume. */
  get maxCapacityUnits(): number {
    return this.#options.maxCapacityUnits ?? READ_CAPACITY_BUDGET;
  }

  async read(assetId: string, metric: string, from: number, to: number, mode: ReadMode, maxReadings = Infinity): Promise<SeriesRead> {
    const sensorId = sensorIdOf(assetId, metric);
    const firstMinute = Math.floor(from / MINUTE) * MINUTE;
    const lastMinute = Math.floor((to - 1) / MINUTE) * MINUTE;
    if (mode === 'readings') return this.#query(sensorId, firstMinute, lastMinute, true, { from, to, max: maxReadings });

    const firstWhole = Math.ceil(from / MINUTE) * MINUTE;
    const lastWhole = Math.floor(to / MINUTE) * MINUTE - MINUTE;
    const edges = [...new Set([firstMinute, lastMinute])].filter((minute) => minute < firstWhole || minute > lastWhole);
    const nothing: SeriesRead = { buckets: [], itemsRead: 0, capacityUnits: 0, overLimit: false, overBudget: false };
    const [interior, ...edgeReads] = await Promise.all([
      firstWhole <= lastWhole ? this.#query(sensorId, firstWhole, lastWhole, false) : Promise.resolve(nothing),
      ...edges.map((minute) => this.#get(sensorId, minute)),
    ]);
    const edgeBuckets = edgeReads.map((edge) => edge.bucket).filter((bucket): bucket is MinuteBucket => bucket !== undefined);
    const buckets = [...interior.buckets, ...edgeBuckets].sort((a, b) => a.minute - b.minute);
    return {
      buckets,
      itemsRead: interior.itemsRead + edgeBuckets.length,
      capacityUnits: interior.capacityUnits + edgeReads.reduce((sum, edge) => sum + edge.capacityUnits, 0),
      overLimit: false,
      overBudget: interior.overBudget,
    };
  }

  /** `readingLimit`: stop once more than `max` readings inside [from, to) were read (the minutes at the ends hold some outside it). */
  async #query(sensorId: string, firstMinute: number, lastMinute: number, withReadings: boolean, readingLimit?: { from: number; to: number; max: number }): Promise<SeriesRead> {
    const { dynamodb, tableName } = this.#options;
    const projected = withReadings ? undefined : projection(BUCKET_PROJECTIONS.stats);
    const buckets: MinuteBucket[] = [];
    let itemsRead = 0;
    let capacityUnits = 0;
    let readings = 0;
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const output = await dynamodb.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :first AND :last',
          ExpressionAttributeNames: { '#pk': PK, '#sk': SK, ...projected?.ExpressionAttributeNames },
          ExpressionAttributeValues: { ':pk': { S: sensorId }, ':first': { N: String(firstMinute) }, ':last': { N: String(lastMinute) } },
          ...(projected ? { ProjectionExpression: projected.ProjectionExpression } : {}),
          ReturnConsumedCapacity: 'TOTAL',
          ExclusiveStartKey: startKey,
        }),
      );
      itemsRead += output.ScannedCount ?? output.Items?.length ?? 0;
      capacityUnits += output.ConsumedCapacity?.CapacityUnits ?? 0;
      for (const item of output.Items ?? []) {
        const bucket = decodeMinuteBucket(item, withReadings ? 'readings' : 'stats');
        buckets.push(bucket);
        if (readingLimit !== undefined) readings += readingsInRange(bucket, readingLimit.from, readingLimit.to);
      }
      startKey = output.LastEvaluatedKey;
      if (readingLimit !== undefined && readings > readingLimit.max) return { buckets, itemsRead, capacityUnits, overLimit: true, overBudget: false };
      // Only when more is left to read: a range that fits ends under the budget or exactly at it.
      if (startKey !== undefined && capacityUnits >= this.maxCapacityUnits) return { buckets, itemsRead, capacityUnits, overLimit: false, overBudget: true };
    } while (startKey !== undefined);
    return { buckets, itemsRead, capacityUnits, overLimit: false, overBudget: false };
  }

  async #get(sensorId: string, minute: number): Promise<{ bucket: MinuteBucket | undefined; capacityUnits: number }> {
    const { dynamodb, tableName } = this.#options;
    const output = await dynamodb.send(
      new GetItemCommand({
        TableName: tableName,
        Key: { [PK]: { S: sensorId }, [SK]: { N: String(minute) } },
        ...projection([...BUCKET_PROJECTIONS.stats, ...BUCKET_PROJECTIONS.readings]),
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    return { bucket: output.Item ? decodeMinuteBucket(output.Item, 'readings') : undefined, capacityUnits: output.ConsumedCapacity?.CapacityUnits ?? 0 };
  }
}
