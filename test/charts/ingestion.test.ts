import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Testing } from 'cdk8s';
import { loadEnvironmentConfig } from '../../charts/lib/loadEnvironmentConfig';
import { crossplaneSpec } from '../../charts/lib/crossplaneSpec';
import { planCapacity } from '../../charts/lib/capacity';
import { PlatformNames } from '../../charts/lib/names';
import { IngestionChart } from '../../charts/ingestion';
import { presenceSql } from '../../charts/lib/presenceSql';
import { telemetrySql } from '../../charts/lib/telemetrySql';
import { findObject, inlineStatements, platformProps, PolicyStatement, RenderedObject, synthChart, trustStatements } from '../helpers/platform';

const MANIFESTS = resolve(__dirname, '../../manifests');
const render = (environment = 'dev'): RenderedObject[] => synthChart((app, props) => new IngestionChart(app, 'ingestion', props), environment);

const statementsOf = (role: RenderedObject): PolicyStatement[] => inlineStatements(role);
const trustOf = trustStatements;

interface RuleForProvider {
  region: string;
  enabled: boolean;
  sql: string;
  sqlVersion: string;
  kinesis: { streamName: string; partitionKey: string; roleArn: string }[];
  errorAction: { s3: { bucketName: string; key: string; roleArn: string; cannedAcl?: string } };
  tags: Record<string, string>;
}
const ruleOf = (objects: readonly RenderedObject[], name: string): RuleForProvider =>
  (findObject(objects, 'TopicRule', name).spec as { forProvider: RuleForProvider }).forProvider;

describe('IngestionChart', () => {
  const objects = render();

  test('renders the device policy, two roles, two topic rules, the IoT log group and logging options', () => {
    expect(objects).toMatchSnapshot();
    expect(objects.map((object) => `${object.kind}/${object.metadata.name}`)).toEqual([
      'Policy/iot-device-dev',
      'Role/iam-iot-rule-dev',
      'Role/iam-iot-logging-dev',
      'TopicRule/iot-telemetry-dev',
      'TopicRule/iot-presence-dev',
      'LogGroup/logs-iot-dev',
      'LoggingOptions/iot-logging-dev',
    ]);
  });

  test('Crossplane objects: region in forProvider, provider config, management policies, wave 4; ACK objects: region annotation', () => {
    for (const object of objects) {
      const annotations = object.metadata.annotations ?? {};
      if (object.apiVersion.endsWith('.aws.m.upbound.io/v1beta1')) {
        expect(object.spec).toMatchObject({
          forProvider: { region: 'sa-east-1' },
          // Whatever the convention fixes (no LateInitialize), and always including Delete.
          ...crossplaneSpec(new PlatformNames(loadEnvironmentConfig('dev'))),
        });
        expect((object.spec as { managementPolicies: string[] }).managementPolicies).toContain('Delete');
        expect(annotations['argocd.argoproj.io/sync-wave']).toBe('4');
      } else {
        expect(annotations).toMatchObject({ 'services.k8s.aws/region': 'sa-east-1', 'services.k8s.aws/deletion-policy': 'delete' });
        expect(annotations['argocd.argoproj.io/sync-wave']).toBe('1');
      }
    }
  });

  test('the IoT log group, which IoT Core creates itself once logging is on, is adopted if it exists; nothing else is', () => {
    const adopting = (object: RenderedObject): boolean => object.metadata.annotations?.['services.k8s.aws/adoption-policy'] !== undefined;
    expect(findObject(objects, 'LogGroup', 'logs-iot-dev').metadata.annotations).toMatchObject({ 'services.k8s.aws/adoption-policy': 'adopt-or-create' });
    expect(objects.filter(adopting).map((object) => object.kind)).toEqual(['LogGroup']);
    // Across every environment's rendering: an adopted resource is one the platform may not have made.
    for (const environment of ['dev', 'prod']) {
      const files = readdirSync(join(MANIFESTS, environment)).filter((file) => file.endsWith('.yaml'));
      const annotated = files.flatMap((file) => readFileSync(join(MANIFESTS, environment, file), 'utf8').match(/services\.k8s\.aws\/adoption-policy/g) ?? []);
      expect(annotated).toHaveLength(1);
    }
  });

  describe('device policy', () => {
    const policy = JSON.parse((findObject(objects, 'Policy', 'iot-device-dev').spec as { forProvider: { policy: string } }).forProvider.policy) as {
      Statement: PolicyStatement[];
    };

    test('connect only as the thing the certificate is attached to, with the thing name as client id', () => {
      expect(policy.Statement[0]).toEqual({
        Sid: 'ConnectAsOwnThing',
        Effect: 'Allow',
        Action: ['iot:Connect'],
        Resource: ['arn:aws:iot:sa-east-1:111122223333:client/${iot:Connection.Thing.ThingName}'],
        Condition: { Bool: { 'iot:Connection.Thing.IsAttached': 'true' } },
      });
    });

    test('publish only its own telemetry, through Basic Ingest of the telemetry rule only (never the plain topic)', () => {
      expect(policy.Statement[1]).toEqual({
        Sid: 'PublishOwnTelemetry',
        Effect: 'Allow',
        Action: ['iot:Publish'],
        Resource: [
          'arn:aws:iot:sa-east-1:111122223333:topic/$aws/rules/iot_telemetry_dev/dt/sp01/line-a/${iot:Connection.Thing.ThingName}/telemetry',
          'arn:aws:iot:sa-east-1:111122223333:topic/$aws/rules/iot_telemetry_dev/dt/sp01/line-b/${iot:Connection.Thing.ThingName}/telemetry',
        ],
      });
    });

    test('nothing else: two Allow statements, no subscribe, receive, shadow or wildcard action', () => {
      expect(policy.Statement).toHaveLength(2);
      const actions = policy.Statement.flatMap((statement) => statement.Action);
      expect(actions).toEqual(['iot:Connect', 'iot:Publish']);
      expect(policy.Statement.every((statement) => statement.Effect === 'Allow')).toBe(true);
      const publishTopics = [policy.Statement[1].Resource ?? []].flat();
      expect(publishTopics.filter((topic) => !topic.includes(':topic/$aws/rules/iot_telemetry_dev/'))).toEqual([]);
      expect(JSON.stringify(policy)).not.toMatch(/Subscribe|Receive|shadow|iot:\*/);
    });
  });

  describe('topic rules', () => {
    test('telemetry: SQL 2016-03-23 enriching from the topic (Basic Ingest strips the $aws/rules prefix), no WHERE', () => {
      const rule = ruleOf(objects, 'iot-telemetry-dev');
      expect(rule.sqlVersion).toBe('2016-03-23');
      expect(rule.sql).toBe(
        "SELECT *, topic(2) AS plantId, topic(3) AS lineId, topic(4) AS thingName, clientid() AS clientId, timestamp() AS receivedAt FROM 'dt/sp01/+/+/telemetry'",
      );
      expect(rule.sql).not.toContain('WHERE');
      expect(rule.enabled).toBe(true);
      expect(findObject(objects, 'TopicRule', 'iot-telemetry-dev').metadata.annotations).toMatchObject({ 'crossplane.io/external-name': 'iot_telemetry_dev' });
    });

    test('telemetry: into the stream by asset id; failures to the S3 quarantine by hour', () => {
      const rule = ruleOf(objects, 'iot-telemetry-dev');
      expect(rule.kinesis).toEqual([
        { streamName: 'kinesis-telemetry-dev', partitionKey: '${assetId}', roleArn: 'arn:aws:iam::111122223333:role/iam-iot-rule-dev' },
      ]);
      expect(rule.errorAction).toEqual({
        s3: {
          bucketName: 's3-archive-111122223333-dev',
          key: 'quarantine/iot/${parse_time("yyyy/MM/dd/HH", timestamp())}/${newuuid()}.json',
          roleArn: 'arn:aws:iam::111122223333:role/iam-iot-rule-dev',
        },
      });
    });

    test('presence: lifecycle events marked as presence, by client id, quarantined under presence/', () => {
      const rule = ruleOf(objects, 'iot-presence-dev');
      expect(rule.sql).toBe("SELECT *, 'presence' AS recordType, clientId AS thingName, timestamp() AS receivedAt FROM '$aws/events/presence/+/+'");
      expect(rule.sql).toBe(presenceSql());
      expect(rule.kinesis).toEqual([
        { streamName: 'kinesis-telemetry-dev', partitionKey: '${clientId}', roleArn: 'arn:aws:iam::111122223333:role/iam-iot-rule-dev' },
      ]);
      expect(rule.errorAction.s3.key).toBe('quarantine/iot/presence/${parse_time("yyyy/MM/dd/HH", timestamp())}/${newuuid()}.json');
      expect(findObject(objects, 'TopicRule', 'iot-presence-dev').metadata.annotations).toMatchObject({ 'crossplane.io/external-name': 'iot_presence_dev' });
    });

    test('the plant id of the environment is the FROM filter', () => {
      const config = { ...loadEnvironmentConfig('dev'), plant: { id: 'rj02', lines: ['l1'] } };
      expect(telemetrySql(config)).toMatch(/FROM 'dt\/rj02\/\+\/\+\/telemetry'$/);
      const props = { config, names: new PlatformNames(config), capacity: planCapacity(config) };
      const rendered = Testing.synth(new IngestionChart(Testing.app(), 'ingestion', props)) as RenderedObject[];
      expect((findObject(rendered, 'Policy').spec as { forProvider: { policy: string } }).forProvider.policy).toContain('topic/$aws/rules/iot_telemetry_dev/dt/rj02/l1/${iot:Connection.Thing.ThingName}/telemetry');
    });
  });

  describe('IAM', () => {
    test('rule role: PutRecord on the stream, PutObject under quarantine/iot/, GenerateDataKey on the platform key via Kinesis and S3', () => {
      expect(statementsOf(findObject(objects, 'Role', 'iam-iot-rule-dev'))).toEqual([
        { Sid: 'PutTelemetryRecords', Effect: 'Allow', Action: ['kinesis:PutRecord'], Resource: ['arn:aws:kinesis:sa-east-1:111122223333:stream/kinesis-telemetry-dev'] },
        { Sid: 'QuarantineFailedMessages', Effect: 'Allow', Action: ['s3:PutObject'], Resource: ['arn:aws:s3:::s3-archive-111122223333-dev/quarantine/iot/*'] },
        {
          Sid: 'EncryptWithPlatformKey',
          Effect: 'Allow',
          Action: ['kms:GenerateDataKey'],
          Resource: ['arn:aws:kms:sa-east-1:111122223333:key/*'],
          Condition: {
            'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/kms-telemetry-dev' },
            StringEquals: { 'kms:ViaService': ['kinesis.sa-east-1.amazonaws.com', 's3.sa-east-1.amazonaws.com'] },
          },
        },
      ]);
    });

    test('rule role trust: IoT, this account, the two rules only', () => {
      expect(trustOf(findObject(objects, 'Role', 'iam-iot-rule-dev'))).toEqual([
        {
          Effect: 'Allow',
          Principal: { Service: 'iot.amazonaws.com' },
          Action: 'sts:AssumeRole',
          Condition: {
            StringEquals: { 'aws:SourceAccount': '111122223333' },
            ArnEquals: { 'aws:SourceArn': ['arn:aws:iot:sa-east-1:111122223333:rule/iot_telemetry_dev', 'arn:aws:iot:sa-east-1:111122223333:rule/iot_presence_dev'] },
          },
        },
      ]);
    });

    test('logging role: log streams and events of AWSIotLogsV2 only, trusted by IoT of this account', () => {
      const role = findObject(objects, 'Role', 'iam-iot-logging-dev');
      expect(statementsOf(role)).toEqual([
        {
          Sid: 'WriteIotLogs',
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: ['arn:aws:logs:sa-east-1:111122223333:log-group:AWSIotLogsV2:*'],
        },
      ]);
      expect(trustOf(role)).toEqual([
        {
          Effect: 'Allow',
          Principal: { Service: 'iot.amazonaws.com' },
          Action: 'sts:AssumeRole',
          // IoT Core of this account in sa-east-1 only (confused deputy).
          Condition: { StringEquals: { 'aws:SourceAccount': '111122223333' }, ArnLike: { 'aws:SourceArn': 'arn:aws:iot:sa-east-1:111122223333:*' } },
        },
      ]);
    });

    test('no wildcard action and no "*" resource in either role', () => {
      for (const name of ['iam-iot-rule-dev', 'iam-iot-logging-dev']) {
        for (const statement of statementsOf(findObject(objects, 'Role', name))) {
          for (const action of [statement.Action].flat()) expect(action).not.toContain('*');
          expect(statement.Resource).not.toContain('*');
        }
      }
    });
  });

  test('IoT logging: WARN through the logging role into an encrypted log group with the configured retention', () => {
    expect((findObject(objects, 'LoggingOptions').spec as { forProvider: unknown }).forProvider).toEqual({
      region: 'sa-east-1',
      defaultLogLevel: 'WARN',
      disableAllLogs: false,
      roleArn: 'arn:aws:iam::111122223333:role/iam-iot-logging-dev',
    });
    expect(findObject(objects, 'LogGroup', 'logs-iot-dev').spec).toMatchObject({
      name: 'AWSIotLogsV2',
      retentionDays: 30,
      kmsKeyRef: { from: { name: 'kms-telemetry-dev' } },
    });
  });

  test('tags on the policy and the rules', () => {
    for (const kind of ['Policy', 'TopicRule']) {
      for (const object of objects.filter((candidate) => candidate.kind === kind)) {
        expect((object.spec as { forProvider: { tags: Record<string, string> } }).forProvider.tags).toEqual({
          project: 'plant-telemetry',
          environment: 'dev',
          owner: 'platform-team',
          'cost-center': 'plant-sp-it',
          'data-classification': 'internal',
        });
      }
    }
  });

  test('prod uses its own account, names and rule ARNs', () => {
    const prod = render('prod');
    expect(ruleOf(prod, 'iot-telemetry-prod').kinesis[0]).toEqual({
      streamName: 'kinesis-telemetry-prod',
      partitionKey: '${assetId}',
      roleArn: 'arn:aws:iam::444455556666:role/iam-iot-rule-prod',
    });
    expect(JSON.stringify(prod)).not.toContain('111122223333');
  });
});

describe('IngestionChart device policy size', () => {
  test('more lines than the 2,048-character IoT policy holds is a config error naming plant.lines', () => {
    const base = platformProps().config;
    const lines = Array.from({ length: 20 }, (_, index) => `assembly-line-${index}`);
    const config = { ...base, plant: { ...base.plant, lines } };
    const props = { config, names: new PlatformNames(config), capacity: planCapacity(config) };
    expect(() => new IngestionChart(Testing.app(), 'ingestion', props)).toThrow(
      /^config\/dev\.yaml: plant\.lines: value \["assembly-line-0",.*"assembly-line-19"\] is not allowed; 20 lines make the device policy \d+ characters, over IoT Core's limit of 2048; at most 12 lines of ids this long fit \(shorter ids fit more\)$/,
    );
  });
});
