import { Construct } from 'constructs';
import { QUARANTINE_PREFIX } from '../functions/shared/constants';
import { DeliveryStream, DeliveryStreamSpecManagementPolicies } from '../imports/firehose.aws.m.upbound.io';
import { AccessStatement, LeastPrivilegeRole } from './constructs/LeastPrivilegeRole';
import { EnvironmentConfig } from './lib/config';
import { crossplaneMetadata } from './lib/crossplaneMetadata';
import { crossplaneSpec } from './lib/crossplaneSpec';
import { PlatformNames } from './lib/names';
import { PlatformChart, PlatformChartProps } from './lib/PlatformChart';
import { platformTags } from './lib/platformTags';
import { rawPrefix } from './lib/rawPrefix';
/**
 * Where Firehose puts records its processing could not handle, by error type and day. Not records S3
 * refused: those Firehose retries for as long as they are in the source stream (its retention, 7
 * days), then they are gone from the archive; the freshness alarm is the warning.
 */
export const FIREHOSE_ERROR_PREFIX = `${QUARANTINE_PREFIX}firehose/!{firehose:error-output-type}/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/`;

/**
 * Buffering: whichever comes first, 64 MB (of uncompressed records) or 300 s. Large objects keep the
 * archive cheap (per-object request and lifecycle-transition charges; S3 does not move objects under
 * 128 KB to the infrequent-access classes), while five minutes still bounds how stale the archive is.
 */
export const FIREHOSE_BUFFERING = { sizeMb: 64, intervalSeconds: 300 } as const;

/** The delivery role: read the stream, write the two prefixes, the key through those two services only. */
function firehoseAccess(config: EnvironmentConfig, names: PlatformNames): AccessStatement[] {
  const bucket = names.archiveBucketArn;
  const viaKinesis = `kinesis.${config.region}.amazonaws.com`;
  const viaS3 = `s3.${config.region}.amazonaws.com`;
  const platformKey = { 'kms:ResourceAliases': names.kmsAlias };
  return [
    {
      sid: 'ReadStream',
      actions: ['kinesis:DescribeStream', 'kinesis:GetRecords', 'kinesis:GetShardIterator', 'kinesis:ListShards'],
      resources: [names.streamArn],
    },
    {
      sid: 'LocateBucket',
      actions: ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'],
      resources: [bucket],
    },
    {
      sid: 'WriteArchiveObjects',
      actions: ['s3:AbortMultipartUpload', 's3:GetObject', 's3:PutObject'],
      resources: [`${bucket}/${names.archiveRawPrefix}*`, `${bucket}/${QUARANTINE_PREFIX}firehose/*`],
    },
    {
      sid: 'DecryptStream',
      actions: ['kms:Decrypt'],
      resources: [names.kmsKeysArn],
      conditions: { 'ForAnyValue:StringEquals': platformKey, StringEquals: { 'kms:ViaService': viaKinesis } },
    },
    {
      sid: 'EncryptArchiveObjects',
      // GenerateDataKey for each object; Decrypt because S3 needs it to complete multipart uploads.
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      resources: [names.kmsKeysArn],
      conditions: { 'ForAnyValue:StringEquals': platformKey, StringEquals: { 'kms:ViaService': viaS3 } },
    },
  ];
}

/**
 * The cold-tier feed (Crossplane: the ACK DeliveryStream has no Kinesis source and no S3 destination):
 * Firehose reads the stream and writes GZIP-compressed, newline-delimited JSON to the archive bucket
 * under time-partitioned prefixes, encrypted with the platform key, plus its IAM role (ACK).
 */
export class ArchiveChart extends PlatformChart {
  constructor(scope: Construct, id: string, props: PlatformChartProps) {
    super(scope, id, props);
    const { config, names } = this;
    const { providerConfigRef, managementPolicies } = crossplaneSpec(names);

    const role = new LeastPrivilegeRole(this, 'role', {
      config,
      names,
      roleName: names.firehoseRole,
      description: 'Role of the archive Firehose stream: read the Kinesis stream, write the archive bucket',
      trust: {
        service: 'firehose.amazonaws.com',
        // Firehose documents sts:ExternalId (it passes the owning account id) as its confused-deputy
        // guard for delivery roles, not aws:SourceAccount.
        conditions: { StringEquals: { 'sts:ExternalId': config.accountId } },
      },
      policies: { firehose: firehoseAccess(config, names) },
    });

    new DeliveryStream(this, 'delivery-stream', {
      metadata: crossplaneMetadata(config, names, names.firehose, 'firehose'),
      spec: {
        providerConfigRef,
        managementPolicies: managementPolicies as DeliveryStreamSpecManagementPolicies[],
        forProvider: {
          region: config.region,
          name: names.firehose,
          destination: 'extended_s3',
          // No serverSideEncryption block: Firehose rejects it with a Kinesis source, whose own KMS
          // encryption covers the records at rest inside Firehose.
          kinesisSourceConfiguration: { kinesisStreamArn: names.streamArn, roleArn: role.roleArn },
          extendedS3Configuration: {
            bucketArn: names.archiveBucketArn,
            roleArn: role.roleArn,
            prefix: rawPrefix(names),
            errorOutputPrefix: FIREHOSE_ERROR_PREFIX,
            customTimeZone: 'UTC',
            compressionFormat: 'GZIP',
            bufferingSize: FIREHOSE_BUFFERING.sizeMb,
            bufferingInterval: FIREHOSE_BUFFERING.intervalSeconds,
            // The field takes a key or an alias ARN (Firehose's pattern is `...:(key|alias)/...`); the key
            // id is only known after the security chart's key exists, the alias is known now.
            kmsKeyArn: names.kmsAliasArn,
            // Records are JSON without a trailing newline: one per line makes the objects JSON Lines.
            processingConfiguration: { enabled: true, processors: [{ type: 'AppendDelimiterToRecord' }] },
            // Off: logging needs a log stream, which no controller here can create. A refused S3 write
            // shows in the DeliveryToS3.* metrics (the freshness alarm) and, for a denied key, in
            // CloudTrail; Firehose retries it while the records are in the stream.
            cloudwatchLoggingOptions: { enabled: false },
          },
          tags: platformTags(config),
        },
      },
    });
  }
}
