import { Chart, Testing } from 'cdk8s';
import { TABLE_KEYS } from '../../functions/shared/constants';
import { EncryptedTable, EncryptedTableProps } from '../../charts/constructs/EncryptedTable';
import { loadEnvironmentConfig } from '../../charts/lib/loadEnvironmentConfig';
import { ArchiveChart } from '../../charts/archive';
import { IngestionChart } from '../../charts/ingestion';
import { FUNCTION_QUARANTINE_EXPIRATION_DAYS, StorageChart, tieringRule } from '../../charts/storage';
import { quarantineKey } from '../../functions/shared/quarantineKey';
import { findObject, platformProps, RenderedObject, synthChart } from '../helpers/platform';
import { kinesisOrigin } from '../helpers/records';

const render = (environment = 'dev'): RenderedObject[] => synthChart((app, props) => new StorageChart(app, 'storage', props), environment);

const TABLES = ['dynamodb-readings-dev', 'dynamodb-asset-status-dev', 'dynamodb-detector-state-dev'];
const BUCKET = 's3-archive-111122223333-dev';
const BUCKET_ARN = `arn:aws:s3:::${BUCKET}`;

interface BucketSpec {
  encryption: unknown;
  versioning: unknown;
  publicAccessBlock: unknown;
  ownershipControls: unknown;
  policy: string;
  lifecycle: { rules: { id: string }[] };
  createBucketConfiguration: unknown;
}

const bucketSpec = (objects: readonly RenderedObject[]): BucketSpec => findObject(objects, 'Bucket').spec as unknown as BucketSpec;

interface ExpiringRule {
  id: string;
  filter: { prefix: string };
  expiration: { days: number };
}
/** The lifecycle rules that expire current objects (housekeeping only removes old versions and delete markers). */
const expiringRules = (objects: readonly RenderedObject[]): ExpiringRule[] =>
  (bucketSpec(objects).lifecycle.rules as unknown as { expiration?: { days?: number } }[]).filter((rule): rule is ExpiringRule => rule.expiration?.days !== undefined);

describe('StorageChart', () => {
  const objects = render();

  test('renders the archive bucket and the three hot-tier tables', () => {
    expect(objects).toMatchSnapshot();
    expect(objects.map((object) => `${object.kind}/${object.metadata.name}`)).toEqual([`Bucket/${BUCKET}`, ...TABLES.map((table) => `Table/${table}`)]);
  });

  test('every object is an ACK object pinned to sa-east-1, deleted with its object, in the data-stores wave', () => {
    for (const object of objects) {
      expect(object.metadata.namespace).toBe('telemetry-dev');
      expect(object.metadata.annotations).toEqual({
        'services.k8s.aws/region': 'sa-east-1',
        'services.k8s.aws/deletion-policy': 'delete',
        'argocd.argoproj.io/sync-wave': '2',
      });
    }
  });

  test.each(TABLES)('%s: on-demand, KMS with the environment key, PITR, TTL, no deletion protection, tagged', (name) => {
    const table = findObject(objects, 'Table', name);
    expect(table.spec).toMatchObject({
      tableName: name,
      billingMode: 'PAY_PER_REQUEST',
      tableClass: 'STANDARD',
      sseSpecification: { enabled: true, sseType: 'KMS', kmsMasterKeyRef: { from: { name: 'kms-telemetry-dev' } } },
      continuousBackups: { pointInTimeRecoveryEnabled: true },
      timeToLive: { attributeName: TABLE_KEYS.ttlAttribute, enabled: true },
      deletionProtectionEnabled: false,
    });
    expect((table.spec as { tags: { key: string }[] }).tags.map((tag) => tag.key)).toEqual(['project', 'environment', 'owner', 'cost-center', 'data-classification']);
  });

  test.each(TABLES)('%s: its resource policy refuses plain HTTP to every principal, on the table and each of its indexes', (name) => {
    const table = findObject(objects, 'Table', name);
    const spec = table.spec as { resourcePolicy: string; globalSecondaryIndexes?: { indexName: string }[] };
    const tableArn = `arn:aws:dynamodb:sa-east-1:111122223333:table/${name}`;
    const indexArns = (spec.globalSecondaryIndexes ?? []).map((index) => `${tableArn}/index/${index.indexName}`);
    expect(JSON.parse(spec.resourcePolicy)).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'DenyInsecureTransport',
          Effect: 'Deny',
          Principal: '*',
          Action: 'dynamodb:*',
          Resource: [tableArn, ...indexArns],
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
      ],
    });
    // DynamoDB's limit on a resource-based policy, whitespace included (Resource-based policy considerations).
    expect(Buffer.byteLength(spec.resourcePolicy)).toBeLessThan(20 * 1024);
  });

  test('the asset-status policy names its line index: DynamoDB authorizes index reads on the index ARN', () => {
    const spec = findObject(objects, 'Table', 'dynamodb-asset-status-dev').spec as { resourcePolicy: string };
    const [statement] = (JSON.parse(spec.resourcePolicy) as { Statement: { Resource: string[] }[] }).Statement;
    expect(statement?.Resource).toEqual([
      'arn:aws:dynamodb:sa-east-1:111122223333:table/dynamodb-asset-status-dev',
      `arn:aws:dynamodb:sa-east-1:111122223333:table/dynamodb-asset-status-dev/index/${TABLE_KEYS.assetStatus.lineIndex}`,
    ]);
  });

  test('key schemas follow TABLE_KEYS', () => {
    expect(findObject(objects, 'Table', 'dynamodb-readings-dev').spec).toMatchObject({
      attributeDefinitions: [
        { attributeName: 'minute', attributeType: 'N' },
        { attributeName: 'sensorId', attributeType: 'S' },
      ],
      keySchema: [
        { attributeName: TABLE_KEYS.readings.partitionKey, keyType: 'HASH' },
        { attributeName: TABLE_KEYS.readings.sortKey, keyType: 'RANGE' },
      ],
    });
    const assetStatus = findObject(objects, 'Table', 'dynamodb-asset-status-dev').spec;
    expect(assetStatus).toMatchObject({
      attributeDefinitions: [
        { attributeName: 'assetId', attributeType: 'S' },
        { attributeName: 'lineKey', attributeType: 'S' },
      ],
      keySchema: [{ attributeName: 'assetId', keyType: 'HASH' }],
      globalSecondaryIndexes: [
        {
          indexName: TABLE_KEYS.assetStatus.lineIndex,
          keySchema: [
            { attributeName: TABLE_KEYS.assetStatus.linePartitionKey, keyType: 'HASH' },
            { attributeName: 'assetId', keyType: 'RANGE' },
          ],
          projection: { projectionType: 'ALL' },
        },
      ],
    });
    const detectorState = findObject(objects, 'Table', 'dynamodb-detector-state-dev').spec;
    expect(detectorState).toMatchObject({ attributeDefinitions: [{ attributeName: 'assetId', attributeType: 'S' }], keySchema: [{ attributeName: 'assetId', keyType: 'HASH' }] });
    expect(detectorState).not.toHaveProperty('globalSecondaryIndexes');
  });

  test('the bucket: SSE-KMS with the key alias and a bucket key, versioned, private, ACLs disabled, in sa-east-1', () => {
    const spec = bucketSpec(objects);
    expect(spec.encryption).toEqual({
      rules: [
        {
          applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyID: 'arn:aws:kms:sa-east-1:111122223333:alias/kms-telemetry-dev' },
          bucketKeyEnabled: true,
        },
      ],
    });
    expect(spec.versioning).toEqual({ status: 'Enabled' });
    expect(spec.publicAccessBlock).toEqual({ blockPublicACLs: true, ignorePublicACLs: true, blockPublicPolicy: true, restrictPublicBuckets: true });
    expect(spec.ownershipControls).toEqual({ rules: [{ objectOwnership: 'BucketOwnerEnforced' }] });
    expect(spec.createBucketConfiguration).toEqual({ locationConstraint: 'sa-east-1' });
  });

  test('the bucket policy refuses plain HTTP on bucket and objects, and a put that asks for any encryption but KMS with the platform key (SSE-S3, aws:kms without a key id, another key, SSE-C)', () => {
    expect(JSON.parse(bucketSpec(objects).policy)).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'DenyInsecureTransport',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Resource: [BUCKET_ARN, `${BUCKET_ARN}/*`],
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
        {
          Sid: 'DenyNonKmsObjectEncryption',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:PutObject',
          Resource: `${BUCKET_ARN}/*`,
          // Header present and not aws:kms: a header-less put (the functions, the IoT rule's error action)
          // gets the bucket's default SSE-KMS and is not denied.
          Condition: {
            Null: { 's3:x-amz-server-side-encryption': 'false' },
            StringNotEquals: { 's3:x-amz-server-side-encryption': 'aws:kms' },
          },
        },
        {
          Sid: 'DenyOtherKmsKeys',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:PutObject',
          Resource: `${BUCKET_ARN}/*`,
          Condition: {
            Null: { 's3:x-amz-server-side-encryption-aws-kms-key-id': 'false' },
            StringNotEquals: { 's3:x-amz-server-side-encryption-aws-kms-key-id': 'arn:aws:kms:sa-east-1:111122223333:alias/kms-telemetry-dev' },
          },
        },
        {
          // aws:kms without a key id would get the AWS-managed key aws/s3; both denies above let it through.
          Sid: 'DenyKmsWithoutPlatformKeyId',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:PutObject',
          Resource: `${BUCKET_ARN}/*`,
          Condition: {
            StringEquals: { 's3:x-amz-server-side-encryption': 'aws:kms' },
            Null: { 's3:x-amz-server-side-encryption-aws-kms-key-id': 'true' },
          },
        },
        {
          Sid: 'DenyCustomerProvidedKeys',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:PutObject',
          Resource: `${BUCKET_ARN}/*`,
          Condition: { Null: { 's3:x-amz-server-side-encryption-customer-algorithm': 'false' } },
        },
      ],
    });
  });

  test('lifecycle: raw/, quarantine/iot/ and quarantine/firehose/ tier to Deep Archive and expire after archiveYears; the functions\' quarantine stays in STANDARD and expires after a year; Athena results after a week; housekeeping bucket-wide', () => {
    const archive = {
      status: 'Enabled',
      transitions: [
        { days: 30, storageClass: 'STANDARD_IA' },
        { days: 90, storageClass: 'GLACIER_IR' },
        { days: 180, storageClass: 'DEEP_ARCHIVE' },
      ],
      expiration: { days: 2557 }, // 7 years of 365.25 days, rounded up
    };
    expect(bucketSpec(objects).lifecycle.rules).toEqual([
      { id: 'raw-tiering', filter: { prefix: 'raw/' }, ...archive },
      // The only copy of what the IoT rules could not put into the stream, and of what Firehose failed to process.
      { id: 'quarantine-iot-tiering', filter: { prefix: 'quarantine/iot/' }, ...archive },
      { id: 'quarantine-firehose-tiering', filter: { prefix: 'quarantine/firehose/' }, ...archive },
      // No transitions: quarantined objects are single records under 128 KB, which S3 does not transition.
      { id: 'quarantine-processor-expiry', status: 'Enabled', filter: { prefix: 'quarantine/processor/' }, expiration: { days: 365 } },
      { id: 'quarantine-storer-expiry', status: 'Enabled', filter: { prefix: 'quarantine/storer/' }, expiration: { days: 365 } },
      {
        // The workgroup's query results: a cache of what someone already saw.
        id: 'athena-results-expiry',
        status: 'Enabled',
        filter: { prefix: 'athena-results/' },
        expiration: { days: 7 },
      },
      {
        id: 'housekeeping',
        status: 'Enabled',
        filter: { prefix: '' },
        noncurrentVersionExpiration: { noncurrentDays: 30 },
        expiration: { expiredObjectDeleteMarker: true },
        abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
      },
    ]);
  });

  test('no expiring rule\'s prefix lies inside another\'s: where rules overlap, S3 applies the earliest expiration', () => {
    const prefixes = expiringRules(objects).map((rule) => rule.filter.prefix);
    for (const prefix of prefixes) expect([prefix, prefixes.filter((other) => other.startsWith(prefix))]).toEqual([prefix, [prefix]]);
  });

  test('every key a writer puts in the bucket falls under exactly one expiring rule; what exists nowhere else is kept as long as raw/', () => {
    const rules = expiringRules(objects);
    const ruleOf = (key: string): ExpiringRule[] => rules.filter((rule) => key.startsWith(rule.filter.prefix));
    const raw = rules.find((rule) => rule.id === 'raw-tiering');
    const firehose = (findObject(synthChart((app, props) => new ArchiveChart(app, 'archive', props)), 'DeliveryStream').spec as { forProvider: { extendedS3Configuration: { prefix: string; errorOutputPrefix: string } } })
      .forProvider.extendedS3Configuration;
    const errorActionKeys = synthChart((app, props) => new IngestionChart(app, 'ingestion', props))
      .filter((object) => object.kind === 'TopicRule')
      .map((rule) => (rule.spec as { forProvider: { errorAction: { s3: { key: string } } } }).forProvider.errorAction.s3.key);
    // Each writer's key up to its first expression: the part a lifecycle prefix can match.
    const literal = (key: string): string => key.split(/[$!]\{/)[0] ?? '';
    const onlyCopies = [...errorActionKeys.map(literal), literal(firehose.errorOutputPrefix)];
    expect(onlyCopies).toEqual(['quarantine/iot/', 'quarantine/iot/presence/', 'quarantine/firehose/']);
    for (const key of [literal(firehose.prefix), ...onlyCopies]) expect([key, ruleOf(key).map((rule) => rule.expiration)]).toEqual([key, [raw?.expiration]]);
    for (const fn of ['processor', 'storer'] as const) {
      const key = quarantineKey(fn, { origin: kinesisOrigin() });
      expect([key, ruleOf(key).map((rule) => rule.expiration)]).toEqual([key, [{ days: FUNCTION_QUARANTINE_EXPIRATION_DAYS }]]);
    }
  });

  test('the raw expiry follows config.retention.archiveYears (prod keeps 10 years)', () => {
    const prod = render('prod');
    expect(findObject(prod, 'Bucket').metadata.name).toBe('s3-archive-444455556666-prod');
    const rules = bucketSpec(prod).lifecycle.rules as { id: string; expiration: { days: number } }[];
    expect(rules.find((rule) => rule.id === 'raw-tiering')?.expiration).toEqual({ days: 3653 });
  });

  test('the raw tiers follow config.retention.archiveTiers', () => {
    const dev = loadEnvironmentConfig('dev');
    const props = platformProps('dev', { retention: { ...dev.retention, archiveTiers: { standardIaDays: 45, glacierInstantRetrievalDays: 120, deepArchiveDays: 365 } } });
    const rules = bucketSpec(Testing.synth(new StorageChart(Testing.app(), 'storage', props)) as RenderedObject[]).lifecycle.rules as { id: string; transitions?: unknown }[];
    expect(rules.find((rule) => rule.id === 'raw-tiering')?.transitions).toEqual([
      { days: 45, storageClass: 'STANDARD_IA' },
      { days: 120, storageClass: 'GLACIER_IR' },
      { days: 365, storageClass: 'DEEP_ARCHIVE' },
    ]);
  });
});

describe('tieringRule', () => {
  test('refuses a class left before its minimum storage duration', () => {
    expect(() => tieringRule('r', 'p/', [{ days: 30, storageClass: 'STANDARD_IA' }, { days: 45, storageClass: 'GLACIER_IR' }], 400)).toThrow(
      new Error('tieringRule: r: transition to GLACIER_IR must be on an integer day from 60 on (STANDARD_IA since day 30), got 45'),
    );
  });

  test('refuses STANDARD_IA before day 30', () => {
    expect(() => tieringRule('r', 'p/', [{ days: 7, storageClass: 'STANDARD_IA' }], 400)).toThrow(
      new Error('tieringRule: r: transition to STANDARD_IA must be on an integer day from 30 on (STANDARD since day 0), got 7'),
    );
  });

  test('refuses an expiry before the last class minimum', () => {
    expect(() => tieringRule('r', 'p/', [{ days: 90, storageClass: 'GLACIER_IR' }], 100)).toThrow(
      new Error('tieringRule: r: expiration must be on an integer day from 180 on (GLACIER_IR since day 90), got 100'),
    );
  });

  test('accepts a plain expiry', () => {
    expect(tieringRule('r', 'p/', [], 1)).toEqual({ id: 'r', status: 'Enabled', filter: { prefix: 'p/' }, expiration: { days: 1 } });
  });
});

describe('EncryptedTable', () => {
  const build = (overrides: Partial<EncryptedTableProps>): (() => EncryptedTable) => {
    const props = platformProps();
    return () =>
      new EncryptedTable(new Chart(Testing.app(), 'test'), 'table', {
        config: props.config,
        names: props.names,
        tableName: 'dynamodb-test-dev',
        partitionKey: { name: 'id', type: 'S' },
        ...overrides,
      });
  };

  test('defaults: TTL on expiresAt, the environment key, the data-stores wave', () => {
    const table = build({})();
    const rendered = Testing.synth(table.node.scope as Chart)[0] as RenderedObject;
    expect(rendered.spec).toMatchObject({ timeToLive: { attributeName: 'expiresAt', enabled: true }, sseSpecification: { kmsMasterKeyRef: { from: { name: 'kms-telemetry-dev' } } } });
    expect(rendered.metadata.annotations?.['argocd.argoproj.io/sync-wave']).toBe('2');
  });

  test('every table refuses plain HTTP on itself and on each of its indexes', () => {
    const table = build({
      globalSecondaryIndexes: [
        { indexName: 'byOther', partitionKey: { name: 'other', type: 'S' } },
        { indexName: 'byThird', partitionKey: { name: 'third', type: 'S' } },
      ],
    })();
    const rendered = Testing.synth(table.node.scope as Chart)[0] as RenderedObject;
    const arn = 'arn:aws:dynamodb:sa-east-1:111122223333:table/dynamodb-test-dev';
    const [statement] = (JSON.parse((rendered.spec as { resourcePolicy: string }).resourcePolicy) as { Statement: unknown[] }).Statement;
    expect(statement).toEqual({
      Sid: 'DenyInsecureTransport',
      Effect: 'Deny',
      Principal: '*',
      Action: 'dynamodb:*',
      Resource: [arn, `${arn}/index/byOther`, `${arn}/index/byThird`],
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    });
  });

  test.each<[string, Partial<EncryptedTableProps>, string]>([
    ['a bad table name', { tableName: 'a b' }, 'EncryptedTable: props.tableName must match [A-Za-z0-9_.-]{3,255}, got "a b"'],
    ['a bad TTL attribute', { ttlAttribute: 'a b' }, 'EncryptedTable: props.ttlAttribute must match [A-Za-z0-9_.-]{1,255}, got "a b"'],
    ['a bad key name', { sortKey: { name: 'x y', type: 'N' } }, 'EncryptedTable: props.sortKey.name must match [A-Za-z0-9_.-]{1,255}, got "x y"'],
    ['the same key twice', { sortKey: { name: 'id', type: 'S' } }, 'EncryptedTable: props.sortKey must differ from props.partitionKey, got "id" for both'],
    [
      'a key with two types',
      { globalSecondaryIndexes: [{ indexName: 'byId', partitionKey: { name: 'id', type: 'N' } }] },
      'EncryptedTable: props.globalSecondaryIndexes[0].partitionKey declares "id" as N, but it is already a key of type S',
    ],
    ['TTL on a key', { ttlAttribute: 'id' }, 'EncryptedTable: props.ttlAttribute must not be a key attribute, got "id"'],
    [
      'a bad index name',
      { globalSecondaryIndexes: [{ indexName: 'x', partitionKey: { name: 'other', type: 'S' } }] },
      'EncryptedTable: props.globalSecondaryIndexes[0].indexName must match [A-Za-z0-9_.-]{3,255}, got "x"',
    ],
    [
      'a duplicate index',
      {
        globalSecondaryIndexes: [
          { indexName: 'byOther', partitionKey: { name: 'other', type: 'S' } },
          { indexName: 'byOther', partitionKey: { name: 'third', type: 'S' } },
        ],
      },
      'EncryptedTable: props.globalSecondaryIndexes[1].indexName must be unique, got "byOther" twice',
    ],
  ])('refuses %s', (_case, overrides, message) => {
    expect(build(overrides)).toThrow(new Error(message));
  });
});
