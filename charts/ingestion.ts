import { Construct } from 'constructs';
import { QUARANTINE_PREFIX } from '../functions/shared/constants';
import { LogGroup } from '../imports/cloudwatchlogs.services.k8s.aws';
import {
  LoggingOptions,
  LoggingOptionsSpecManagementPolicies,
  Policy,
  PolicySpecManagementPolicies,
  TopicRule,
  TopicRuleSpecManagementPolicies,
} from '../imports/iot.aws.m.upbound.io';
import { AccessStatement, LeastPrivilegeRole } from './constructs/LeastPrivilegeRole';
import { ackMetadata } from './lib/ackMetadata';
import { compactLength } from './lib/compactLength';
import { ConfigError, EnvironmentConfig } from './lib/config';
import { crossplaneMetadata } from './lib/crossplaneMetadata';
import { crossplaneSpec } from './lib/crossplaneSpec';
import { documentJson } from './lib/documentJson';
import { PlatformNames } from './lib/names';
import { PlatformChart, PlatformChartProps } from './lib/PlatformChart';
import { platformTags } from './lib/platformTags';
import { presenceSql } from './lib/presenceSql';
import { telemetrySql } from './lib/telemetrySql';

/**
 * WARN: errors (denied connects and publishes, failed rule actions) plus warnings, without the
 * per-message INFO/DEBUG volume.
 */
export const IOT_LOG_LEVEL = 'WARN';

const SQL_VERSION = '2016-03-23';
const THING_NAME = '${iot:Connection.Thing.ThingName}';
const EXTERNAL_NAME_ANNOTATION = 'crossplane.io/external-name';

/** Kubernetes object names of this chart's objects whose AWS names are not valid object names. */
function ingestionObjectNames(config: EnvironmentConfig, names: PlatformNames): {
  telemetryRule: string;
  presenceRule: string;
  loggingOptions: string;
  iotLogGroup: string;
} {
  // Rule names allow only [A-Za-z0-9_] while object names allow no underscore: same words, hyphens.
  return {
    telemetryRule: names.telemetryRule.replace(/_/g, '-'),
    presenceRule: names.presenceRule.replace(/_/g, '-'),
    loggingOptions: `iot-logging-${config.suffix}`,
    iotLogGroup: `logs-iot-${config.suffix}`,
  };
}

/** S3 key of a message a rule could not deliver, by hour of failure (UTC). */
function ruleErrorKey(subfolder: string): string {
  return `${QUARANTINE_PREFIX}iot/${subfolder}\${parse_time("yyyy/MM/dd/HH", timestamp())}/\${newuuid()}.json`;
}

/** AWS IoT Core refuses policy documents longer than this (characters, whitespace excluded). */
export const IOT_POLICY_MAX_CHARACTERS = 2048;

/**
 * The device policy: a device connects only as its own thing (client id = thing name, certificate
 * attached to that thing) and publishes only its own telemetry, through Basic Ingest only: the plain
 * topic would bill messaging on every message and widen what a compromised device can reach (any
 * subscriber, retained messages). Nothing else: no subscribe, no receive, no shadow, no retain.
 */
function devicePolicyDocument(config: EnvironmentConfig, names: PlatformNames): Record<string, unknown> {
  const iot = `arn:aws:iot:${config.region}:${config.accountId}`;
  // One resource per configured line rather than a `*` level: in IoT policies `*` also matches `/`,
  // and a device of an unknown line has no business publishing.
  const telemetryTopics = config.plant.lines.map((line) => `dt/${config.plant.id}/${line}/${THING_NAME}/telemetry`);
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'ConnectAsOwnThing',
        Effect: 'Allow',
        Action: ['iot:Connect'],
        Resource: [`${iot}:client/${THING_NAME}`],
        Condition: { Bool: { 'iot:Connection.Thing.IsAttached': 'true' } },
      },
      {
        Sid: 'PublishOwnTelemetry',
        Effect: 'Allow',
        Action: ['iot:Publish'],
        Resource: telemetryTopics.map((topic) => `${iot}:topic/$aws/rules/${names.telemetryRule}/${topic}`),
      },
    ],
  };
}

/** The rules' role: put to the stream, quarantine what fails, and the key for both. */
function iotRuleAccess(config: EnvironmentConfig, names: PlatformNames): AccessStatement[] {
  return [
    { sid: 'PutTelemetryRecords', actions: ['kinesis:PutRecord'], resources: [names.streamArn] },
    {
      sid: 'QuarantineFailedMessages',
      actions: ['s3:PutObject'],
      resources: [`${names.archiveBucketArn}/${QUARANTINE_PREFIX}iot/*`],
    },
    {
      sid: 'EncryptWithPlatformKey',
      // The stream and the bucket encrypt with the platform key on behalf of the writer.
      actions: ['kms:GenerateDataKey'],
      resources: [names.kmsKeysArn],
      conditions: {
        'ForAnyValue:StringEquals': { 'kms:ResourceAliases': names.kmsAlias },
        StringEquals: { 'kms:ViaService': [`kinesis.${config.region}.amazonaws.com`, `s3.${config.region}.amazonaws.com`] },
      },
    },
  ];
}

/**
 * IoT Core's logging role. Only streams and events: the log group itself is created here, encrypted
 * and with retention, so IoT needs neither CreateLogGroup (it would recreate it without either) nor
 * PutRetentionPolicy / PutMetricFilter.
 */
function iotLoggingAccess(names: PlatformNames): AccessStatement[] {
  return [
    {
      sid: 'WriteIotLogs',
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [`${names.logGroupArn(names.iotLogGroup)}:*`],
    },
  ];
}

/**
 * Device ingestion through IoT Core (Crossplane: there is no ACK controller for IoT): the device
 * policy, the telemetry and presence topic rules into the stream with an S3 error action, IoT Core
 * logging, and the two IAM roles (ACK) the rules and the logging assume.
 */
export class IngestionChart extends PlatformChart {
  constructor(scope: Construct, id: string, props: PlatformChartProps) {
    super(scope, id, props);
    const { config, names } = this;
    const objects = ingestionObjectNames(config, names);
    const { providerConfigRef, managementPolicies } = crossplaneSpec(names);
    const tags = platformTags(config);

    // The provider compares the policy as JSON (an equivalence diff suppression), so indentation is no drift.
    const policyDocument = documentJson(devicePolicyDocument(config, names));
    const policyChars = compactLength(policyDocument);
    if (policyChars > IOT_POLICY_MAX_CHARACTERS) {
      // Each line adds its resources to the policy: how many lines of these ids' average length fit.
      const withoutLines = compactLength(documentJson(devicePolicyDocument({ ...config, plant: { ...config.plant, lines: [] } }, names)));
      const perLine = (policyChars - withoutLines) / config.plant.lines.length;
      const fitting = Math.floor((IOT_POLICY_MAX_CHARACTERS - withoutLines) / perLine);
      throw new ConfigError(
        config.sourceFile,
        'plant.lines',
        config.plant.lines,
        `${config.plant.lines.length} lines make the device policy ${policyChars} characters, over IoT Core's limit of ${IOT_POLICY_MAX_CHARACTERS}; ` +
          `at most ${fitting} lines of ids this long fit (shorter ids fit more)`,
      );
    }
    new Policy(this, 'device-policy', {
      metadata: crossplaneMetadata(config, names, names.devicePolicy, 'iotRules'),
      spec: {
        providerConfigRef,
        managementPolicies: managementPolicies as PolicySpecManagementPolicies[],
        forProvider: { region: config.region, policy: policyDocument, tags },
      },
    });

    const ruleRole = new LeastPrivilegeRole(this, 'rule-role', {
      config,
      names,
      roleName: names.iotRuleRole,
      description: 'Role of the IoT Core topic rules: put records to the stream, quarantine failed messages',
      trust: {
        service: 'iot.amazonaws.com',
        conditions: {
          StringEquals: { 'aws:SourceAccount': config.accountId },
          ArnEquals: { 'aws:SourceArn': [names.topicRuleArn(names.telemetryRule), names.topicRuleArn(names.presenceRule)] },
        },
      },
      policies: { 'iot-rules': iotRuleAccess(config, names) },
    });

    const loggingRole = new LeastPrivilegeRole(this, 'logging-role', {
      config,
      names,
      roleName: names.iotLoggingRole,
      description: 'Role IoT Core assumes to write its logs',
      // IoT Core of this account in sa-east-1 only (confused deputy): the logging options name no resource to pin.
      trust: {
        service: 'iot.amazonaws.com',
        conditions: { StringEquals: { 'aws:SourceAccount': config.accountId }, ArnLike: { 'aws:SourceArn': `arn:aws:iot:${config.region}:${config.accountId}:*` } },
      },
      policies: { 'iot-logging': iotLoggingAccess(names) },
    });

    const errorAction = (subfolder: string): { s3: { bucketName: string; key: string; roleArn: string } } => ({
      // No cannedAcl: the bucket owns its objects (ACLs disabled), and a request carrying an ACL would fail.
      s3: { bucketName: names.archiveBucket, key: ruleErrorKey(subfolder), roleArn: ruleRole.roleArn },
    });

    const rules = [
      {
        id: 'telemetry-rule',
        objectName: objects.telemetryRule,
        ruleName: names.telemetryRule,
        description: 'Device telemetry (data contract v1, Basic Ingest) into the stream, partitioned by asset',
        sql: telemetrySql(config),
        // One asset's records land on one shard, in order. A message without assetId fails the put
        // (empty partition key) and goes to the error action, i.e. to quarantine with the reason.
        partitionKey: '${assetId}',
        errorSubfolder: '',
      },
      {
        id: 'presence-rule',
        objectName: objects.presenceRule,
        ruleName: names.presenceRule,
        description: 'Device connect/disconnect lifecycle events into the stream, partitioned by client id',
        sql: presenceSql(),
        partitionKey: '${clientId}',
        errorSubfolder: 'presence/',
      },
    ];
    for (const rule of rules) {
      const metadata = crossplaneMetadata(config, names, rule.objectName, 'iotRules');
      new TopicRule(this, rule.id, {
        metadata: { ...metadata, annotations: { ...metadata.annotations, [EXTERNAL_NAME_ANNOTATION]: rule.ruleName } },
        spec: {
          providerConfigRef,
          managementPolicies: managementPolicies as TopicRuleSpecManagementPolicies[],
          forProvider: {
            region: config.region,
            description: rule.description,
            enabled: true,
            sqlVersion: SQL_VERSION,
            sql: rule.sql,
            kinesis: [{ streamName: names.stream, partitionKey: rule.partitionKey, roleArn: ruleRole.roleArn }],
            errorAction: errorAction(rule.errorSubfolder),
            tags,
          },
        },
      });
    }

    // IoT Core creates this group itself once v2 logging is on: an account that logged before, or IoT logging
    // again between a tear-down's delete of the group and its turning logging off, already has it.
    new LogGroup(this, 'iot-logs', {
      metadata: ackMetadata(config, names, objects.iotLogGroup, 'logGroups', true),
      spec: {
        name: names.iotLogGroup,
        retentionDays: config.retention.logDays,
        kmsKeyRef: { from: { name: names.kmsKeyObject } },
        tags,
      },
    });

    // Account-wide per region: one environment per account (as config/ has it) owns IoT logging.
    new LoggingOptions(this, 'logging-options', {
      metadata: crossplaneMetadata(config, names, objects.loggingOptions, 'iotRules'),
      spec: {
        providerConfigRef,
        managementPolicies: managementPolicies as LoggingOptionsSpecManagementPolicies[],
        forProvider: { region: config.region, defaultLogLevel: IOT_LOG_LEVEL, disableAllLogs: false, roleArn: loggingRole.roleArn },
      },
    });
  }
}
