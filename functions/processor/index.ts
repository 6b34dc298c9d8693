import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { createBreakers } from '../shared/createBreakers';
import { QuarantineWriter } from '../shared/QuarantineWriter';
import { s3ClientConfig } from '../shared/s3ClientConfig';
import { sdkClientConfig } from '../shared/sdkClientConfig';
import { AlertPublisher } from './AlertPublisher';
import { readProcessorConfig } from './config';
import { DetectorStateStore } from './DetectorStateStore';
import { Processor } from './Processor';
import { StatusStore } from './StatusStore';

// Created once per container: configuration is checked at init; clients, breakers and detector
// states live as long as the container.
const config = readProcessorConfig();
const logger = new Logger();
const metrics = new Metrics();
const breakers = createBreakers(['dynamodb', 'sns', 's3'] as const);
const doc = DynamoDBDocumentClient.from(new DynamoDBClient(sdkClientConfig()), {
  marshallOptions: { removeUndefinedValues: true },
});
const processor = new Processor({
  settings: config.detectorSettings,
  acknowledgements: config.acknowledgements,
  relearnRequests: config.relearnRequests,
  states: new DetectorStateStore({ doc, tableName: config.detectorStateTable, breaker: breakers.dynamodb }),
  status: new StatusStore({ doc, tableName: config.assetStatusTable, breaker: breakers.dynamodb }),
  alerts: new AlertPublisher({
    sns: new SNSClient(sdkClientConfig()),
    topicArn: config.alertTopicArn,
    dashboardUrl: config.dashboardUrl,
    breaker: breakers.sns,
  }),
  quarantine: new QuarantineWriter({
    s3: new S3Client(s3ClientConfig()),
    bucket: config.archiveBucket,
    functionName: 'processor',
    breaker: breakers.s3,
  }),
  metrics,
  logger,
  statusHeartbeatSeconds: config.statusHeartbeatSeconds,
  checkpointIntervalSeconds: config.checkpointIntervalSeconds,
  breakers: Object.values(breakers),
});

/** Kinesis consumer: validate, detect, alert, asset status, metrics (ReportBatchItemFailures on the mapping). */
export async function handler(event: KinesisStreamEvent, context: Context): Promise<KinesisStreamBatchResponse> {
  logger.addContext(context);
  try {
    return (await processor.handle(event, context)).response;
  } catch (error) {
    // A bug, not a record: fail the invocation. Lambda bisects a failed invocation (BisectBatchOnFunctionError),
    // so a record that triggers the bug ends alone in the dead-letter queue; a partial response naming every
    // record would only retry the whole batch until all of it was dead-lettered.
    logger.error('unexpected error; failing the invocation so the mapping bisects the batch', { error: error as Error });
    throw error;
  }
}
