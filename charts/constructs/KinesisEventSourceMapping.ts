import { Construct } from 'constructs';
import { EventSourceMapping } from '../../imports/lambda.services.k8s.aws';
import { isUtcTime } from '../../functions/shared/isUtcTime';
import { EnvironmentConfig } from '../lib/config';
import { ackMetadata } from '../lib/ackMetadata';
import { platformTags } from '../lib/platformTags';
import { PlatformNames } from '../lib/names';

export type KinesisStartingPosition = 'TRIM_HORIZON' | 'LATEST' | 'AT_TIMESTAMP';

export interface KinesisEventSourceMappingProps {
  readonly config: EnvironmentConfig;
  readonly names: PlatformNames;
  /** Kubernetes object name of the mapping (AWS gives mappings a UUID, not a name). */
  readonly objectName: string;
  /** Kubernetes object name of the ACK Function the mapping invokes. */
  readonly functionObjectName: string;
  /** ARN of the Kinesis stream (created by another controller, so a plain ARN). */
  readonly streamArn: string;
  /**
   * ARN of an enhanced fan-out consumer of `streamArn` to read through instead of polling the stream; AWS
   * does not change a mapping's source, so a mapping moving to or from a consumer needs a new object name.
   * @default undefined (the mapping polls the stream with shared throughput)
   */
  readonly consumerArn?: string;
  /** SQS queue or SNS topic that receives the details of batches given up on. */
  readonly onFailureDestinationArn: string;
  readonly startingPosition: KinesisStartingPosition;
  /**
   * With AT_TIMESTAMP, the time to start reading from (RFC 3339 in UTC, to the second); AWS refuses a time in the future,
   * which the config refuses at load (`capacity.processorConsumerReadsFrom`), so the rendering does not depend on the clock.
   * @default undefined (only AT_TIMESTAMP takes one)
   */
  readonly startingPositionTimestamp?: string;
  /** Most records in one invocation (Kinesis: 1 to 10,000; the 6 MB payload limit also applies). */
  readonly batchSize: number;
  /** Seconds to gather records before invoking (0 to 300); 0 invokes as soon as records arrive. */
  readonly maxBatchingWindowSeconds: number;
  /** Concurrent batches per shard (1 to 10); order is kept per partition key, not per shard. */
  readonly parallelizationFactor: number;
  /** Retries of a failing batch before it goes to the failure destination (0 to 10,000; never infinite). */
  readonly maxRetryAttempts: number;
  /** Records older than this skip to the failure destination (60 to 604,800 s; never infinite). */
  readonly maxRecordAgeSeconds: number;
}

const STREAM_ARN = /^arn:aws:kinesis:([a-z0-9-]+):(\d{12}):stream\/[A-Za-z0-9_.-]+$/;
const CONSUMER_SUFFIX = /^\/consumer\/[A-Za-z0-9_.-]{1,128}:\d{10}$/;
const DESTINATION_ARN = /^arn:aws:(sqs|sns):([a-z0-9-]+):(\d{12}):[A-Za-z0-9_-]+(\.fifo)?$/;

/**
 * A date-time field's value as the import's serializer takes it: the import types such fields as `Date`, but
 * cdk8s refuses to render a `Date` (only plain objects) before the import calls `toISOString()` on it; a plain
 * object with that one method passes both and renders the time exactly as written.
 */
function dateTimeAsWritten(time: string): Date {
  return { toISOString: () => time } as unknown as Date;
}

/**
 * An ACK EventSourceMapping from a Kinesis stream to a function, with the failure handling the
 * platform requires and no way to leave it out: the function reports partial batch failures, a
 * failing batch is bisected, retries and record age are bounded, and what is given up on goes to an
 * explicit on-failure destination (an ACK mapping without one is sent an empty destination, which
 * AWS rejects).
 */
export class KinesisEventSourceMapping extends Construct {
  constructor(scope: Construct, id: string, props: KinesisEventSourceMappingProps) {
    super(scope, id);
    const { config, names } = props;
    const fail = (field: string, rule: string, value: unknown): never => {
      throw new Error(`KinesisEventSourceMapping: props.${field} ${rule}, got ${JSON.stringify(value)}`);
    };
    const integer = (field: keyof KinesisEventSourceMappingProps, min: number, max: number, why = ''): void => {
      const value = props[field];
      if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) fail(field, `must be an integer from ${min} to ${max}${why}`, value);
    };
    const inEnvironment = (field: string, arn: string, region: string, account: string): void => {
      if (region !== config.region) fail(field, `must be in ${config.region}`, arn);
      if (account !== config.accountId) fail(field, `must belong to account ${config.accountId}`, arn);
    };

    const stream = STREAM_ARN.exec(props.streamArn);
    if (!stream) fail('streamArn', 'must be a Kinesis stream ARN', props.streamArn);
    else inEnvironment('streamArn', props.streamArn, stream[1], stream[2]);
    if (props.consumerArn !== undefined && !(props.consumerArn.startsWith(props.streamArn) && CONSUMER_SUFFIX.test(props.consumerArn.slice(props.streamArn.length)))) {
      fail('consumerArn', `must be a consumer of ${props.streamArn} (<stream ARN>/consumer/<name>:<registration time in epoch seconds>)`, props.consumerArn);
    }
    const destination = DESTINATION_ARN.exec(props.onFailureDestinationArn);
    if (!destination) fail('onFailureDestinationArn', 'must be an SQS queue or SNS topic ARN', props.onFailureDestinationArn);
    else inEnvironment('onFailureDestinationArn', props.onFailureDestinationArn, destination[2], destination[3]);
    if (!['TRIM_HORIZON', 'LATEST', 'AT_TIMESTAMP'].includes(props.startingPosition)) fail('startingPosition', 'must be TRIM_HORIZON, LATEST or AT_TIMESTAMP', props.startingPosition);
    const atTimestamp = props.startingPosition === 'AT_TIMESTAMP';
    if (atTimestamp && !isUtcTime(props.startingPositionTimestamp)) {
      fail('startingPositionTimestamp', 'must be a UTC time (YYYY-MM-DDTHH:MM:SSZ) with startingPosition AT_TIMESTAMP', props.startingPositionTimestamp);
    }
    if (!atTimestamp && props.startingPositionTimestamp !== undefined) fail('startingPositionTimestamp', 'is only taken with startingPosition AT_TIMESTAMP', props.startingPositionTimestamp);
    integer('batchSize', 1, 10_000);
    integer('maxBatchingWindowSeconds', 0, 300);
    integer('parallelizationFactor', 1, 10);
    integer('maxRetryAttempts', 0, 10_000, ' (bounded: a poison batch must not block its shard until the records expire)');
    integer('maxRecordAgeSeconds', 60, 604_800, ' (bounded: -1 would retry until the records expire)');

    new EventSourceMapping(this, 'Resource', {
      metadata: ackMetadata(config, names, props.objectName, 'eventSourceMappings'),
      spec: {
        functionRef: { from: { name: props.functionObjectName } },
        eventSourceArn: props.consumerArn ?? props.streamArn,
        enabled: true,
        startingPosition: props.startingPosition,
        ...(atTimestamp ? { startingPositionTimestamp: dateTimeAsWritten(props.startingPositionTimestamp as string) } : {}),
        batchSize: props.batchSize,
        maximumBatchingWindowInSeconds: props.maxBatchingWindowSeconds,
        parallelizationFactor: props.parallelizationFactor,
        functionResponseTypes: ['ReportBatchItemFailures'],
        bisectBatchOnFunctionError: true,
        maximumRetryAttempts: props.maxRetryAttempts,
        maximumRecordAgeInSeconds: props.maxRecordAgeSeconds,
        destinationConfig: { onFailure: { destination: props.onFailureDestinationArn } },
        // Explicit 0: no tumbling window (the functions keep their own state in DynamoDB).
        tumblingWindowInSeconds: 0,
        tags: platformTags(config),
      },
    });
  }
}
