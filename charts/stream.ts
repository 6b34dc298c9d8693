import { Construct } from 'constructs';
import { Stream, StreamSpecManagementPolicies } from '../imports/kinesis.aws.m.upbound.io';
import { Queue } from '../imports/sqs.services.k8s.aws';
import { STREAM_RETENTION_HOURS } from '../functions/shared/constants';
import { EncryptedTopic } from './constructs/EncryptedTopic';
import { FanOutConsumer } from './constructs/FanOutConsumer';
import { policyDocument } from './constructs/policyDocument';
import { denyInsecureTransport } from './constructs/denyInsecureTransport';
import { ackMetadata } from './lib/ackMetadata';
import { crossplaneMetadata } from './lib/crossplaneMetadata';
import { crossplaneSpec } from './lib/crossplaneSpec';
import { platformTags } from './lib/platformTags';
import { PlatformChart, PlatformChartProps } from './lib/PlatformChart';

/**
 * Shard-level metrics, for the runbook's per-shard look at a hot shard or a consumer behind on one
 * shard; the alarms and the dashboard read the stream-level metrics Kinesis publishes anyway. Each
 * is billed as a custom metric per shard (`npm run cost` counts them).
 */
export const SHARD_LEVEL_METRICS = [
  'IncomingBytes',
  'IncomingRecords',
  'IteratorAgeMilliseconds',
  'OutgoingBytes',
  'OutgoingRecords',
  'ReadProvisionedThroughputExceeded',
  'WriteProvisionedThroughputExceeded',
] as const;

/** SQS's maximum: the longest an operator has to redrive a failed batch. */
export const DEAD_LETTER_RETENTION_SECONDS = 14 * 24 * 3600;

/**
 * The Kinesis stream (Crossplane: ACK cannot set its encryption or retention) with the processor's
 * enhanced fan-out consumer when the config registers one, the dead-letter
 * queue of the two event source mappings, and the alert and ops topics (their e-mail
 * subscriptions are the recipients chart's, synced by an Application of their own).
 */
export class StreamChart extends PlatformChart {
  readonly stream: Stream;
  readonly deadLetterQueue: Queue;
  readonly alertTopic: EncryptedTopic;
  readonly opsTopic: EncryptedTopic;
  /** The processor's enhanced fan-out consumer, with `capacity.processorFanOut`. */
  readonly processorConsumer: FanOutConsumer | undefined;

  constructor(scope: Construct, id: string, props: PlatformChartProps) {
    super(scope, id, props);
    const { config, names, capacity } = this;
    const crossplane = crossplaneSpec(names);

    this.stream = new Stream(this, 'stream', {
      metadata: crossplaneMetadata(config, names, names.stream, 'stream'),
      spec: {
        providerConfigRef: crossplane.providerConfigRef,
        managementPolicies: crossplane.managementPolicies.map((policy) => policy as StreamSpecManagementPolicies),
        forProvider: {
          region: config.region,
          // kmsKeyIdRef would point at a Crossplane KMS key; ours is ACK's, so the alias ARN names it.
          encryptionType: 'KMS',
          kmsKeyId: names.kmsAliasArn,
          retentionPeriod: STREAM_RETENTION_HOURS,
          shardLevelMetrics: [...SHARD_LEVEL_METRICS],
          streamModeDetails: { streamMode: capacity.streamMode },
          // On-demand streams size themselves; a shard count there is rejected.
          ...(capacity.streamMode === 'PROVISIONED' ? { shardCount: capacity.shardCount } : {}),
          // Lets the stream be deleted while the processor's enhanced fan-out consumer still exists.
          enforceConsumerDeletion: true,
          tags: platformTags(config),
        },
      },
    });

    this.processorConsumer = config.capacity.processorFanOut
      ? new FanOutConsumer(this, 'processor-consumer', { config, names, consumerName: names.processorConsumer, streamObjectName: names.stream })
      : undefined;

    this.deadLetterQueue = new Queue(this, 'dead-letter-queue', {
      metadata: ackMetadata(config, names, names.deadLetterQueue, 'dataStores'),
      spec: {
        queueName: names.deadLetterQueue,
        kmsMasterKeyRef: { from: { name: names.kmsKeyObject } },
        messageRetentionPeriod: String(DEAD_LETTER_RETENTION_SECONDS),
        // The redrive tool long-polls: fewer empty receives.
        receiveMessageWaitTimeSeconds: '20',
        // This queue is the end of the line: no other queue may use it as its dead-letter queue.
        redriveAllowPolicy: JSON.stringify({ redrivePermission: 'denyAll' }),
        policy: this.deadLetterQueuePolicy(),
        tags: platformTags(config),
      },
    });

    this.alertTopic = new EncryptedTopic(this, 'alert-topic', {
      config,
      names,
      topicName: names.alertTopic,
      displayName: `Plant telemetry anomalies (${config.environment})`,
      additionalStatements: (topicArn) => [
        {
          // Only the processor publishes anomalies (functions/processor/AlertPublisher.ts). Without this,
          // any principal of the account with sns:Publish in its IAM policy could post a fake alert to the
          // maintenance team; as for the dead-letter queue, the deny holds whatever IAM grants.
          Sid: 'DenyPublishersOtherThanProcessor',
          Effect: 'Deny',
          Principal: '*',
          Action: 'sns:Publish',
          Resource: topicArn,
          Condition: { ArnNotEquals: { 'aws:PrincipalArn': names.roleArn(names.processorRole) } },
        },
      ],
    });
    this.opsTopic = new EncryptedTopic(this, 'ops-topic', {
      config,
      names,
      topicName: names.opsTopic,
      displayName: `Plant telemetry operations (${config.environment})`,
      additionalStatements: (topicArn) => [
        {
          Sid: 'CloudWatchAlarmsPublish',
          Effect: 'Allow',
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Action: 'sns:Publish',
          Resource: topicArn,
          // Only the platform's alarms (every one is named by names.alarmName), not any alarm of the account.
          Condition: {
            StringEquals: { 'aws:SourceAccount': config.accountId },
            ArnLike: { 'aws:SourceArn': names.platformAlarmArnPattern },
          },
        },
      ],
    });
  }

  /**
   * Only the two functions send here: a Kinesis event source mapping delivers its on-failure
   * record with the function's execution role, which also needs no allow (same account, IAM
   * grants it). The deny keeps anything else from mixing into the failures operators redrive.
   */
  private deadLetterQueuePolicy(): string {
    const { names } = this;
    return policyDocument([
      denyInsecureTransport('DenyInsecureTransport', 'sqs:*', names.deadLetterQueueArn),
      {
        Sid: 'DenySendersOtherThanStreamFunctions',
        Effect: 'Deny',
        Principal: '*',
        Action: 'sqs:SendMessage',
        Resource: names.deadLetterQueueArn,
        Condition: { ArnNotEquals: { 'aws:PrincipalArn': [names.roleArn(names.processorRole), names.roleArn(names.storerRole)] } },
      },
    ]);
  }
}
