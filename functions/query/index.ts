import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context, LambdaFunctionURLEvent, LambdaFunctionURLResult } from 'aws-lambda';
import { AssetDirectory } from '../shared/query/AssetDirectory';
import { QueryService } from '../shared/query/QueryService';
import { SeriesReader } from '../shared/query/SeriesReader';
import { sdkClientConfig } from '../shared/sdkClientConfig';
import { readQueryConfig } from './config';
import { DYNAMODB_CLIENT } from './constants';
import { QueryApi } from './QueryApi';

// Created once per container: configuration is checked at init, the client's connections are reused.
const config = readQueryConfig();
const logger = new Logger();
const metrics = new Metrics();
// The SDK's own retries (DYNAMODB_CLIENT: attempts cut off at a stall) are right here: a request, not a batch, and the caller retries on a 5xx.
const dynamodb = new DynamoDBClient(sdkClientConfig(DYNAMODB_CLIENT));
const api = new QueryApi({
  service: new QueryService({
    reader: new SeriesReader({ dynamodb, tableName: config.readingsTable }),
    directory: new AssetDirectory({ dynamodb, tableName: config.assetStatusTable }),
    plantId: config.plantId,
  }),
  logger,
  metrics,
  hotRetentionDays: config.hotRetentionDays,
});

/** Lambda function URL handler (AWS_IAM, payload format 2.0): the read path for dashboards. */
export async function handler(event: LambdaFunctionURLEvent, context: Context): Promise<LambdaFunctionURLResult> {
  logger.addContext(context);
  try {
    return await api.handle(event);
  } catch (error) {
    // A bug or a failing dependency: rethrown so Lambda counts it in Errors (the alarm) and the URL answers 502.
    logger.error('request failed', { error: error as Error, path: event.rawPath, query: event.rawQueryString });
    throw error;
  }
}
