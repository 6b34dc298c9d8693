import { GetItemCommand, QueryCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { TABLE_KEYS } from '../constants';
import { ASSET_METRICS_ATTRIBUTE, ASSET_METRICS_INCOMPLETE_ATTRIBUTE } from './constants';
import type { AssetSummary } from './types';

export interface AssetDirectoryOptions {
  readonly dynamodb: DynamoDBClient;
  readonly tableName: string;
}

type Item = Record<string, AttributeValue>;

const num = (value: AttributeValue | undefined): number | undefined => (value?.N === undefined ? undefined : Number(value.N));
const str = (value: AttributeValue | undefined): string | undefined => value?.S;

function summaryOf(item: Item): AssetSummary {
  const optional = {
    plantId: str(item.plantId),
    lineId: str(item.lineId),
    thingName: str(item.thingName),
    lastSeen: num(item.lastSeen),
    updatedAt: num(item.updatedAt),
  };
  return {
    assetId: str(item[TABLE_KEYS.assetStatus.partitionKey]) ?? '',
    status: str(item.status) ?? 'UNKNOWN',
    ...Object.fromEntries(Object.entries(optional).filter(([, value]) => value !== undefined)),
    metrics: [...(item[ASSET_METRICS_ATTRIBUTE]?.SS ?? [])].sort(),
    ...(item[ASSET_METRICS_INCOMPLETE_ATTRIBUTE]?.BOOL === true ? { metricsIncomplete: true as const } : {}),
  };
}

/**
 * The asset-status table as the read path sees it: an asset's item (its metrics, the processor keeps
 * them as a string set) and a line's assets through the `byLine` index (one Query, paginated; thing
 * items have no lineKey, so they are not in it).
 */
export class AssetDirectory {
  readonly #options: AssetDirectoryOptions;

  constructor(options: AssetDirectoryOptions) {
    this.#options = options;
  }

  /** The asset's status item, or undefined when the platform has never seen the asset. */
  async asset(assetId: string): Promise<AssetSummary | undefined> {
    const { dynamodb, tableName } = this.#options;
    const output = await dynamodb.send(new GetItemCommand({ TableName: tableName, Key: { [TABLE_KEYS.assetStatus.partitionKey]: { S: assetId } } }));
    return output.Item ? summaryOf(output.Item) : undefined;
  }

  /** Every asset of `<plantId>#<lineId>`, sorted by asset id (the index's sort key). */
  async lineAssets(plantId: string, lineId: string): Promise<AssetSummary[]> {
    const { dynamodb, tableName } = this.#options;
    const assets: AssetSummary[] = [];
    let startKey: Item | undefined;
    do {
      const output = await dynamodb.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: TABLE_KEYS.assetStatus.lineIndex,
          KeyConditionExpression: '#line = :line',
          ExpressionAttributeNames: { '#line': TABLE_KEYS.assetStatus.linePartitionKey },
          ExpressionAttributeValues: { ':line': { S: `${plantId}#${lineId}` } },
          ExclusiveStartKey: startKey,
        }),
      );
      assets.push(...(output.Items ?? []).map(summaryOf));
      startKey = output.LastEvaluatedKey;
    } while (startKey !== undefined);
    return assets;
  }
}
