import { GetItemCommand, QueryCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { TABLE_KEYS } from '../constants';
import { sensorIdOf } from '../sensorIdOf';
import { QUERY_LIMITS } from './constants';
import { BUCKET_ATTRIBUTES, decodeMinuteBucket } from './decodeMinuteBucket';
import type { MinuteBucket } from './types';

export interface SeriesReaderOptions {
  readonly dynamodb: DynamoDBClient;
  readonly tableName: string;
}

/** What one sensor's read returned: buckets sorted by minute, and how many items DynamoDB read for them. */
export interface SeriesRead {
  readonly buckets: MinuteBucket[];
  readonly itemsRead: number;
  /** `readings` mode only: the buckets hold more readings than `maxReadings`, so reading stopped. */
  readonly overLimit: boolean;
}

/** How much of each bucket a read needs: its stats (roll-ups), or its readings too (`raw`). */
export type ReadMode = 'stats' | 'readings';

const PK = TABLE_KEYS.readings.partitionKey;
const SK = TABLE_KEYS.readings.sortKey;
const MINUTE = QUERY_LIMITS.minuteMs;

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
 * last second). Roll-ups project the stats only, so a page carries about 7,000 minutes instead of a few
 * hundred; the at most two minutes the range cuts are read whole with GetItem, because their stats cover
 * readings outside the range. So the items read never exceed the minutes the range touches.
 */
export class SeriesReader {
  readonly #options: SeriesReaderOptions;

  constructor(options: SeriesReaderOptions) {
    this.#options = options;
  }

  async read(assetId: string, metric: string, from: number, to: number, mode: ReadMode, maxReadings = Infinity): Promise<SeriesRead> {
    const sensorId = sensorIdOf(assetId, metric);
    const firstMinute = Math.floor(from / MINUTE) * MINUTE;
    const lastMinute = Math.floor((to - 1) / MINUTE) * MINUTE;
    if (mode === 'readings') return this.#query(sensorId, firstMinute, lastMinute, true, maxReadings);

    const firstWhole = Math.ceil(from / MINUTE) * MINUTE;
    const lastWhole = Math.floor(to / MINUTE) * MINUTE - MINUTE;
    const edges = [...new Set([firstMinute, lastMinute])].filter((minute) => minute < firstWhole || minute > lastWhole);
    const [interior, ...edgeBuckets] = await Promise.all([
      firstWhole <= lastWhole ? this.#query(sensorId, firstWhole, lastWhole, false, Infinity) : Promise.resolve({ buckets: [], itemsRead: 0, overLimit: false }),
      ...edges.map((minute) => this.#get(sensorId, minute)),
    ]);
    const buckets = [...interior.buckets, ...edgeBuckets.filter((bucket): bucket is MinuteBucket => bucket !== undefined)].sort((a, b) => a.minute - b.minute);
    return { buckets, itemsRead: interior.itemsRead + edgeBuckets.filter((bucket) => bucket !== undefined).length, overLimit: false };
  }

  async #query(sensorId: string, firstMinute: number, lastMinute: number, withReadings: boolean, maxReadings: number): Promise<SeriesRead> {
    const { dynamodb, tableName } = this.#options;
    const projected = withReadings ? undefined : projection(BUCKET_ATTRIBUTES.stats);
    const buckets: MinuteBucket[] = [];
    let itemsRead = 0;
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
          ExclusiveStartKey: startKey,
        }),
      );
      itemsRead += output.ScannedCount ?? output.Items?.length ?? 0;
      for (const item of output.Items ?? []) {
        const bucket = decodeMinuteBucket(item, withReadings);
        buckets.push(bucket);
        readings += bucket.count;
      }
      if (readings > maxReadings) return { buckets, itemsRead, overLimit: true };
      startKey = output.LastEvaluatedKey;
    } while (startKey !== undefined);
    return { buckets, itemsRead, overLimit: false };
  }

  async #get(sensorId: string, minute: number): Promise<MinuteBucket | undefined> {
    const { dynamodb, tableName } = this.#options;
    const output = await dynamodb.send(
      new GetItemCommand({
        TableName: tableName,
        Key: { [PK]: { S: sensorId }, [SK]: { N: String(minute) } },
        ...projection([...BUCKET_ATTRIBUTES.stats, ...BUCKET_ATTRIBUTES.readings]),
      }),
    );
    return output.Item ? decodeMinuteBucket(output.Item, true) : undefined;
  }
}
