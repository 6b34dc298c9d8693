import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
  PutRecordsCommand,
  type _Record,
} from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import { TABLE_KEYS } from '../../functions/shared/constants';
import { toLambdaRecord } from '../../scripts/lib/toLambdaRecord';

export const REGION = 'sa-east-1';
export const CREDENTIALS = { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' };

// The emulators' start functions moved to scripts/lib/local (the local pipeline uses them too).
export type { Emulator } from '../../scripts/lib/local/Emulator';
export { startDynalite } from '../../scripts/lib/local/startDynalite';
export { startKinesalite } from '../../scripts/lib/local/startKinesalite';

/**
 * Points the SDK at local endpoints the way the functions see it in tests (AWS_ENDPOINT_URL_<SERVICE>),
 * signing as `credentials` (an enforcing fake authorizes the function as the identity its key names).
 */
export function setAwsTestEnvironment(endpoints: { dynamodb?: string; s3?: string; sns?: string }, credentials: { accessKeyId: string; secretAccessKey: string } = CREDENTIALS): void {
  process.env.AWS_REGION = REGION;
  process.env.AWS_ACCESS_KEY_ID = credentials.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = credentials.secretAccessKey;
  delete process.env.AWS_PROFILE;
  if (endpoints.dynamodb) process.env.AWS_ENDPOINT_URL_DYNAMODB = endpoints.dynamodb;
  if (endpoints.s3) process.env.AWS_ENDPOINT_URL_S3 = endpoints.s3;
  if (endpoints.sns) process.env.AWS_ENDPOINT_URL_SNS = endpoints.sns;
  // TEST_LOG_LEVEL=WARN shows the functions' logs when a test needs explaining.
  process.env.POWERTOOLS_LOG_LEVEL = process.env.TEST_LOG_LEVEL ?? 'SILENT';
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
}

export function testDynamoClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({ region: REGION, endpoint, credentials: CREDENTIALS });
}

/** The hot-tier tables with the key schema of charts/storage.ts (TABLE_KEYS). */
export async function createTables(client: DynamoDBClient, names: { readings?: string; assetStatus?: string; detectorState?: string }): Promise<void> {
  if (names.readings) {
    await client.send(
      new CreateTableCommand({
        TableName: names.readings,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: TABLE_KEYS.readings.partitionKey, AttributeType: 'S' },
          { AttributeName: TABLE_KEYS.readings.sortKey, AttributeType: 'N' },
        ],
        KeySchema: [
          { AttributeName: TABLE_KEYS.readings.partitionKey, KeyType: 'HASH' },
          { AttributeName: TABLE_KEYS.readings.sortKey, KeyType: 'RANGE' },
        ],
      }),
    );
  }
  if (names.assetStatus) {
    const pk = TABLE_KEYS.assetStatus.partitionKey;
    await client.send(
      new CreateTableCommand({
        TableName: names.assetStatus,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: pk, AttributeType: 'S' },
          { AttributeName: TABLE_KEYS.assetStatus.linePartitionKey, AttributeType: 'S' },
        ],
        KeySchema: [{ AttributeName: pk, KeyType: 'HASH' }],
        GlobalSecondaryIndexes: [
          {
            IndexName: TABLE_KEYS.assetStatus.lineIndex,
            KeySchema: [
              { AttributeName: TABLE_KEYS.assetStatus.linePartitionKey, KeyType: 'HASH' },
              { AttributeName: pk, KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
      }),
    );
  }
  if (names.detectorState) {
    await client.send(
      new CreateTableCommand({
        TableName: names.detectorState,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: TABLE_KEYS.detectorState.partitionKey, AttributeType: 'S' }],
        KeySchema: [{ AttributeName: TABLE_KEYS.detectorState.partitionKey, KeyType: 'HASH' }],
      }),
    );
  }
}

/** A Kinesis stream on kinesalite, written and read through the real SDK client. */
export class TestStream {
  readonly client: KinesisClient;
  readonly name: string;
  #arn = '';
  #shardId = '';

  constructor(endpoint: string, name: string) {
    // kinesalite answers HTTP/1.1 only; the default handler would try HTTP/2 for some operations.
    this.client = new KinesisClient({ region: REGION, endpoint, credentials: CREDENTIALS, requestHandler: new NodeHttpHandler() });
    this.name = name;
  }

  async create(): Promise<void> {
    await this.client.send(new CreateStreamCommand({ StreamName: this.name, ShardCount: 1 }));
    const summary = await this.client.send(new DescribeStreamSummaryCommand({ StreamName: this.name }));
    this.#arn = summary.StreamDescriptionSummary?.StreamARN ?? '';
    const shards = await this.client.send(new ListShardsCommand({ StreamName: this.name }));
    this.#shardId = shards.Shards?.[0]?.ShardId ?? '';
  }

  /** Puts payloads (objects are JSON-encoded, strings and buffers sent as is) and returns their sequence numbers. */
  async put(payloads: readonly unknown[], partitionKey = (p: unknown): string => String((p as { assetId?: unknown }).assetId ?? 'none')): Promise<string[]> {
    const sequences: string[] = [];
    for (let i = 0; i < payloads.length; i += 500) {
      const chunk = payloads.slice(i, i + 500);
      const output = await this.client.send(
        new PutRecordsCommand({
          StreamName: this.name,
          Records: chunk.map((payload) => ({
            Data: Buffer.isBuffer(payload) ? payload : Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload)),
            PartitionKey: partitionKey(payload) || 'none',
          })),
        }),
      );
      for (const record of output.Records ?? []) sequences.push(record.SequenceNumber ?? '');
    }
    return sequences;
  }

  /** Reads up to `limit` records from a position, as Lambda's event source mapping would. */
  async read(from: { after?: string; at?: string } = {}, limit = 10_000): Promise<_Record[]> {
    const iterator = await this.client.send(
      new GetShardIteratorCommand({
        StreamName: this.name,
        ShardId: this.#shardId,
        ...(from.at
          ? { ShardIteratorType: 'AT_SEQUENCE_NUMBER', StartingSequenceNumber: from.at }
          : from.after
            ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: from.after }
            : { ShardIteratorType: 'TRIM_HORIZON' }),
      }),
    );
    const records: _Record[] = [];
    let next = iterator.ShardIterator;
    while (next && records.length < limit) {
      const output = await this.client.send(new GetRecordsCommand({ ShardIterator: next, Limit: Math.min(10_000, limit - records.length) }));
      records.push(...(output.Records ?? []));
      if ((output.Records ?? []).length === 0) break;
      next = output.NextShardIterator;
    }
    return records;
  }

  /** Lambda's documented Kinesis event for records read from this stream. */
  toEvent(records: readonly _Record[]): KinesisStreamEvent {
    return { Records: records.map((record) => this.toLambdaRecord(record)) };
  }

  toLambdaRecord(record: _Record): KinesisStreamRecord {
    return toLambdaRecord(record, { shardId: this.#shardId, streamArn: this.#arn, region: REGION, roleArn: 'arn:aws:iam::123456789012:role/lambda-test' });
  }
}
