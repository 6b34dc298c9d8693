import { Construct } from 'constructs';
import { QUARANTINE_PREFIX, TABLE_KEYS } from '../functions/shared/constants';
import { Bucket, BucketSpecLifecycleRules } from '../imports/s3.services.k8s.aws';
import { EncryptedTable } from './constructs/EncryptedTable';
import { policyDocument } from './constructs/policyDocument';
import { denyInsecureTransport } from './constructs/denyInsecureTransport';
import { ATHENA_RESULTS_EXPIRATION_DAYS } from './analytics';
import { type ArchiveStorageClass, type ArchiveTransition, type StorageClass } from './lib/archiveTiers';
import { earliestNextDay } from './lib/earliestNextDay';
import { rawExpirationDays } from './lib/rawExpirationDays';
import { rawTransitions } from './lib/rawTransitions';
import { ackMetadata } from './lib/ackMetadata';
import { tagList } from './lib/tagList';
import { PlatformChart, PlatformChartProps } from './lib/PlatformChart';

/**
 * The stream functions' quarantine prefixes: copies of records Firehose also archived under raw/, read
 * while they are inspected and redriven, in the first weeks. After a year they are no longer actionable
 * (the stream and the detector have moved on) and raw/ keeps the records themselves, so they expire then,
 * not at archiveYears. They stay in STANDARD: a quarantined object is one record of a few KB, and S3
 * lifecycle does not transition objects under 128 KB (the default transition minimum since September
 * 2024); were it forced to, Standard-IA and Glacier IR would bill each as 128 KB plus a transition
 * request, more than a year of Standard costs for it.
 */
export const FUNCTION_QUARANTINE_SOURCES = ['processor', 'storer'] as const;
export const FUNCTION_QUARANTINE_TRANSITIONS: readonly ArchiveTransition[] = [];
export const FUNCTION_QUARANTINE_EXPIRATION_DAYS = 365;

/**
 * Quarantine prefixes that hold the archive's only copy of valid records, kept as raw/ is: what the IoT
 * rules' error actions wrote (messages the rules could not put into the stream, so Firehose never saw
 * them) and what Firehose's processing failed on (records of the stream that never reached raw/).
 * Objects under 128 KB among them (most error-action documents) stay in STANDARD until the expiry, as
 * S3 does not transition them.
 */
export const UNARCHIVED_QUARANTINE_SOURCES = ['iot', 'firehose'] as const;

/** Superseded versions (a redelivered record rewriting its quarantine object) are kept a month. */
export const NONCURRENT_EXPIRATION_DAYS = 30;
export const ABORT_INCOMPLETE_MULTIPART_DAYS = 7;

/**
 * The archive bucket and the hot-tier tables.
 *
 * Bucket: SSE-KMS with the environment key (bucket key on, so S3 calls KMS once per bucket and
 * period instead of once per object), versioned, public access blocked, ACLs disabled, TLS-only,
 * lifecycle from the config. Tables: see EncryptedTable; keys from TABLE_KEYS, which the functions
 * read and write.
 */
export class StorageChart extends PlatformChart {
  readonly bucket: Bucket;
  readonly readingsTable: EncryptedTable;
  readonly assetStatusTable: EncryptedTable;
  readonly detectorStateTable: EncryptedTable;

  constructor(scope: Construct, id: string, props: PlatformChartProps) {
    super(scope, id, props);
    const { config, names } = this;

    this.bucket = new Bucket(this, 'archive-bucket', {
      metadata: ackMetadata(config, names, names.archiveBucket, 'dataStores'),
      spec: {
        name: names.archiveBucket,
        createBucketConfiguration: { locationConstraint: config.region },
        encryption: {
          rules: [
            {
              // No ACK reference from S3 to a KMS Key exists; the alias ARN resolves in sa-east-1 only.
              applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: names.kmsAliasArn },
              bucketKeyEnabled: true,
            },
          ],
        },
        versioning: { status: 'Enabled' },
        publicAccessBlock: { blockPublicAcLs: true, ignorePublicAcLs: true, blockPublicPolicy: true, restrictPublicBuckets: true },
        ownershipControls: { rules: [{ objectOwnership: 'BucketOwnerEnforced' }] },
        policy: this.bucketPolicy(),
        lifecycle: { rules: this.lifecycleRules() },
        tagging: { tagSet: tagList(config) },
      },
    });

    this.readingsTable = new EncryptedTable(this, 'readings-table', {
      config,
      names,
      tableName: names.readingsTable,
      partitionKey: { name: TABLE_KEYS.readings.partitionKey, type: 'S' },
      sortKey: { name: TABLE_KEYS.readings.sortKey, type: 'N' },
    });
    this.assetStatusTable = new EncryptedTable(this, 'asset-status-table', {
      config,
      names,
      tableName: names.assetStatusTable,
      partitionKey: { name: TABLE_KEYS.assetStatus.partitionKey, type: 'S' },
      globalSecondaryIndexes: [
        {
          // Latest status of every asset of a line: Query lineKey = <plant>#<line>.
          indexName: TABLE_KEYS.assetStatus.lineIndex,
          partitionKey: { name: TABLE_KEYS.assetStatus.linePartitionKey, type: 'S' },
          sortKey: { name: TABLE_KEYS.assetStatus.partitionKey, type: 'S' },
        },
      ],
    });
    this.detectorStateTable = new EncryptedTable(this, 'detector-state-table', {
      config,
      names,
      tableName: names.detectorStateTable,
      partitionKey: { name: TABLE_KEYS.detectorState.partitionKey, type: 'S' },
    });
  }

  private bucketPolicy(): string {
    const { archiveBucketArn } = this.names;
    return policyDocument([
      denyInsecureTransport('DenyInsecureTransport', 's3:*', [archiveBucketArn, `${archiveBucketArn}/*`]),
      {
        // A writer may rely on the default encryption (no header: the functions and the IoT rule's error
        // action send none) but may not ask for another kind. Both conditions must hold: the header is
        // present (Null false) and says something else. `StringNotEqualsIfExists` alone would be true
        // for an absent header and deny every header-less put.
        ...denyObjectPut('DenyNonKmsObjectEncryption', archiveBucketArn),
        Condition: {
          Null: { 's3:x-amz-server-side-encryption': 'false' },
          StringNotEquals: { 's3:x-amz-server-side-encryption': 'aws:kms' },
        },
      },
      {
        // Likewise a writer may not name another key than the platform's (by its alias: the key id is
        // only known after creation); the header is absent unless the writer sends it.
        ...denyObjectPut('DenyOtherKmsKeys', archiveBucketArn),
        Condition: {
          Null: { 's3:x-amz-server-side-encryption-aws-kms-key-id': 'false' },
          StringNotEquals: { 's3:x-amz-server-side-encryption-aws-kms-key-id': this.names.kmsAliasArn },
        },
      },
      {
        // SSE-KMS asked for without naming a key: S3 would use the AWS-managed key aws/s3, which the
        // key policy of the platform does not govern. The two denies above both let this through (the
        // header says aws:kms, the key-id header is absent). Firehose and the Athena workgroup send both
        // headers; the functions and the IoT rule's error action send neither.
        ...denyObjectPut('DenyKmsWithoutPlatformKeyId', archiveBucketArn),
        Condition: {
          StringEquals: { 's3:x-amz-server-side-encryption': 'aws:kms' },
          Null: { 's3:x-amz-server-side-encryption-aws-kms-key-id': 'true' },
        },
      },
      {
        // SSE-C: the writer's own key, which neither the platform key's policy nor its rotation covers
        // (and without which the object cannot be read). No writer of the platform uses it.
        ...denyObjectPut('DenyCustomerProvidedKeys', archiveBucketArn),
        Condition: { Null: { 's3:x-amz-server-side-encryption-customer-algorithm': 'false' } },
      },
    ]);
  }

  private lifecycleRules(): BucketSpecLifecycleRules[] {
    const { config, names } = this;
    const archiveTransitions = rawTransitions(config.retention.archiveTiers);
    const archiveExpirationDays = rawExpirationDays(config.retention.archiveYears);
    // One rule per prefix, none inside another's: where rules overlap, S3 applies the earliest expiration,
    // so a rule on all of quarantine/ would cut short the prefixes kept as long as raw/.
    return [
      // Raw records are the archive of record: colder classes as config.retention.archiveTiers says, kept archiveYears.
      tieringRule('raw-tiering', names.archiveRawPrefix, archiveTransitions, archiveExpirationDays),
      ...UNARCHIVED_QUARANTINE_SOURCES.map((source) => tieringRule(`quarantine-${source}-tiering`, `${QUARANTINE_PREFIX}${source}/`, archiveTransitions, archiveExpirationDays)),
      ...FUNCTION_QUARANTINE_SOURCES.map((source) =>
        tieringRule(`quarantine-${source}-expiry`, `${QUARANTINE_PREFIX}${source}/`, FUNCTION_QUARANTINE_TRANSITIONS, FUNCTION_QUARANTINE_EXPIRATION_DAYS),
      ),
      // Athena's results are a cache of what someone already saw; the workgroup writes them here.
      tieringRule('athena-results-expiry', names.athenaResultsPrefix, [], ATHENA_RESULTS_EXPIRATION_DAYS),
      {
        // Whole bucket: old versions, the delete markers expiry leaves behind, abandoned uploads.
        id: 'housekeeping',
        status: 'Enabled',
        filter: { prefix: '' },
        noncurrentVersionExpiration: { noncurrentDays: NONCURRENT_EXPIRATION_DAYS },
        expiration: { expiredObjectDeleteMarker: true },
        abortIncompleteMultipartUpload: { daysAfterInitiation: ABORT_INCOMPLETE_MULTIPART_DAYS },
      },
    ];
  }
}

/** The common part of a bucket-policy statement that refuses some object puts by anyone (its condition says which). */
function denyObjectPut(sid: string, bucketArn: string): { Sid: string; Effect: 'Deny'; Principal: '*'; Action: string; Resource: string } {
  return { Sid: sid, Effect: 'Deny', Principal: '*', Action: 's3:PutObject', Resource: `${bucketArn}/*` };
}

/**
 * A lifecycle rule for one prefix. Refuses a chain S3 would reject or bill early-deletion for:
 * every class is kept at least its minimum before the next step or the expiry.
 */
export function tieringRule(id: string, prefix: string, transitions: readonly ArchiveTransition[], expirationDays: number): BucketSpecLifecycleRules {
  let previous: { days: number; storageClass: StorageClass } = { days: 0, storageClass: 'STANDARD' };
  const steps: { days: number; storageClass?: ArchiveStorageClass }[] = [...transitions, { days: expirationDays }];
  for (const step of steps) {
    const earliest = earliestNextDay(previous.storageClass, previous.days, step.storageClass);
    if (!Number.isInteger(step.days) || step.days < earliest) {
      const what = step.storageClass === undefined ? 'expiration' : `transition to ${step.storageClass}`;
      throw new Error(`tieringRule: ${id}: ${what} must be on an integer day from ${earliest} on (${previous.storageClass} since day ${previous.days}), got ${step.days}`);
    }
    if (step.storageClass !== undefined) previous = { days: step.days, storageClass: step.storageClass };
  }
  return {
    id,
    status: 'Enabled',
    filter: { prefix },
    ...(transitions.length > 0 ? { transitions: transitions.map(({ days, storageClass }) => ({ days, storageClass })) } : {}),
    expiration: { days: expirationDays },
  };
}
