import { Construct } from 'constructs';
import { QUARANTINE_PREFIX, STREAM_RETENTION_HOURS } from '../functions/shared/constants';
import { BundledFunction } from './constructs/BundledFunction';
import { EncryptedLogGroup } from './constructs/EncryptedLogGroup';
import { KinesisEventSourceMapping } from './constructs/KinesisEventSourceMapping';
import { AccessStatement, LeastPrivilegeRole } from './constructs/LeastPrivilegeRole';
import { OperatorPolicy } from './constructs/OperatorPolicy';
import { EnvironmentConfig } from './lib/config';
import { functionEnvironment, type StreamFunction } from './lib/functionEnvironment';
import { PlatformNames } from './lib/names';
import { PlatformChart, PlatformChartProps } from './lib/PlatformChart';
import { platformKeyAccess } from './lib/platformKeyAccess';
import { processorAccess } from './lib/processorAccess';
import { storerAccess } from './lib/storerAccess';

/**
 * Time a dead-lettered batch's records stay in the stream after a mapping gives up on them for their age:
 * the dead-letter entry only points at the records (shard and sequence numbers), so the redrive has to
 * read them back before Kinesis trims them. A day covers the alarm, the diagnosis and the redrive.
 */
export const REDRIVE_MARGIN_SECONDS = 24 * 3600;

/**
 * Sizing and failure handling of each function and its mapping, with the reasoning. Memory buys CPU
 * (1,769 MB = one vCPU), so CPU-bound work finishes proportionally faster at about the same cost.
 */
export const FUNCTION_SETTINGS = {
  processor: {
    // Detection is CPU-bound (per-metric statistics and a multivariate score per asset): 1,024 MB
    // (~0.6 vCPU) halves a batch's compute time against 512 MB at about the same cost per record.
    memoryMb: 1024,
    // A batch of 250 takes about a quarter second (capacity.ts: 1 ms per record); 30 s leaves room for
    // dependency retries and retry pacing, and the function's own deadline reports unstarted records
    // for retry before Lambda would kill it.
    timeoutSeconds: 30,
    // Latency first: invoke as soon as records arrive. 250 caps the work (and the retry blast radius)
    // of one invocation while a backlog still drains at 250 records per invocation per batch slot.
    batchSize: 250,
    maxBatchingWindowSeconds: 0,
    // Each retry first waits until the failing dependency's circuit lets a probe through
    // (functions/shared/paceRetry.ts, seconds), so 10 retries ride out about a minute of outage before
    // the batch goes to the dead-letter queue, while a poison batch blocks its shard only briefly.
    maxRetryAttempts: 10,
    // An alert is worth little after an hour: once the processor falls an hour behind, older records
    // go to the dead-letter queue (to redrive from the stream, which keeps 7 days) and it alerts on
    // fresh data again at once.
    maxRecordAgeSeconds: 3600,
  },
  storer: {
    // Batches of up to 10,000 records (6 MB) every minute, grouped per sensor in memory.
    memoryMb: 1024,
    // One batch per minute per shard: 120 s leaves a full minute of margin for throttled writes.
    timeoutSeconds: 120,
    // Gather up to a minute so one DynamoDB write carries a sensor's whole minute of readings.
    batchSize: 10_000,
    maxBatchingWindowSeconds: 60,
    maxRetryAttempts: 10,
    // The hot tier must hold every reading, so a backlog is worked through, never skipped, for as long as
    // the stream keeps the records less the redrive margin: what ages out then goes to the dead-letter
    // queue while it can still be redriven (at the full retention it would be trimmed as it aged out).
    maxRecordAgeSeconds: STREAM_RETENTION_HOURS * 3600 - REDRIVE_MARGIN_SECONDS,
  },
} as const;

/**
 * TRIM_HORIZON for both mappings: on first deploy, records the topic rules wrote before the mapping
 * existed are read instead of silently skipped (the design's "nothing is dropped silently"). The price:
 * a mapping deleted and recreated by hand re-reads the retained week; the storer's writes are
 * idempotent (what is older than its record age, stored before, goes to the dead-letter queue), and
 * the processor sends what is older than an hour there.
 */
export const STARTING_POSITION = 'TRIM_HORIZON';

/** Kubernetes object names of what this chart creates that has no AWS name of its own. */
function processingObjectNames(config: EnvironmentConfig, fn: StreamFunction): { logGroup: string; mapping: string } {
  // AWS cannot move a mapping to another source: reading through the consumer is a new mapping (see FAN_OUT_STARTING_POSITION).
  const mapping = fn === 'processor' && config.capacity.processorConsumerArn !== undefined ? `esm-${fn}-fanout-${config.suffix}` : `esm-${fn}-${config.suffix}`;
  return { logGroup: `logs-${fn}-${config.suffix}`, mapping };
}

/**
 * AT_TIMESTAMP (`capacity.processorConsumerReadsFrom`) for the processor's mapping through its fan-out consumer.
 * That mapping always replaces the stream mapping of a running processor (the consumer's ARN exists only once a
 * deploy has registered it). ACK reports a new mapping synced as soon as AWS accepts it, and Lambda may take
 * minutes to start polling, so Argo CD can prune the old mapping (PruneLast) before the new one reads: from
 * LATEST, the records between would never be judged. From the time of the change, the two overlap instead, and
 * the processor takes the overlap as any redelivery. From TRIM_HORIZON it would re-read the retained week and
 * dead-letter all of it but the last hour.
 */
export const FAN_OUT_STARTING_POSITION = 'AT_TIMESTAMP';

/**
 * What an operator needs to run the dead-letter redrive (scripts/redrive.ts), the one place to change it:
 * take the queue's messages, read the dead-lettered ranges back from the stream, invoke the two functions;
 * and, for `--quarantine iot`, list and read the IoT rules' error-action objects and put the rebuilt
 * records back into the stream.
 */
function redriveOperatorAccess(config: EnvironmentConfig, names: PlatformNames): AccessStatement[] {
  const iotQuarantine = `${QUARANTINE_PREFIX}iot/`;
  return [
    {
      sid: 'WorkDeadLetterQueue',
      // ReceiveMessage, ChangeMessageVisibility (release, extend) and DeleteMessage are the tool's calls;
      // GetQueueAttributes lets the operator see the queue's depth before and after a run.
      actions: ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage'],
      resources: [names.deadLetterQueueArn],
    },
    {
      sid: 'ReadDeadLetteredRanges',
      // GetShardIterator (AT_SEQUENCE_NUMBER, AT_TIMESTAMP) and GetRecords are the tool's calls, ListShards its
      // --shard mode's check of the shard; DescribeStreamSummary lets the operator check retention by hand.
      actions: ['kinesis:DescribeStreamSummary', 'kinesis:GetRecords', 'kinesis:GetShardIterator', 'kinesis:ListShards'],
      resources: [names.streamArn],
    },
    {
      sid: 'InvokeStreamFunctions',
      // Synchronous Invoke of the unqualified functions, as their mappings do.
      actions: ['lambda:InvokeFunction'],
      resources: [names.functionArn(names.processorFunction), names.functionArn(names.storerFunction)],
    },
    {
      sid: 'ListIotQuarantine',
      // ListObjectsV2 of the error actions' hour folders (quarantine/iot/YYYY/MM/DD/HH/, .../presence/...):
      // the bucket is the resource, so the prefix condition is what keeps the listing to quarantine/iot/.
      actions: ['s3:ListBucket'],
      resources: [names.archiveBucketArn],
      conditions: { StringLike: { 's3:prefix': `${iotQuarantine}*` } },
    },
    {
      sid: 'ReadIotQuarantine',
      // GetObject of each error-action document; objects are left in place, so no Put or Delete.
      actions: ['s3:GetObject'],
      resources: [`${names.archiveBucketArn}/${iotQuarantine}*`],
    },
    {
      sid: 'ReplayIotQuarantine',
      // PutRecords of the rebuilt records (the rule's own call is PutRecord, which stays forbidden).
      actions: ['kinesis:PutRecords'],
      resources: [names.streamArn],
    },
    // The queue, the stream and the bucket are encrypted with the platform key: receiving, reading records
    // and GetObject need Decrypt through those three.
    platformKeyAccess(config, names, ['kinesis', 's3', 'sqs'], ['kms:Decrypt'], 'DecryptWithPlatformKey'),
    // PutRecords to the encrypted stream: Kinesis asks for a data key with the caller's identity. Only via
    // Kinesis: the tool writes nothing to S3 or SQS.
    platformKeyAccess(config, names, ['kinesis'], ['kms:GenerateDataKey'], 'EncryptWithPlatformKey'),
  ];
}

/**
 * The two Kinesis consumers: the latency-first processor (validate, detect, alert, asset status) and the
 * throughput-first storer (minute buckets in the hot tier), each with its role, log group and mapping.
 *
 * Reserved concurrency is deliberately not set: a Kinesis mapping never runs more than one invocation
 * per shard (parallelization 1), so the stream already bounds concurrency, while a reservation would take
 * capacity from the account's unreserved pool and, set too low, throttle the mapping into a backlog.
 */
export class ProcessingChart extends PlatformChart {
  constructor(scope: Construct, id: string, props: PlatformChartProps) {
    super(scope, id, props);
    const { config, names } = this;

    const functions: Record<StreamFunction, { functionName: string; roleName: string; access: AccessStatement[]; parallelization: number }> = {
      processor: {
        functionName: names.processorFunction,
        roleName: names.processorRole,
        access: processorAccess(config, names),
        // Exactly 1: the detector state a container keeps per asset, fenced by the shard lease, needs a
        // shard's batches one after the other. The capacity plan adds shards for processing instead.
        parallelization: 1,
      },
      storer: {
        functionName: names.storerFunction,
        roleName: names.storerRole,
        access: storerAccess(config, names),
        // 1: its conditional puts are idempotent per reading, but one batch per shard already gathers a
        // minute of the shard's records; the capacity plan's shards bound its throughput as the processor's.
        parallelization: 1,
      },
    };

    for (const fn of ['processor', 'storer'] as const) {
      const { functionName, roleName, access, parallelization } = functions[fn];
      const settings = FUNCTION_SETTINGS[fn];
      const objects = processingObjectNames(config, fn);
      const logGroupName = names.logGroup(functionName);
      const consumerArn = fn === 'processor' ? config.capacity.processorConsumerArn : undefined;

      const role = new LeastPrivilegeRole(this, `${fn}-role`, {
        config,
        names,
        roleName,
        description: `Execution role of the ${fn} Lambda function`,
        trust: { service: 'lambda.amazonaws.com', conditions: { StringEquals: { 'aws:SourceAccount': config.accountId } } },
        policies: { [fn]: access },
      });

      new EncryptedLogGroup(this, `${fn}-logs`, { config, names, objectName: objects.logGroup, logGroupName });

      const lambda = new BundledFunction(this, fn, {
        config,
        names,
        functionName,
        codeName: fn,
        description: fn === 'processor' ? 'Validates telemetry, detects anomalies, alerts and keeps asset status' : 'Stores readings in per-sensor minute buckets of the hot tier',
        roleObjectName: role.objectName,
        memoryMb: settings.memoryMb,
        timeoutSeconds: settings.timeoutSeconds,
        environment: functionEnvironment(config, names, fn),
        logGroupName,
        subnetObjects: names.privateSubnets.map((subnet) => subnet.object),
        securityGroupObjects: [names.functionsSecurityGroup],
      });

      new KinesisEventSourceMapping(this, `${fn}-mapping`, {
        config,
        names,
        objectName: objects.mapping,
        functionObjectName: lambda.objectName,
        streamArn: names.streamArn,
        ...(consumerArn === undefined
          ? { startingPosition: STARTING_POSITION }
          : { consumerArn, startingPosition: FAN_OUT_STARTING_POSITION, startingPositionTimestamp: config.capacity.processorConsumerReadsFrom }),
        onFailureDestinationArn: names.deadLetterQueueArn,
        batchSize: settings.batchSize,
        maxBatchingWindowSeconds: settings.maxBatchingWindowSeconds,
        parallelizationFactor: parallelization,
        maxRetryAttempts: settings.maxRetryAttempts,
        maxRecordAgeSeconds: settings.maxRecordAgeSeconds,
      });
    }

    // Not attached to anything here: operators attach it to the role or permission set they run the redrive with.
    new OperatorPolicy(this, 'redrive-policy', {
      config,
      names,
      policyName: names.redrivePolicy,
      description: 'Run the dead-letter redrive tool (scripts/redrive.ts): read the DLQ, read the stream, invoke the stream functions',
      statements: redriveOperatorAccess(config, names),
    });
  }
}
