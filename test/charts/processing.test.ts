import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { Chart, Testing } from 'cdk8s';
import { BundledFunction, BundledFunctionProps } from '../../charts/constructs/BundledFunction';
import { KinesisEventSourceMapping, KinesisEventSourceMappingProps } from '../../charts/constructs/KinesisEventSourceMapping';
import { LeastPrivilegeRole, LeastPrivilegeRoleProps } from '../../charts/constructs/LeastPrivilegeRole';
import { planCapacity } from '../../charts/lib/capacity';
import { ConfigError } from '../../charts/lib/config';
import { functionEnvironment } from '../../charts/lib/functionEnvironment';
import { loadEnvironmentConfig } from '../../charts/lib/loadEnvironmentConfig';
import { PlatformNames } from '../../charts/lib/names';
import { PlatformChartProps } from '../../charts/lib/PlatformChart';
import { ProcessingChart, REDRIVE_MARGIN_SECONDS } from '../../charts/processing';
import { StreamChart } from '../../charts/stream';
import { readProcessorConfig } from '../../functions/processor/config';
import { resolveDetectorSettings } from '../../functions/shared/detector';
import { Environment } from '../../functions/shared/Environment';
import { fanOutStageProps, findObject, inlineStatements, platformProps, RenderedObject, synthChart } from '../helpers/platform';

const render = (environment = 'dev'): RenderedObject[] => synthChart((app, props) => new ProcessingChart(app, 'processing', props), environment);

interface Statement {
  Sid: string;
  Effect: string;
  Action: string[];
  Resource: string[];
  Condition?: Record<string, Record<string, unknown>>;
}

/** The one inline policy of a rendered Role, parsed. */
const statementsOf = (role: RenderedObject): Statement[] => inlineStatements<Statement>(role);

/** Sid -> [actions, resources], the shape the least-privilege review reads. */
const accessTable = (role: RenderedObject): Record<string, [string[], string[]]> =>
  Object.fromEntries(statementsOf(role).map((s) => [s.Sid, [s.Action, s.Resource]]));

interface FunctionSpec {
  name: string;
  runtime: string;
  architectures: string[];
  handler: string;
  packageType: string;
  memorySize: number;
  timeout: number;
  code: { zipFile: string; sha256: string };
  environment: { variables: Record<string, string> };
  roleRef: unknown;
  kmsKeyRef: unknown;
  vpcConfig: unknown;
  loggingConfig: unknown;
  tracingConfig: unknown;
  reservedConcurrentExecutions?: number;
  tags: Record<string, string>;
}
const functionSpec = (objects: readonly RenderedObject[], name: string): FunctionSpec => findObject(objects, 'Function', name).spec as unknown as FunctionSpec;

/** Masks the inline code so the snapshot shows the chart's structure, not every change of the functions. */
function withoutCode(objects: readonly RenderedObject[]): unknown[] {
  return objects.map((object) =>
    object.kind === 'Function'
      ? { ...object, spec: { ...object.spec, code: { zipFile: '<bundle of the function>', sha256: '<sha256 of that bundle>' } } }
      : object,
  );
}

/** The only entry of a one-entry zip, inflated (local header at offset 0). */
function onlyEntry(zip: Buffer): { name: string; data: Buffer } {
  expect(zip.readUInt32LE(0)).toBe(0x04034b50);
  const compressedSize = zip.readUInt32LE(18);
  const nameLength = zip.readUInt16LE(26);
  const start = 30 + nameLength + zip.readUInt16LE(28);
  return { name: zip.subarray(30, 30 + nameLength).toString(), data: inflateRawSync(zip.subarray(start, start + compressedSize)) };
}

const DEV_KEY_CONDITION = { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/kms-telemetry-dev' } };
/** The key through exactly the services a principal uses it through. */
const keyCondition = (...services: string[]): Record<string, Record<string, unknown>> => ({
  ...DEV_KEY_CONDITION,
  StringEquals: { 'kms:ViaService': services.map((service) => `${service}.sa-east-1.amazonaws.com`) },
});

/** What both functions share, with the function's own log group. */
function sharedAccess(fn: string): Record<string, [string[], string[]]> {
  return {
    ReadStream: [
      ['kinesis:DescribeStream', 'kinesis:DescribeStreamSummary', 'kinesis:GetRecords', 'kinesis:GetShardIterator', 'kinesis:ListShards'],
      ['arn:aws:kinesis:sa-east-1:111122223333:stream/kinesis-telemetry-dev'],
    ],
    SendFailedBatchesToDeadLetterQueue: [['sqs:SendMessage'], ['arn:aws:sqs:sa-east-1:111122223333:sqs-stream-dlq-dev']],
    PlatformKeyDecrypt: [['kms:Decrypt'], ['arn:aws:kms:sa-east-1:111122223333:key/*']],
    PlatformKeyDescribeKey: [['kms:DescribeKey'], ['arn:aws:kms:sa-east-1:111122223333:key/*']],
    PlatformKeyGenerateDataKey: [['kms:GenerateDataKey'], ['arn:aws:kms:sa-east-1:111122223333:key/*']],
    WriteOwnLogs: [['logs:CreateLogStream', 'logs:PutLogEvents'], [`arn:aws:logs:sa-east-1:111122223333:log-group:/aws/lambda/lambda-${fn}-dev:*`]],
    DescribeNetworkInterfaces: [['ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets'], ['*']],
    CreateNetworkInterfaces: [['ec2:CreateNetworkInterface'], ['arn:aws:ec2:sa-east-1:111122223333:network-interface/*']],
    CreateNetworkInterfacesInPlatformSubnets: [
      ['ec2:CreateNetworkInterface'],
      ['arn:aws:ec2:sa-east-1:111122223333:subnet/*', 'arn:aws:ec2:sa-east-1:111122223333:security-group/*'],
    ],
    ManageNetworkInterfaces: [
      ['ec2:AssignPrivateIpAddresses', 'ec2:DeleteNetworkInterface', 'ec2:UnassignPrivateIpAddresses'],
      ['arn:aws:ec2:sa-east-1:111122223333:network-interface/*'],
    ],
  };
}

describe('ProcessingChart', () => {
  const objects = render();

  test('renders a role, a log group, a function and a mapping per function', () => {
    expect(withoutCode(objects)).toMatchSnapshot();
    expect(objects.map((object) => `${object.kind}/${object.metadata.name}`)).toEqual([
      'Role/iam-processor-dev',
      'LogGroup/logs-processor-dev',
      'Function/lambda-processor-dev',
      'EventSourceMapping/esm-processor-dev',
      'Role/iam-storer-dev',
      'LogGroup/logs-storer-dev',
      'Function/lambda-storer-dev',
      'EventSourceMapping/esm-storer-dev',
      'Policy/iam-redrive-dev',
    ]);
  });

  test('every object is an ACK object pinned to sa-east-1, deleted with its object, in its wave', () => {
    const waves: Record<string, string> = { Role: '1', Policy: '1', LogGroup: '1', Function: '3', EventSourceMapping: '4' };
    for (const object of objects) {
      expect(object.metadata.namespace).toBe('telemetry-dev');
      const { 'telemetry.plant/bundle-inputs-sha256': inputs, 'telemetry.plant/bundle-sources': sources, ...annotations } = object.metadata.annotations ?? {};
      expect(annotations).toEqual({
        'services.k8s.aws/region': 'sa-east-1',
        'services.k8s.aws/deletion-policy': 'delete',
        'argocd.argoproj.io/sync-wave': waves[object.kind],
      });
      // Functions also carry what their code was built from (see the bundle tests).
      expect([inputs !== undefined, sources !== undefined]).toEqual(object.kind === 'Function' ? [true, true] : [false, false]);
    }
  });

  describe('IAM', () => {
    test('the processor may update asset status, checkpoint detector state, alert and quarantine under its prefix, nothing more', () => {
      expect(accessTable(findObject(objects, 'Role', 'iam-processor-dev'))).toEqual({
        UpdateAssetStatus: [['dynamodb:UpdateItem'], ['arn:aws:dynamodb:sa-east-1:111122223333:table/dynamodb-asset-status-dev']],
        CheckpointDetectorState: [['dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem', 'dynamodb:UpdateItem'], ['arn:aws:dynamodb:sa-east-1:111122223333:table/dynamodb-detector-state-dev']],
        PublishAlerts: [['sns:Publish'], ['arn:aws:sns:sa-east-1:111122223333:sns-alerts-dev']],
        QuarantineInvalidRecords: [['s3:PutObject'], ['arn:aws:s3:::s3-archive-111122223333-dev/quarantine/processor/*']],
        ...sharedAccess('processor'),
      });
    });

    test('the storer may read and write reading buckets and quarantine under its prefix, nothing more', () => {
      expect(accessTable(findObject(objects, 'Role', 'iam-storer-dev'))).toEqual({
        ReadWriteReadingBuckets: [['dynamodb:GetItem', 'dynamodb:PutItem'], ['arn:aws:dynamodb:sa-east-1:111122223333:table/dynamodb-readings-dev']],
        QuarantineInvalidRecords: [['s3:PutObject'], ['arn:aws:s3:::s3-archive-111122223333-dev/quarantine/storer/*']],
        ...sharedAccess('storer'),
      });
    });

    test.each(['iam-processor-dev', 'iam-storer-dev'])('%s: no wildcard action, "*" only for EC2 Describe*, key and subnets narrowed by conditions', (name) => {
      const statements = statementsOf(findObject(objects, 'Role', name));
      for (const statement of statements) {
        expect(statement.Effect).toBe('Allow');
        for (const action of statement.Action) expect(action).not.toContain('*');
        if (statement.Resource.includes('*')) expect(statement.Action.every((action) => action.startsWith('ec2:Describe'))).toBe(true);
      }
      const bySid = Object.fromEntries(statements.map((statement) => [statement.Sid, statement]));
      // Each action only through the services that need it: decrypt what it reads (the stream, the tables, and the
      // queue and topic it writes, as SQS and SNS require of producers), data keys for what it writes, DescribeKey
      // for DynamoDB alone. The storer publishes to no topic.
      const publisher = name === 'iam-processor-dev';
      expect(bySid.PlatformKeyDecrypt.Condition).toEqual(publisher ? keyCondition('dynamodb', 'kinesis', 'sns', 'sqs') : keyCondition('dynamodb', 'kinesis', 'sqs'));
      expect(bySid.PlatformKeyGenerateDataKey.Condition).toEqual(publisher ? keyCondition('dynamodb', 's3', 'sns', 'sqs') : keyCondition('dynamodb', 's3', 'sqs'));
      expect(bySid.PlatformKeyDescribeKey.Condition).toEqual(keyCondition('dynamodb'));
      expect(bySid.CreateNetworkInterfacesInPlatformSubnets.Condition).toEqual({
        StringEquals: { 'aws:ResourceTag/project': 'plant-telemetry', 'aws:ResourceTag/environment': 'dev' },
      });
      expect(statements.filter((statement) => statement.Condition).map((statement) => statement.Sid).sort()).toEqual([
        'CreateNetworkInterfacesInPlatformSubnets',
        'PlatformKeyDecrypt',
        'PlatformKeyDescribeKey',
        'PlatformKeyGenerateDataKey',
      ]);
      // The asset-status index and ListStreams / SubscribeToShard are deliberately absent.
      const granted = JSON.stringify(statements);
      expect(granted).not.toContain('/index/');
      expect(granted).not.toContain('kinesis:ListStreams');
      expect(granted).not.toContain('kinesis:SubscribeToShard');
      expect(granted).not.toContain('logs:CreateLogGroup');
    });

    test('the redrive operator policy may work the dead-letter queue, read the stream, invoke the two functions, list and read quarantine/iot/, put records to the stream and use the key, nothing more', () => {
      const policy = findObject(objects, 'Policy', 'iam-redrive-dev');
      const spec = policy.spec as { name: string; description: string; policyDocument: string; tags: { key: string; value: string }[] };
      expect(spec.name).toBe('iam-redrive-dev');
      expect(spec.description).toContain('scripts/redrive.ts');
      expect(spec.tags.map((tag) => tag.key).sort()).toEqual(['cost-center', 'data-classification', 'environment', 'owner', 'project']);
      expect(JSON.parse(spec.policyDocument)).toEqual({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'WorkDeadLetterQueue',
            Effect: 'Allow',
            Action: ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage'],
            Resource: ['arn:aws:sqs:sa-east-1:111122223333:sqs-stream-dlq-dev'],
          },
          {
            Sid: 'ReadDeadLetteredRanges',
            Effect: 'Allow',
            Action: ['kinesis:DescribeStreamSummary', 'kinesis:GetRecords', 'kinesis:GetShardIterator', 'kinesis:ListShards'],
            Resource: ['arn:aws:kinesis:sa-east-1:111122223333:stream/kinesis-telemetry-dev'],
          },
          {
            Sid: 'InvokeStreamFunctions',
            Effect: 'Allow',
            Action: ['lambda:InvokeFunction'],
            Resource: ['arn:aws:lambda:sa-east-1:111122223333:function:lambda-processor-dev', 'arn:aws:lambda:sa-east-1:111122223333:function:lambda-storer-dev'],
          },
          {
            Sid: 'ListIotQuarantine',
            Effect: 'Allow',
            Action: ['s3:ListBucket'],
            Resource: ['arn:aws:s3:::s3-archive-111122223333-dev'],
            Condition: { StringLike: { 's3:prefix': 'quarantine/iot/*' } },
          },
          {
            Sid: 'ReadIotQuarantine',
            Effect: 'Allow',
            Action: ['s3:GetObject'],
            Resource: ['arn:aws:s3:::s3-archive-111122223333-dev/quarantine/iot/*'],
          },
          {
            Sid: 'ReplayIotQuarantine',
            Effect: 'Allow',
            Action: ['kinesis:PutRecords'],
            Resource: ['arn:aws:kinesis:sa-east-1:111122223333:stream/kinesis-telemetry-dev'],
          },
          {
            Sid: 'DecryptWithPlatformKey',
            Effect: 'Allow',
            Action: ['kms:Decrypt'],
            Resource: ['arn:aws:kms:sa-east-1:111122223333:key/*'],
            Condition: keyCondition('kinesis', 's3', 'sqs'),
          },
          {
            Sid: 'EncryptWithPlatformKey',
            Effect: 'Allow',
            Action: ['kms:GenerateDataKey'],
            Resource: ['arn:aws:kms:sa-east-1:111122223333:key/*'],
            Condition: keyCondition('kinesis'),
          },
        ],
      });
      // Names follow the environment.
      expect((findObject(render('prod'), 'Policy', 'iam-redrive-prod').spec as { policyDocument: string }).policyDocument).toContain(
        'function:lambda-storer-prod',
      );
    });

    test('only Lambda of this account assumes the roles', () => {
      for (const name of ['iam-processor-dev', 'iam-storer-dev']) {
        const role = findObject(objects, 'Role', name);
        expect(JSON.parse((role.spec as { assumeRolePolicyDocument: string }).assumeRolePolicyDocument)).toEqual({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Service: 'lambda.amazonaws.com' },
              Action: 'sts:AssumeRole',
              Condition: { StringEquals: { 'aws:SourceAccount': '111122223333' } },
            },
          ],
        });
        expect(role.spec).toMatchObject({ name, tags: expect.arrayContaining([{ key: 'project', value: 'plant-telemetry' }]) });
      }
    });
  });

  describe('functions', () => {
    test.each([
      ['lambda-processor-dev', 'iam-processor-dev', 1024, 30],
      ['lambda-storer-dev', 'iam-storer-dev', 1024, 120],
    ])('%s: Node.js 22 on arm64, index.handler, in the private subnets, environment encrypted with the platform key, JSON logs', (name, role, memory, timeout) => {
      const spec = functionSpec(objects, name);
      expect(spec).toMatchObject({
        name,
        runtime: 'nodejs22.x',
        architectures: ['arm64'],
        handler: 'index.handler',
        packageType: 'Zip',
        memorySize: memory,
        timeout,
        roleRef: { from: { name: role } },
        vpcConfig: {
          subnetRefs: [{ from: { name: 'subnet-private-a-dev' } }, { from: { name: 'subnet-private-b-dev' } }, { from: { name: 'subnet-private-c-dev' } }],
          securityGroupRefs: [{ from: { name: 'sg-functions-dev' } }],
        },
        loggingConfig: { logFormat: 'JSON', applicationLogLevel: 'INFO', systemLogLevel: 'INFO', logGroup: `/aws/lambda/${name}` },
        tracingConfig: { mode: 'PassThrough' },
      });
      expect(spec.reservedConcurrentExecutions).toBeUndefined();
      // By reference: the controller resolves the Key object's ARN (Lambda takes no alias for the grant it creates).
      expect(spec.kmsKeyRef).toEqual({ from: { name: 'kms-telemetry-dev' } });
      expect(spec).not.toHaveProperty('kmsKeyARN');
      expect(Object.keys(spec.tags).sort()).toEqual(['cost-center', 'data-classification', 'environment', 'owner', 'project']);
    });

    test('the processor gets its tables, topic, bucket, dashboard and detector settings', () => {
      expect(functionSpec(objects, 'lambda-processor-dev').environment.variables).toEqual({
        ALERT_TOPIC_ARN: 'arn:aws:sns:sa-east-1:111122223333:sns-alerts-dev',
        ARCHIVE_BUCKET: 's3-archive-111122223333-dev',
        ASSET_STATUS_TABLE: 'dynamodb-asset-status-dev',
        DASHBOARD_URL: 'https://sa-east-1.console.aws.amazon.com/cloudwatch/home?region=sa-east-1#dashboards/dashboard/cw-telemetry-dev',
        DETECTOR_CONFIG: expect.any(String),
        DETECTOR_STATE_TABLE: 'dynamodb-detector-state-dev',
        POWERTOOLS_LOG_LEVEL: 'INFO',
        POWERTOOLS_METRICS_NAMESPACE: 'PlantTelemetry/dev',
        POWERTOOLS_SERVICE_NAME: 'processor',
        STATUS_HEARTBEAT_SECONDS: '300',
      });
    });

    test("the processor's detector settings are the config's detection block, as the processor reads them back", () => {
      const variables = functionSpec(objects, 'lambda-processor-dev').environment.variables as Record<string, string>;
      const read = readProcessorConfig(new Environment(variables));
      const { statusHeartbeatSeconds, acknowledge: _acknowledge, relearn: _relearn, ...detector } = loadEnvironmentConfig('dev').detection;
      expect(read.detectorSettings).toEqual(resolveDetectorSettings(detector));
      expect(read.statusHeartbeatSeconds).toBe(statusHeartbeatSeconds);
      expect(JSON.parse(variables.DETECTOR_CONFIG)).toMatchObject({ warmupSamples: 400, cooldownSeconds: 900, limits: { temperature: { min: -20, max: 120 }, pressure: { min: 0, max: 16 } } });
      // No operator's request in the config: none in the variable, so the function is unchanged.
      expect(JSON.parse(variables.DETECTOR_CONFIG)).not.toHaveProperty('acknowledge');
      expect(JSON.parse(variables.DETECTOR_CONFIG)).not.toHaveProperty('relearn');
      expect(read.acknowledgements).toEqual(new Map());
      expect(read.relearnRequests).toEqual(new Map());
    });

    test("operators' acknowledgements and requests to relearn reach the processor in DETECTOR_CONFIG, read back as epoch milliseconds per asset", () => {
      const props = platformProps('dev');
      const requests = { acknowledge: { 'pump-07': '2026-12-02T14:00:00Z' }, relearn: { 'pump-09': '2026-12-03T06:00:00Z' } };
      const config = { ...props.config, detection: { ...props.config.detection, ...requests } };
      const app = Testing.app();
      const rendered = Testing.synth(new ProcessingChart(app, 'processing', { ...props, config })) as RenderedObject[];
      const variables = functionSpec(rendered, 'lambda-processor-dev').environment.variables as Record<string, string>;
      expect(JSON.parse(variables.DETECTOR_CONFIG)).toMatchObject(requests);
      const read = readProcessorConfig(new Environment(variables));
      expect(read.acknowledgements).toEqual(new Map([['pump-07', Date.UTC(2026, 11, 2, 14)]]));
      expect(read.relearnRequests).toEqual(new Map([['pump-09', Date.UTC(2026, 11, 3, 6)]]));
    });

    test('the storer gets its table, bucket and hot-tier retention', () => {
      expect(functionSpec(objects, 'lambda-storer-dev').environment.variables).toEqual({
        ARCHIVE_BUCKET: 's3-archive-111122223333-dev',
        HOT_RETENTION_DAYS: '30',
        POWERTOOLS_LOG_LEVEL: 'INFO',
        POWERTOOLS_METRICS_NAMESPACE: 'PlantTelemetry/dev',
        POWERTOOLS_SERVICE_NAME: 'storer',
        READINGS_TABLE: 'dynamodb-readings-dev',
      });
    });

    test.each(['lambda-processor-dev', 'lambda-storer-dev'])('%s: sha256 is the SHA-256 of the inline zip, whose one entry index.js exports handler', (name) => {
      const { code } = functionSpec(objects, name);
      const zip = Buffer.from(code.zipFile, 'base64');
      expect(code.sha256).toBe(createHash('sha256').update(zip).digest('base64'));
      const entry = onlyEntry(zip);
      expect(entry.name).toBe('index.js');
      expect(entry.data.toString('utf8')).toMatch(/handler/);
      expect(entry.data.toString('utf8')).not.toContain('/work/');
    });

    test.each(['lambda-processor-dev', 'lambda-storer-dev'])('%s: the bundle initializes with exactly the environment the chart gives it', (name) => {
      // Module init reads and validates every variable (functions/*/config.ts), so a missing or malformed
      // one fails here instead of in the first invocation after a deploy. The SDK (external, provided by
      // the runtime) is resolved from this repository's node_modules.
      const spec = functionSpec(objects, name);
      const dir = mkdtempSync(join(tmpdir(), 'processing-init-'));
      try {
        writeFileSync(join(dir, 'index.js'), onlyEntry(Buffer.from(spec.code.zipFile, 'base64')).data);
        const output = execFileSync(process.execPath, ['-e', 'console.log(typeof require(process.argv[1]).handler)', join(dir, 'index.js')], {
          env: { ...spec.environment.variables, AWS_REGION: 'sa-east-1', NODE_PATH: join(__dirname, '..', '..', 'node_modules'), PATH: process.env.PATH ?? '' },
          stdio: ['ignore', 'pipe', 'ignore'],
        });
        expect(output.toString().trim()).toBe('function');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    test('two syntheses carry byte-identical code', () => {
      const again = render();
      for (const name of ['lambda-processor-dev', 'lambda-storer-dev']) {
        expect(functionSpec(again, name).code).toEqual(functionSpec(objects, name).code);
      }
    });

    test('log groups: the functions\' names, encrypted with the platform key, retention from config', () => {
      for (const fn of ['processor', 'storer']) {
        expect(findObject(objects, 'LogGroup', `logs-${fn}-dev`).spec).toMatchObject({
          name: `/aws/lambda/lambda-${fn}-dev`,
          retentionDays: 30,
          kmsKeyRef: { from: { name: 'kms-telemetry-dev' } },
        });
      }
      expect(findObject(render('prod'), 'LogGroup', 'logs-storer-prod').spec).toMatchObject({ retentionDays: 90 });
    });
  });

  describe('event source mappings', () => {
    const mapping = (rendered: readonly RenderedObject[], fn: string): Record<string, unknown> =>
      findObject(rendered, 'EventSourceMapping', `esm-${fn}-${rendered[0].metadata.namespace?.replace('telemetry-', '')}`).spec as Record<string, unknown>;

    test.each(['processor', 'storer'])('%s: bisects, reports item failures, bounded retries and age, explicit dead-letter destination', (fn) => {
      expect(mapping(objects, fn)).toMatchObject({
        functionRef: { from: { name: `lambda-${fn}-dev` } },
        eventSourceARN: 'arn:aws:kinesis:sa-east-1:111122223333:stream/kinesis-telemetry-dev',
        enabled: true,
        startingPosition: 'TRIM_HORIZON',
        bisectBatchOnFunctionError: true,
        functionResponseTypes: ['ReportBatchItemFailures'],
        maximumRetryAttempts: 10,
        destinationConfig: { onFailure: { destination: 'arn:aws:sqs:sa-east-1:111122223333:sqs-stream-dlq-dev' } },
        tumblingWindowInSeconds: 0,
      });
    });

    test('the processor invokes at once with small batches and skips records older than an hour', () => {
      expect(mapping(objects, 'processor')).toMatchObject({ batchSize: 250, maximumBatchingWindowInSeconds: 0, maximumRecordAgeInSeconds: 3600, parallelizationFactor: 1 });
    });

    test('the storer gathers a minute of up to 10,000 records, one batch per shard at a time, for the retention less a day', () => {
      expect(mapping(objects, 'storer')).toMatchObject({ batchSize: 10_000, maximumBatchingWindowInSeconds: 60, maximumRecordAgeInSeconds: 518_400, parallelizationFactor: 1 });
    });

    test.each(['processor', 'storer'] as const)('%s: a batch given up on for its age is still in the stream for the redrive margin (age limit + margin <= retention)', (fn) => {
      const retentionSeconds = (findObject(synthChart((app, p) => new StreamChart(app, 'stream', p)), 'Stream').spec as { forProvider: { retentionPeriod: number } }).forProvider.retentionPeriod * 3600;
      expect(REDRIVE_MARGIN_SECONDS).toBe(86_400);
      expect((mapping(objects, fn) as { maximumRecordAgeInSeconds: number }).maximumRecordAgeInSeconds + REDRIVE_MARGIN_SECONDS).toBeLessThanOrEqual(retentionSeconds);
    });

    test('a processing-heavy plan adds shards; both mappings keep one batch per shard at a time', () => {
      const base = loadEnvironmentConfig('dev');
      const config = { ...base, capacity: { ...base.capacity, sensors: 200_000, readingsPerMessage: 500, bytesPerReading: 16 } };
      const props: PlatformChartProps = { config, names: new PlatformNames(config), capacity: planCapacity(config) };
      expect(props.capacity.shardCount).toBeGreaterThan(Math.ceil(props.capacity.shardsForReads * config.capacity.headroom));
      const rendered = Testing.synth(new ProcessingChart(Testing.app(), 'processing', props)) as RenderedObject[];
      expect(mapping(rendered, 'processor').parallelizationFactor).toBe(1);
      expect(mapping(rendered, 'storer').parallelizationFactor).toBe(1);
    });
  });

  describe('the processor through its enhanced fan-out consumer (second step of the move)', () => {
    // Registered 2026-12-01T12:00:00Z; the change that records the ARN reads from 12:07:30.
    const registeredAt = 1796126400;
    const props = fanOutStageProps('dev', registeredAt, '2026-12-01T12:07:30Z');
    const consumerArn = `arn:aws:kinesis:sa-east-1:111122223333:stream/kinesis-telemetry-dev/consumer/kinesis-processor-dev:${registeredAt}`;
    const stage2 = Testing.synth(new ProcessingChart(Testing.app(), 'processing', props)) as RenderedObject[];

    test('is a new mapping object (AWS cannot move a mapping to another source); the storer keeps its own', () => {
      expect(stage2.filter((object) => object.kind === 'EventSourceMapping').map((object) => object.metadata.name)).toEqual(['esm-processor-fanout-dev', 'esm-storer-dev']);
    });

    test('reads through the consumer from the time of the change, with the same failure handling', () => {
      expect(findObject(stage2, 'EventSourceMapping', 'esm-processor-fanout-dev').spec).toEqual({
        ...findObject(objects, 'EventSourceMapping', 'esm-processor-dev').spec,
        eventSourceARN: consumerArn,
        startingPosition: 'AT_TIMESTAMP',
        startingPositionTimestamp: '2026-12-01T12:07:30Z',
      });
      expect(findObject(stage2, 'EventSourceMapping', 'esm-storer-dev')).toEqual(findObject(objects, 'EventSourceMapping', 'esm-storer-dev'));
    });

    test('the processor may subscribe through exactly its consumer; the storer role is unchanged', () => {
      expect(accessTable(findObject(stage2, 'Role', 'iam-processor-dev'))).toEqual({
        ...accessTable(findObject(objects, 'Role', 'iam-processor-dev')),
        ReadThroughFanOutConsumer: [['kinesis:DescribeStreamConsumer', 'kinesis:SubscribeToShard'], [consumerArn]],
      });
      expect(findObject(stage2, 'Role', 'iam-storer-dev')).toEqual(findObject(objects, 'Role', 'iam-storer-dev'));
    });
  });
});

describe('construct validation', () => {
  const props = platformProps();
  const { config, names } = props;
  const inChart = (build: (chart: Chart) => void): void => build(new Chart(Testing.app(), 'test'));

  const functionProps: BundledFunctionProps = {
    config,
    names,
    functionName: 'lambda-test-dev',
    codeName: 'processor',
    description: 'test',
    roleObjectName: 'iam-test-dev',
    memoryMb: 512,
    timeoutSeconds: 10,
    environment: { TABLE: 't' },
    logGroupName: '/aws/lambda/lambda-test-dev',
    subnetObjects: ['a', 'b'],
    securityGroupObjects: ['sg'],
  };
  const fn = (overrides: Partial<BundledFunctionProps>): void => inChart((chart) => new BundledFunction(chart, 'f', { ...functionProps, ...overrides }));

  test('BundledFunction', () => {
    expect(() => fn({ memoryMb: 64 })).toThrow(new Error('BundledFunction: props.memoryMb must be an integer from 128 to 10240, got 64'));
    expect(() => fn({ timeoutSeconds: 901 })).toThrow(new Error('BundledFunction: props.timeoutSeconds must be an integer from 1 to 900, got 901'));
    expect(() => fn({ functionName: 'a b' })).toThrow(new Error('BundledFunction: props.functionName must match [A-Za-z0-9_-]{1,64}, got "a b"'));
    expect(() => fn({ environment: { AWS_REGION: 'sa-east-1' } })).toThrow(new Error('BundledFunction: props.environment must not set a variable Lambda reserves, got "AWS_REGION"'));
    expect(() => fn({ environment: { '1X': 'y' } })).toThrow(new Error('BundledFunction: props.environment names must match [A-Za-z][A-Za-z0-9_]*, got "1X"'));
    expect(() => fn({ environment: { BIG: 'x'.repeat(4094) } })).toThrow(
      new Error('BundledFunction: props.environment must total at most 4096 bytes (Lambda\'s limit), is 4097 bytes, got ["BIG"]'),
    );
    expect(() => fn({ subnetObjects: ['a'] })).toThrow(new Error('BundledFunction: props.subnetObjects must name at least two subnets (availability zones) so one zone can fail, got ["a"]'));
    expect(() => fn({ securityGroupObjects: [] })).toThrow(new Error('BundledFunction: props.securityGroupObjects must name at least one security group, got []'));
    expect(() => fn({ codeName: 'nope' })).toThrow(new Error('bundle: functions/nope/index.ts not found: every function needs a handler entry'));
  });

  test('BundledFunction encrypts the environment with the environment key, or the key object it is given', () => {
    const specOf = (overrides: Partial<BundledFunctionProps>): Record<string, unknown> => {
      const chart = new Chart(Testing.app(), 'test');
      new BundledFunction(chart, 'f', { ...functionProps, ...overrides });
      return (Testing.synth(chart)[0] as RenderedObject).spec ?? {};
    };
    expect(specOf({}).kmsKeyRef).toEqual({ from: { name: 'kms-telemetry-dev' } });
    expect(specOf({ kmsKeyObject: 'kms-other-dev' }).kmsKeyRef).toEqual({ from: { name: 'kms-other-dev' } });
  });

  const mappingProps: KinesisEventSourceMappingProps = {
    config,
    names,
    objectName: 'esm-test-dev',
    functionObjectName: 'lambda-test-dev',
    streamArn: names.streamArn,
    onFailureDestinationArn: names.deadLetterQueueArn,
    startingPosition: 'TRIM_HORIZON',
    batchSize: 100,
    maxBatchingWindowSeconds: 0,
    parallelizationFactor: 1,
    maxRetryAttempts: 3,
    maxRecordAgeSeconds: 3600,
  };
  const esm = (overrides: Partial<KinesisEventSourceMappingProps>): void =>
    inChart((chart) => new KinesisEventSourceMapping(chart, 'm', { ...mappingProps, ...overrides }));

  test('KinesisEventSourceMapping', () => {
    expect(() => esm({ maxRetryAttempts: -1 })).toThrow(
      new Error('KinesisEventSourceMapping: props.maxRetryAttempts must be an integer from 0 to 10000 (bounded: a poison batch must not block its shard until the records expire), got -1'),
    );
    expect(() => esm({ maxRecordAgeSeconds: -1 })).toThrow(
      new Error('KinesisEventSourceMapping: props.maxRecordAgeSeconds must be an integer from 60 to 604800 (bounded: -1 would retry until the records expire), got -1'),
    );
    expect(() => esm({ batchSize: 10_001 })).toThrow(new Error('KinesisEventSourceMapping: props.batchSize must be an integer from 1 to 10000, got 10001'));
    expect(() => esm({ maxBatchingWindowSeconds: 301 })).toThrow(new Error('KinesisEventSourceMapping: props.maxBatchingWindowSeconds must be an integer from 0 to 300, got 301'));
    expect(() => esm({ parallelizationFactor: 11 })).toThrow(new Error('KinesisEventSourceMapping: props.parallelizationFactor must be an integer from 1 to 10, got 11'));
    expect(() => esm({ onFailureDestinationArn: '' })).toThrow(new Error('KinesisEventSourceMapping: props.onFailureDestinationArn must be an SQS queue or SNS topic ARN, got ""'));
    expect(() => esm({ onFailureDestinationArn: 'arn:aws:sqs:us-east-1:111122223333:q' })).toThrow(
      new Error('KinesisEventSourceMapping: props.onFailureDestinationArn must be in sa-east-1, got "arn:aws:sqs:us-east-1:111122223333:q"'),
    );
    expect(() => esm({ streamArn: 'arn:aws:kinesis:sa-east-1:999999999999:stream/s' })).toThrow(
      new Error('KinesisEventSourceMapping: props.streamArn must belong to account 111122223333, got "arn:aws:kinesis:sa-east-1:999999999999:stream/s"'),
    );
    expect(() => esm({ startingPosition: 'AT_SEQUENCE_NUMBER' as 'LATEST' })).toThrow(
      new Error('KinesisEventSourceMapping: props.startingPosition must be TRIM_HORIZON, LATEST or AT_TIMESTAMP, got "AT_SEQUENCE_NUMBER"'),
    );
    expect(() => esm({ startingPosition: 'AT_TIMESTAMP' })).toThrow(
      new Error('KinesisEventSourceMapping: props.startingPositionTimestamp must be a UTC time (YYYY-MM-DDTHH:MM:SSZ) with startingPosition AT_TIMESTAMP, got undefined'),
    );
    expect(() => esm({ startingPosition: 'AT_TIMESTAMP', startingPositionTimestamp: '2026-12-01T10:00:00Z' })).not.toThrow();
    expect(() => esm({ startingPosition: 'AT_TIMESTAMP', startingPositionTimestamp: '2026-02-30T10:00:00Z' })).toThrow(
      new Error('KinesisEventSourceMapping: props.startingPositionTimestamp must be a UTC time (YYYY-MM-DDTHH:MM:SSZ) with startingPosition AT_TIMESTAMP, got "2026-02-30T10:00:00Z"'),
    );
    expect(() => esm({ startingPosition: 'AT_TIMESTAMP', startingPositionTimestamp: '2026-12-01 10:00:00' })).toThrow(
      new Error('KinesisEventSourceMapping: props.startingPositionTimestamp must be a UTC time (YYYY-MM-DDTHH:MM:SSZ) with startingPosition AT_TIMESTAMP, got "2026-12-01 10:00:00"'),
    );
    expect(() => esm({ startingPositionTimestamp: '2026-12-01T10:00:00Z' })).toThrow(
      new Error('KinesisEventSourceMapping: props.startingPositionTimestamp is only taken with startingPosition AT_TIMESTAMP, got "2026-12-01T10:00:00Z"'),
    );
    expect(() => esm({ consumerArn: `${names.streamArn}-other/consumer/c:1796126400` })).toThrow(
      new Error(`KinesisEventSourceMapping: props.consumerArn must be a consumer of ${names.streamArn} (<stream ARN>/consumer/<name>:<registration time in epoch seconds>), got "${names.streamArn}-other/consumer/c:1796126400"`),
    );
    expect(() => esm({ consumerArn: `${names.streamArn}/consumer/c` })).toThrow(
      new Error(`KinesisEventSourceMapping: props.consumerArn must be a consumer of ${names.streamArn} (<stream ARN>/consumer/<name>:<registration time in epoch seconds>), got "${names.streamArn}/consumer/c"`),
    );
  });

  const roleProps: LeastPrivilegeRoleProps = {
    config,
    names,
    roleName: 'iam-test-dev',
    description: 'test',
    trust: { service: 'lambda.amazonaws.com', conditions: { StringEquals: { 'aws:SourceAccount': config.accountId } } },
    policies: { test: [{ sid: 'Read', actions: ['sqs:SendMessage'], resources: [names.deadLetterQueueArn] }] },
  };
  const role = (overrides: Partial<LeastPrivilegeRoleProps>): void => inChart((chart) => new LeastPrivilegeRole(chart, 'r', { ...roleProps, ...overrides }));
  const withStatement = (statement: Partial<LeastPrivilegeRoleProps['policies'][string][number]>): void =>
    role({ policies: { test: [{ sid: 'S', actions: ['sqs:SendMessage'], resources: [names.deadLetterQueueArn], ...statement }] } });

  test('LeastPrivilegeRole', () => {
    expect(() => role({})).not.toThrow();
    expect(() => withStatement({ actions: ['s3:*'] })).toThrow(new Error('LeastPrivilegeRole: props.policies.test[0].actions[0] must name one action as service:Action, without wildcards, got "s3:*"'));
    expect(() => withStatement({ actions: ['s3:Get*'] })).toThrow(new Error('LeastPrivilegeRole: props.policies.test[0].actions[0] must name one action as service:Action, without wildcards, got "s3:Get*"'));
    expect(() => withStatement({ resources: ['*'] })).toThrow(new Error('LeastPrivilegeRole: props.policies.test[0].resources[0] is "*" without a wildcardResourceReason, got "*"'));
    expect(() => withStatement({ resources: ['*'], wildcardResourceReason: 'no resource-level permissions' })).not.toThrow();
    expect(() => withStatement({ resources: ['arn:aws:sqs:us-east-1:111122223333:q'] })).toThrow(
      new Error('LeastPrivilegeRole: props.policies.test[0].resources[0] must stay in sa-east-1 (data residency), got "arn:aws:sqs:us-east-1:111122223333:q"'),
    );
    expect(() => withStatement({ resources: ['arn:aws:sqs:sa-east-1:999999999999:q'] })).toThrow(
      new Error('LeastPrivilegeRole: props.policies.test[0].resources[0] must belong to account 111122223333, got "arn:aws:sqs:sa-east-1:999999999999:q"'),
    );
    expect(() => withStatement({ resources: ['bucket/*'] })).toThrow(new Error('LeastPrivilegeRole: props.policies.test[0].resources[0] must be an ARN of the aws partition or "*", got "bucket/*"'));
    expect(() => withStatement({ sid: 'not-alnum' })).toThrow(new Error('LeastPrivilegeRole: props.policies.test[0].sid must be 1 to 100 letters and digits, got "not-alnum"'));
    expect(() =>
      role({ policies: { test: [{ sid: 'A', actions: ['sqs:SendMessage'], resources: [names.deadLetterQueueArn] }, { sid: 'A', actions: ['sns:Publish'], resources: [names.alertTopicArn] }] } }),
    ).toThrow(new Error('LeastPrivilegeRole: props.policies.test[1].sid must be unique within its policy, got "A"'));
    expect(() => role({ policies: {} })).toThrow(new Error('LeastPrivilegeRole: props.policies must hold at least one inline policy, got {}'));
    expect(() => role({ roleName: 'a role' })).toThrow(new Error('LeastPrivilegeRole: props.roleName must match [\\w+=,.@-]{1,64}, got "a role"'));
    expect(() => role({ trust: { service: 'lambda.amazonaws.com', conditions: {} } })).toThrow(
      new Error('LeastPrivilegeRole: props.trust.conditions must pin the caller with StringEquals aws:SourceAccount or sts:ExternalId = "111122223333" (confused-deputy protection), got {}'),
    );
    expect(() => role({ trust: { service: 'lambda', conditions: roleProps.trust.conditions } })).toThrow(
      new Error('LeastPrivilegeRole: props.trust.service must be an AWS service principal (<name>.amazonaws.com), got "lambda"'),
    );
    expect(() =>
      role({ policies: { test: [{ sid: 'Big', actions: ['sqs:SendMessage'], resources: Array.from({ length: 200 }, (_, i) => `${names.deadLetterQueueArn}${i}`) }] } }),
    ).toThrow(/^LeastPrivilegeRole: props.policies must stay within IAM's 10240 characters of inline policy per role \(\d+\), got \["test"\]$/);
  });
});

describe("the processor's environment and the detection block", () => {
  test("a detection block that would take the processor's environment past Lambda's 4 KB is a config error naming the block and what to prune", () => {
    const base = loadEnvironmentConfig('dev');
    // 120 acknowledgements of ten-character asset ids: about 4.3 KB of DETECTOR_CONFIG.
    const acknowledge = Object.fromEntries(Array.from({ length: 120 }, (_, i) => [`pump-${String(i).padStart(5, '0')}`, '2026-01-05T08:00:00Z']));
    const config = { ...base, detection: { ...base.detection, acknowledge } };
    const attempt = (): Record<string, string> => functionEnvironment(config, new PlatformNames(config), 'processor');
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(
      /^config\/dev\.yaml: detection: value "\d+ bytes as the processor's DETECTOR_CONFIG" is not allowed; the processor's environment would be \d+ bytes, over Lambda's 4096; the detection block may take at most \d+ bytes: remove acknowledge and relearn entries that have been applied, or limits of metrics no asset has$/,
    );
    // A handful fits, as the committed configs show.
    expect(Object.keys(functionEnvironment(base, new PlatformNames(base), 'processor'))).toContain('DETECTOR_CONFIG');
  });
});
