import { CreateTableCommand, UpdateTimeToLiveCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { TableSpec } from './LocalManifests';

/** Creates a rendered table (key schema, attributes, global secondary indexes, TTL) in dynalite. */
export async function createLocalTable(client: DynamoDBClient, table: TableSpec): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: table.tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: table.attributeDefinitions.map((a) => ({ AttributeName: a.attributeName, AttributeType: a.attributeType })),
      KeySchema: table.keySchema.map((k) => ({ AttributeName: k.attributeName, KeyType: k.keyType })),
      ...(table.globalSecondaryIndexes.length > 0
        ? {
            GlobalSecondaryIndexes: table.globalSecondaryIndexes.map((index) => ({
              IndexName: index.indexName,
              KeySchema: index.keySchema.map((k) => ({ AttributeName: k.attributeName, KeyType: k.keyType })),
              Projection: { ProjectionType: index.projection.projectionType as 'ALL' | 'KEYS_ONLY' | 'INCLUDE' },
            })),
          }
        : {}),
    }),
  );
  if (table.ttlAttribute) {
    // dynalite may not implement TTL; the attribute is still written by the functions, nothing expires locally.
    await client.send(new UpdateTimeToLiveCommand({ TableName: table.tableName, TimeToLiveSpecification: { AttributeName: table.ttlAttribute, Enabled: true } })).catch(() => undefined);
  }
}
