import { Chart, Testing } from 'cdk8s';
import { EncryptedTopic } from '../../charts/constructs/EncryptedTopic';
import { FanOutConsumer } from '../../charts/constructs/FanOutConsumer';
import { loadEnvironmentConfig } from '../../charts/lib/loadEnvironmentConfig';
import { PlatformChartProps } from '../../charts/lib/PlatformChart';
import { StreamChart } from '../../charts/stream';
import { fanOutStageProps, findObject, platformProps, RenderedObject, synthChart } from '../helpers/platform';

const render = (environment = 'dev'): RenderedObject[] => synthChart((app, props) => new StreamChart(app, 'stream', props), environment);
const renderWith = (props: PlatformChartProps): RenderedObject[] => Testing.synth(new StreamChart(Testing.app(), 'stream', props)) as RenderedObject[];

interface StreamForProvider {
  region: string;
  encryptionType: string;
  kmsKeyId: string;
  retentionPeriod: number;
  shardLevelMetrics: string[];
  streamModeDetails: { streamMode: string };
  shardCount?: number;
  enforceConsumerDeletion: boolean;
  tags: Record<string, string>;
}

const forProvider = (objects: readonly RenderedObject[]): StreamForProvider => (findObject(objects, 'Stream').spec as { forProvider: StreamForProvider }).forProvider;
const policyOf = (object: RenderedObject): unknown => JSON.parse((object.spec as { policy: string }).policy);

describe('StreamChart', () => {
  const objects = render();

  test('renders the stream, the dead-letter queue and both topics (their subscriptions are the recipients chart\'s)', () => {
    expect(objects).toMatchSnapshot();
    expect(objects.map((object) => `${object.kind}/${object.metadata.name}`)).toEqual([
      'Stream/kinesis-telemetry-dev',
      'Queue/sqs-stream-dlq-dev',
      'Topic/sns-alerts-dev',
      'Topic/sns-ops-dev',
    ]);
  });

  test('the stream is a Crossplane v2 managed resource in sa-east-1, KMS-encrypted with the key alias, 7 days', () => {
    const stream = findObject(objects, 'Stream', 'kinesis-telemetry-dev');
    expect(stream.apiVersion).toBe('kinesis.aws.m.upbound.io/v1beta1');
    expect(stream.metadata.annotations).toEqual({ 'argocd.argoproj.io/sync-wave': '2' });
    expect(stream.spec).toMatchObject({ providerConfigRef: { kind: 'ProviderConfig', name: 'aws-dev' }, managementPolicies: ['Observe', 'Create', 'Update', 'Delete'] });
    expect(forProvider(objects)).toEqual({
      region: 'sa-east-1',
      encryptionType: 'KMS',
      kmsKeyId: 'arn:aws:kms:sa-east-1:111122223333:alias/kms-telemetry-dev',
      retentionPeriod: 168,
      shardLevelMetrics: [
        'IncomingBytes',
        'IncomingRecords',
        'IteratorAgeMilliseconds',
        'OutgoingBytes',
        'OutgoingRecords',
        'ReadProvisionedThroughputExceeded',
        'WriteProvisionedThroughputExceeded',
      ],
      streamModeDetails: { streamMode: 'PROVISIONED' },
      shardCount: platformProps('dev').capacity.shardCount,
      enforceConsumerDeletion: true,
      tags: { project: 'plant-telemetry', environment: 'dev', owner: 'platform-team', 'cost-center': 'plant-sp-it', 'data-classification': 'internal' },
    });
  });

  test('the shard count comes from the capacity plan of each environment', () => {
    for (const environment of ['dev', 'prod']) {
      const { capacity } = platformProps(environment);
      expect(capacity.streamMode).toBe('PROVISIONED');
      expect(forProvider(render(environment)).shardCount).toBe(capacity.shardCount);
    }
    expect(forProvider(render('prod')).shardCount).toBeGreaterThan(forProvider(objects).shardCount ?? 0);
  });

  test('an on-demand stream carries no shard count', () => {
    const dev = loadEnvironmentConfig('dev');
    const stream = forProvider(renderWith(platformProps('dev', { capacity: { ...dev.capacity, onDemand: true } })));
    expect(stream.streamModeDetails).toEqual({ streamMode: 'ON_DEMAND' });
    expect(stream).not.toHaveProperty('shardCount');
  });

  test('the dead-letter queue: KMS, 14 days, TLS only, only the two function roles may send', () => {
    const queue = findObject(objects, 'Queue', 'sqs-stream-dlq-dev');
    expect(queue.metadata.annotations).toEqual({
      'services.k8s.aws/region': 'sa-east-1',
      'services.k8s.aws/deletion-policy': 'delete',
      'argocd.argoproj.io/sync-wave': '2',
    });
    expect(queue.spec).toMatchObject({
      queueName: 'sqs-stream-dlq-dev',
      kmsMasterKeyRef: { from: { name: 'kms-telemetry-dev' } },
      messageRetentionPeriod: '1209600',
      redriveAllowPolicy: '{"redrivePermission":"denyAll"}',
    });
    expect(queue.spec).not.toHaveProperty('sqsManagedSSEEnabled');
    const queueArn = 'arn:aws:sqs:sa-east-1:111122223333:sqs-stream-dlq-dev';
    expect(policyOf(queue)).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'DenyInsecureTransport', Effect: 'Deny', Principal: '*', Action: 'sqs:*', Resource: queueArn, Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
        {
          Sid: 'DenySendersOtherThanStreamFunctions',
          Effect: 'Deny',
          Principal: '*',
          Action: 'sqs:SendMessage',
          Resource: queueArn,
          Condition: { ArnNotEquals: { 'aws:PrincipalArn': ['arn:aws:iam::111122223333:role/iam-processor-dev', 'arn:aws:iam::111122223333:role/iam-storer-dev'] } },
        },
      ],
    });
  });

  test('both topics are KMS-encrypted and refuse plain-HTTP publishing', () => {
    for (const name of ['sns-alerts-dev', 'sns-ops-dev']) {
      const topic = findObject(objects, 'Topic', name);
      expect(topic.spec).toMatchObject({ name, kmsMasterKeyRef: { from: { name: 'kms-telemetry-dev' } } });
      expect((policyOf(topic) as { Statement: unknown[] }).Statement[0]).toEqual({
        Sid: 'DenyInsecureTransport',
        Effect: 'Deny',
        Principal: '*',
        Action: 'sns:Publish',
        Resource: `arn:aws:sns:sa-east-1:111122223333:${name}`,
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      });
    }
  });

  test('only the processor may publish to the alert topic, whatever IAM grants another principal', () => {
    expect((policyOf(findObject(objects, 'Topic', 'sns-alerts-dev')) as { Statement: unknown[] }).Statement).toEqual([
      expect.objectContaining({ Sid: 'DenyInsecureTransport' }),
      {
        Sid: 'DenyPublishersOtherThanProcessor',
        Effect: 'Deny',
        Principal: '*',
        Action: 'sns:Publish',
        Resource: 'arn:aws:sns:sa-east-1:111122223333:sns-alerts-dev',
        Condition: { ArnNotEquals: { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:role/iam-processor-dev' } },
      },
    ]);
  });

  test('the platform\'s CloudWatch alarms (cw-*-<suffix>) may publish to the ops topic, not any alarm of the account', () => {
    expect((policyOf(findObject(objects, 'Topic', 'sns-ops-dev')) as { Statement: unknown[] }).Statement[1]).toEqual({
      Sid: 'CloudWatchAlarmsPublish',
      Effect: 'Allow',
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Action: 'sns:Publish',
      Resource: 'arn:aws:sns:sa-east-1:111122223333:sns-ops-dev',
      Condition: {
        StringEquals: { 'aws:SourceAccount': '111122223333' },
        ArnLike: { 'aws:SourceArn': 'arn:aws:cloudwatch:sa-east-1:111122223333:alarm:cw-*-dev' },
      },
    });
  });
});

describe("the processor's enhanced fan-out consumer", () => {
  test('dev polls with shared throughput and registers none; prod registers one on its stream, after the stream', () => {
    expect(render().filter((object) => object.kind === 'StreamConsumer')).toEqual([]);
    const prod = render('prod');
    expect(findObject(prod, 'StreamConsumer', 'kinesis-processor-prod')).toMatchObject({
      apiVersion: 'kinesis.aws.m.upbound.io/v1beta1',
      metadata: { namespace: 'telemetry-prod', annotations: { 'argocd.argoproj.io/sync-wave': '3' } },
      spec: {
        providerConfigRef: { kind: 'ProviderConfig', name: 'aws-prod' },
        managementPolicies: ['Observe', 'Create', 'Update', 'Delete'],
        forProvider: {
          region: 'sa-east-1',
          name: 'kinesis-processor-prod',
          streamArnRef: { name: 'kinesis-telemetry-prod' },
          tags: { project: 'plant-telemetry', environment: 'prod', owner: 'platform-team', 'cost-center': 'plant-sp-ops', 'data-classification': 'confidential' },
        },
      },
    });
    // Deleting the stream deregisters its consumers: nothing is left behind.
    expect(forProvider(prod).enforceConsumerDeletion).toBe(true);
  });

  test('recording its ARN changes nothing here: the consumer stays as it is', () => {
    const consumer = (props: PlatformChartProps): RenderedObject => findObject(renderWith(props), 'StreamConsumer', 'kinesis-processor-prod');
    expect(consumer(fanOutStageProps('prod', 1796126400))).toEqual(consumer(platformProps('prod')));
  });

  test('FanOutConsumer refuses a bad name and any stream but the platform\'s', () => {
    const props = platformProps();
    const consumer = (overrides: { consumerName?: string; streamObjectName?: string }) =>
      new FanOutConsumer(new Chart(Testing.app(), 'test'), 'c', { config: props.config, names: props.names, consumerName: 'c', streamObjectName: 'kinesis-telemetry-dev', ...overrides });
    expect(() => consumer({ consumerName: 'a b' })).toThrow(new Error('FanOutConsumer: props.consumerName must match [A-Za-z0-9_.-]{1,128}, got "a b"'));
    expect(() => consumer({ streamObjectName: 'other' })).toThrow(new Error('FanOutConsumer: props.streamObjectName must be the platform\'s stream "kinesis-telemetry-dev", got "other"'));
  });
});

describe('EncryptedTopic validation', () => {
  const props = platformProps();
  const scope = (): Chart => new Chart(Testing.app(), 'test');

  test('refuses a bad topic name and display name', () => {
    expect(() => new EncryptedTopic(scope(), 't', { config: props.config, names: props.names, topicName: 'a.b', displayName: 'x' })).toThrow(
      new Error('EncryptedTopic: props.topicName must match [A-Za-z0-9_-]{1,256}, got "a.b"'),
    );
    expect(() => new EncryptedTopic(scope(), 't', { config: props.config, names: props.names, topicName: 'ab', displayName: '' })).toThrow(
      new Error('EncryptedTopic: props.displayName must have 1 to 100 characters, got ""'),
    );
  });
});
