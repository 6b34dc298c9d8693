import { ArchiveChart } from '../../charts/archive';
import { loadEnvironmentConfig } from '../../charts/lib/loadEnvironmentConfig';
import { crossplaneSpec } from '../../charts/lib/crossplaneSpec';
import { PlatformNames } from '../../charts/lib/names';
import { findObject, PolicyStatement, RenderedObject, synthChart } from '../helpers/platform';

const render = (environment = 'dev'): RenderedObject[] => synthChart((app, props) => new ArchiveChart(app, 'archive', props), environment);

interface DeliveryForProvider {
  region: string;
  name: string;
  destination: string;
  kinesisSourceConfiguration: { kinesisStreamArn: string; roleArn: string };
  extendedS3Configuration: Record<string, unknown>;
  serverSideEncryption?: unknown;
  tags: Record<string, string>;
}

const forProvider = (objects: readonly RenderedObject[]): DeliveryForProvider =>
  (findObject(objects, 'DeliveryStream').spec as { forProvider: DeliveryForProvider }).forProvider;
const roleSpec = (objects: readonly RenderedObject[]): { inlinePolicies: Record<string, string>; assumeRolePolicyDocument: string } =>
  findObject(objects, 'Role', 'iam-firehose-dev').spec as { inlinePolicies: Record<string, string>; assumeRolePolicyDocument: string };

describe('ArchiveChart', () => {
  const objects = render();

  test('renders the Firehose role (ACK, wave 1) and the delivery stream (Crossplane, wave 3)', () => {
    expect(objects).toMatchSnapshot();
    expect(objects.map((object) => `${object.kind}/${object.metadata.name}`)).toEqual(['Role/iam-firehose-dev', 'DeliveryStream/firehose-archive-dev']);
    expect(findObject(objects, 'Role').metadata.annotations).toEqual({
      'services.k8s.aws/region': 'sa-east-1',
      'services.k8s.aws/deletion-policy': 'delete',
      'argocd.argoproj.io/sync-wave': '1',
    });
    const stream = findObject(objects, 'DeliveryStream');
    expect(stream.apiVersion).toBe('firehose.aws.m.upbound.io/v1beta1');
    expect(stream.metadata.annotations).toEqual({ 'argocd.argoproj.io/sync-wave': '3' });
    expect(stream.spec).toMatchObject({ ...crossplaneSpec(new PlatformNames(loadEnvironmentConfig('dev'))), providerConfigRef: { kind: 'ProviderConfig', name: 'aws-dev' } });
    expect((stream.spec as { managementPolicies: string[] }).managementPolicies).toContain('Delete');
  });

  test('reads the stream and delivers to the archive bucket in sa-east-1', () => {
    const spec = forProvider(objects);
    expect(spec).toMatchObject({
      region: 'sa-east-1',
      name: 'firehose-archive-dev',
      destination: 'extended_s3',
      kinesisSourceConfiguration: {
        kinesisStreamArn: 'arn:aws:kinesis:sa-east-1:111122223333:stream/kinesis-telemetry-dev',
        roleArn: 'arn:aws:iam::111122223333:role/iam-firehose-dev',
      },
    });
    expect(spec.serverSideEncryption).toBeUndefined();
  });

  test('GZIP JSON Lines under hourly raw/ partitions, processing failures under quarantine/firehose/ by error type, KMS by alias', () => {
    expect(forProvider(objects).extendedS3Configuration).toEqual({
      bucketArn: 'arn:aws:s3:::s3-archive-111122223333-dev',
      roleArn: 'arn:aws:iam::111122223333:role/iam-firehose-dev',
      prefix: 'raw/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/',
      errorOutputPrefix: 'quarantine/firehose/!{firehose:error-output-type}/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/',
      customTimeZone: 'UTC',
      compressionFormat: 'GZIP',
      bufferingSize: 64,
      bufferingInterval: 300,
      kmsKeyArn: 'arn:aws:kms:sa-east-1:111122223333:alias/kms-telemetry-dev',
      processingConfiguration: { enabled: true, processors: [{ type: 'AppendDelimiterToRecord' }] },
      cloudwatchLoggingOptions: { enabled: false },
    });
  });

  test('role: read the stream, write only raw/ and quarantine/firehose/, the key only through Kinesis and S3', () => {
    const policies = roleSpec(objects).inlinePolicies;
    expect(Object.keys(policies)).toEqual(['firehose']);
    const key = { 'kms:ResourceAliases': 'alias/kms-telemetry-dev' };
    expect((JSON.parse(policies.firehose) as { Statement: PolicyStatement[] }).Statement).toEqual([
      {
        Sid: 'ReadStream',
        Effect: 'Allow',
        Action: ['kinesis:DescribeStream', 'kinesis:GetRecords', 'kinesis:GetShardIterator', 'kinesis:ListShards'],
        Resource: ['arn:aws:kinesis:sa-east-1:111122223333:stream/kinesis-telemetry-dev'],
      },
      {
        Sid: 'LocateBucket',
        Effect: 'Allow',
        Action: ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'],
        Resource: ['arn:aws:s3:::s3-archive-111122223333-dev'],
      },
      {
        Sid: 'WriteArchiveObjects',
        Effect: 'Allow',
        Action: ['s3:AbortMultipartUpload', 's3:GetObject', 's3:PutObject'],
        Resource: ['arn:aws:s3:::s3-archive-111122223333-dev/raw/*', 'arn:aws:s3:::s3-archive-111122223333-dev/quarantine/firehose/*'],
      },
      {
        Sid: 'DecryptStream',
        Effect: 'Allow',
        Action: ['kms:Decrypt'],
        Resource: ['arn:aws:kms:sa-east-1:111122223333:key/*'],
        Condition: { 'ForAnyValue:StringEquals': key, StringEquals: { 'kms:ViaService': 'kinesis.sa-east-1.amazonaws.com' } },
      },
      {
        Sid: 'EncryptArchiveObjects',
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: ['arn:aws:kms:sa-east-1:111122223333:key/*'],
        Condition: { 'ForAnyValue:StringEquals': key, StringEquals: { 'kms:ViaService': 's3.sa-east-1.amazonaws.com' } },
      },
    ]);
  });

  test('role trust: Firehose on behalf of this account only (its documented external id)', () => {
    expect(JSON.parse(roleSpec(objects).assumeRolePolicyDocument)).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 'firehose.amazonaws.com' },
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'sts:ExternalId': '111122223333' } },
        },
      ],
    });
  });

  test('tags on the delivery stream and the role; prod names its own account', () => {
    expect(forProvider(objects).tags).toEqual({
      project: 'plant-telemetry',
      environment: 'dev',
      owner: 'platform-team',
      'cost-center': 'plant-sp-it',
      'data-classification': 'internal',
    });
    const prod = render('prod');
    expect(forProvider(prod).extendedS3Configuration.bucketArn).toBe('arn:aws:s3:::s3-archive-444455556666-prod');
    expect(JSON.stringify(prod)).not.toContain('111122223333');
  });
});
