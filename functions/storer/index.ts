import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { createBreakers } from '../shared/createBreakers';
import { QuarantineWriter } from '../shared/QuarantineWriter';
import { s3ClientConfig } from '../shared/s3ClientConfig';
import { sdkClientConfig } from '../shared/sdkClientConfig';
import { BucketStore } from './BucketStore';
import { bucketCacheBytes } from './bucketCacheBytes';
import { BucketWriter } from './BucketWriter';
import { readStorerConfig } from './config';
import { Storer } from './Storer';

// Created once per container: configuration is checked at init, clients and caches are reused.
const config = readStorerConfig();
const logger = new Logger();
const breakers = createBreakers(['dynamodb', 's3'] as const);
const metrics = new Metrics();
const quarantine = new QuarantineWriter({
  s3: new S3Client(s3ClientConfig()),
  bucket: config.archiveBucket,
  functionName: 'storer',
  breaker: breakers.s3,
});
const buckets = new BucketWriter({
  store: new BucketStore({ dynamodb: new DynamoDBClient(sdkClientConfig()), tableName: config.readingsTable, breaker: breakers.dynamodb }),
  quarantine,
  retentionDays: config.hotRetentionDays,
  cacheBytes: bucketCacheBytes(config.memoryMb),
});
const storer = new Storer({ buckets, quarantine, metrics, logger, breakers: Object.values(breakers) });

/** Kinesis consumer writing readings to the hot tier (ReportBatchItemFailures on the mapping). */
export async function handler(event: KinesisStreamEvent, context: Context): Promise<KinesisStreamBatchResponse> {
  logger.addContext(context);
  try {
    return (await storer.handle(event, context)).response;
  } catch (error) {
    // A bug, not a record: fail the invocation. Lambda bisects a failed invocation (BisectBatchOnFunctionError),
    // so a record that triggers the bug ends alone in the dead-letter queue; a partial response naming every
    // record would only retry the whole batch until all of it was dead-lettered.
    logger.error('unexpected error; failing the invocation so the mapping bisects the batch', { error: error as Error });
    throw error;
  }
}
