import { platformTags } from '../../charts/lib/platformTags';
import { KMS_CONTROLLER, KMS_CONTROLLER_KEY_ACTIONS, LAMBDA_CONTROLLER, LAMBDA_ENVIRONMENT_KEY_ACTIONS } from '../../charts/security';
import { QUARANTINE_PREFIX, TABLE_KEYS } from '../../functions/shared/constants';
import { policyHolder } from './policyHolder';
import { ADMINISTRATOR, type ProofCheck } from './policyProofCatalog';
import type { PlatformPolicies } from './policyProofRender';
import { PLATFORM_KEY_ID, type AccessRequest, type ContextValues, type ProofPrincipal } from './policyProofSimulator';
import { redriveOperator } from './redriveOperator';

/** Placeholders for ids AWS assigns at creation (none appears in a policy: they are matched by pattern or tag). */
const EXAMPLE = {
  networkInterface: 'eni-0a1b2c3d4e5f60718',
  securityGroup: 'sg-0a1b2c3d4e5f60718',
  subnet: (index: number): string => `subnet-0a1b2c3d4e5f6071${index}`,
  logStream: '2026/01/01/[$LATEST]0123456789abcdef0123456789abcdef',
  hour: '2026/01/01/00',
  thing: 'gw-press-01',
  otherThing: 'gw-press-02',
  certificate: '0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9',
  /** Another account; the second one stands in when an environment's own account is the first. */
  foreignAccounts: ['999988887777', '888877776666'],
  /** A consumer's registration time, as the last field of its ARN (2026-12-01T12:00:00Z). */
  consumerRegisteredAt: 1796126400,
  otherConsumer: 'kinesis-analytics',
  /** An alarm of the account that is not the platform's (not named cw-<purpose>-<suffix>). */
  otherAlarm: 'billing-estimated-charges',
  /** A key CreateKey is making: the tags of the request are authorized before any key policy exists. */
  newKey: '1a2b3c4d-5e6f-4071-8293-a4b5c6d7e8f9',
  /** Another key of the account, with the default key policy (IAM decides). */
  otherKey: '9f8e7d6c-5b4a-4392-8170-6e5d4c3b2a19',
  vpcEndpoint: 'vpce-0123456789abcdef0',
  /** The private hosted zone AWS creates, in an account of its own, for an interface endpoint's private DNS. */
  hostedZone: 'Z08123456789ABCDEFGHI',
} as const;

/**
 * The catalog of one environment: every request the platform makes, must be allowed; and the requests
 * least privilege must refuse. Required requests come from the code (functions/, scripts/redrive.ts) and
 * from what AWS services do on the platform's behalf, not from the policies.
 */
export function proofCatalog(policies: PlatformPolicies): ProofCheck[] {
  const { config, names } = policies;
  const region = config.region;
  const account = config.accountId;
  // "Another account" must not be the environment's own, or every cross-account denial would read as a failure.
  const foreignAccount = EXAMPLE.foreignAccounts.find((candidate) => candidate !== account) ?? EXAMPLE.foreignAccounts[0];
  const checks: ProofCheck[] = [];
  const required = (title: string, request: AccessRequest, covers?: string): void => {
    checks.push({ expect: 'required', title, request, ...(covers === undefined ? {} : { covers }) });
  };
  const forbidden = (title: string, request: AccessRequest): void => {
    checks.push({ expect: 'forbidden', title, request });
  };

  const role = (roleName: string): ProofPrincipal => ({ kind: 'role', roleName });
  const service = (name: string): ProofPrincipal => ({ kind: 'service', service: name });
  const processor = role(names.processorRole);
  const storer = role(names.storerRole);
  const iotRule = role(names.iotRuleRole);
  const iotLogging = role(names.iotLoggingRole);
  const firehose = role(names.firehoseRole);
  const operator = redriveOperator(policies);
  const device: ProofPrincipal = { kind: 'device', certificateId: EXAMPLE.certificate };

  const keyArn = names.kmsKeysArn.replace('*', PLATFORM_KEY_ID);
  const viaService = (name: string): string => `${name}.${region}.amazonaws.com`;
  /** A KMS request a service makes with its caller's identity, with the context KMS sees. */
  const kms = (via: string, encryptionContext: Record<string, string>): ContextValues => ({
    'kms:CallerAccount': account,
    'kms:ViaService': viaService(via),
    'kms:ResourceAliases': [names.kmsAlias],
    ...Object.fromEntries(Object.entries(encryptionContext).map(([key, value]) => [`kms:EncryptionContext:${key}`, value])),
  });
  const streamContext = { 'aws:kinesis:arn': names.streamArn };
  const queueContext = { 'aws:sqs:arn': names.deadLetterQueueArn };
  // The bucket key is on: S3 asks KMS for the bucket's key with the bucket ARN as context.
  const bucketContext = { 'aws:s3:arn': names.archiveBucketArn };
  const tableContext = (table: string): Record<string, string> => ({ 'aws:dynamodb:tableName': table, 'aws:dynamodb:subscriberId': account });
  const object = (key: string): string => `${names.archiveBucketArn}/${key}`;
  const quarantineObject = (fn: string): string => object(`${QUARANTINE_PREFIX}${fn}/${EXAMPLE.hour}/shardId-000000000000/49650000000000000000000000000000000000000000000000000002.json`);
  const rawObject = object(`${names.archiveRawPrefix}year=2026/month=01/day=01/hour=00/${names.firehose}-1-2026-01-01-00-00-00-0a1b2c3d.gz`);
  /** An hour folder of the telemetry rule's error action, and one of its objects (charts/ingestion.ts ruleErrorKey). */
  const iotQuarantineFolder = `${QUARANTINE_PREFIX}iot/${EXAMPLE.hour}/`;
  const iotQuarantineObject = object(`${iotQuarantineFolder}0a1b2c3d-4e5f-4071-8293-a4b5c6d7e8f9.json`);
  const tls = (secure: boolean): ContextValues => ({ 'aws:SecureTransport': String(secure) });
  const streamActions = ['kinesis:DescribeStream', 'kinesis:DescribeStreamSummary', 'kinesis:GetRecords', 'kinesis:GetShardIterator', 'kinesis:ListShards'];
  const tables = {
    readings: names.tableArn(names.readingsTable),
    assetStatus: names.tableArn(names.assetStatusTable),
    detectorState: names.tableArn(names.detectorStateTable),
  };

  /** Lambda manages a function's network interfaces in the private subnets with its role; the function writes its own logs. */
  const runtimeChecks = (fn: string, principal: ProofPrincipal, functionName: string): void => {
    const eni = `arn:aws:ec2:${region}:${account}:network-interface/${EXAMPLE.networkInterface}`;
    const resourceTags = (tags: Readonly<Record<string, string>>): ContextValues => Object.fromEntries(Object.entries(tags).map(([key, value]) => [`aws:ResourceTag/${key}`, value]));
    required(`${fn} VPC: ec2:CreateNetworkInterface (the new interface)`, { principal, action: 'ec2:CreateNetworkInterface', resource: eni });
    policies.subnetTags.forEach((tags, index) => {
      required(`${fn} VPC: ec2:CreateNetworkInterface in private subnet ${names.privateSubnets[index]?.object} (by its tags)`, {
        principal,
        action: 'ec2:CreateNetworkInterface',
        resource: `arn:aws:ec2:${region}:${account}:subnet/${EXAMPLE.subnet(index)}`,
        context: resourceTags(tags),
      });
    });
    required(`${fn} VPC: ec2:CreateNetworkInterface with security group ${names.functionsSecurityGroup} (by its tags)`, {
      principal,
      action: 'ec2:CreateNetworkInterface',
      resource: `arn:aws:ec2:${region}:${account}:security-group/${EXAMPLE.securityGroup}`,
      context: resourceTags(policies.functionsSecurityGroupTags),
    });
    for (const action of ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets']) {
      required(`${fn} VPC: ${action}`, { principal, action, resource: '*' });
    }
    for (const action of ['ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses']) {
      required(`${fn} VPC: ${action} on its interface`, { principal, action, resource: eni });
    }
    for (const action of ['logs:CreateLogStream', 'logs:PutLogEvents']) {
      required(`${fn} logs: ${action} in ${names.logGroup(functionName)}`, {
        principal,
        action,
        resource: `${names.logGroupArn(names.logGroup(functionName))}:log-stream:${EXAMPLE.logStream}`,
      });
    }
  };

  // --- Trust: each service assumes its role, with the confused-deputy context it sends. ---
  for (const [fn, roleName] of [
    [names.processorFunction, names.processorRole],
    [names.storerFunction, names.storerRole],
    [names.queryFunction, names.queryRole],
  ] as const) {
    required(`lambda.amazonaws.com assumes ${roleName} for ${fn}`, {
      principal: service('lambda.amazonaws.com'),
      action: 'sts:AssumeRole',
      resource: names.roleArn(roleName),
      context: { 'aws:SourceAccount': account, 'aws:SourceArn': names.functionArn(fn) },
    });
    forbidden(`lambda.amazonaws.com assumes ${roleName} for a function of another account`, {
      principal: service('lambda.amazonaws.com'),
      action: 'sts:AssumeRole',
      resource: names.roleArn(roleName),
      context: { 'aws:SourceAccount': foreignAccount, 'aws:SourceArn': `arn:aws:lambda:${region}:${foreignAccount}:function:${fn}` },
    });
  }
  forbidden(`ec2.amazonaws.com assumes ${names.processorRole}`, {
    principal: service('ec2.amazonaws.com'),
    action: 'sts:AssumeRole',
    resource: names.roleArn(names.processorRole),
    context: { 'aws:SourceAccount': account },
  });
  for (const rule of [names.telemetryRule, names.presenceRule]) {
    required(`iot.amazonaws.com assumes ${names.iotRuleRole} for topic rule ${rule}`, {
      principal: service('iot.amazonaws.com'),
      action: 'sts:AssumeRole',
      resource: names.roleArn(names.iotRuleRole),
      context: { 'aws:SourceAccount': account, 'aws:SourceArn': names.topicRuleArn(rule) },
    });
  }
  forbidden(`iot.amazonaws.com assumes ${names.iotRuleRole} for a topic rule of this account that is not the platform's`, {
    principal: service('iot.amazonaws.com'),
    action: 'sts:AssumeRole',
    resource: names.roleArn(names.iotRuleRole),
    context: { 'aws:SourceAccount': account, 'aws:SourceArn': names.topicRuleArn('another_rule') },
  });
  required(`iot.amazonaws.com assumes ${names.iotLoggingRole} to write IoT Core logs`, {
    principal: service('iot.amazonaws.com'),
    action: 'sts:AssumeRole',
    resource: names.roleArn(names.iotLoggingRole),
    context: { 'aws:SourceAccount': account, 'aws:SourceArn': `arn:aws:iot:${region}:${account}:*` },
  });
  forbidden(`iot.amazonaws.com assumes ${names.iotLoggingRole} for IoT Core of this account in another region`, {
    principal: service('iot.amazonaws.com'),
    action: 'sts:AssumeRole',
    resource: names.roleArn(names.iotLoggingRole),
    context: { 'aws:SourceAccount': account, 'aws:SourceArn': `arn:aws:iot:us-east-1:${account}:*` },
  });
  required(`firehose.amazonaws.com assumes ${names.firehoseRole} for ${names.firehose}`, {
    principal: service('firehose.amazonaws.com'),
    action: 'sts:AssumeRole',
    resource: names.roleArn(names.firehoseRole),
    context: { 'sts:ExternalId': account, 'aws:SourceAccount': account, 'aws:SourceArn': names.firehoseArn },
  });
  forbidden(`firehose.amazonaws.com assumes ${names.firehoseRole} for another account (external id)`, {
    principal: service('firehose.amazonaws.com'),
    action: 'sts:AssumeRole',
    resource: names.roleArn(names.firehoseRole),
    context: { 'sts:ExternalId': foreignAccount, 'aws:SourceAccount': foreignAccount },
  });

  // --- The processor's code (functions/processor): through the VPC endpoints. ---
  required('processor: StatusStore UpdateItem on the asset-status table', { principal: processor, action: 'dynamodb:UpdateItem', resource: tables.assetStatus, endpoint: 'dynamodb' });
  required('processor: DetectorStateStore BatchGetItem on the detector-state table', { principal: processor, action: 'dynamodb:BatchGetItem', resource: tables.detectorState, endpoint: 'dynamodb' });
  required('processor: DetectorStateStore BatchWriteItem on the detector-state table', { principal: processor, action: 'dynamodb:BatchWriteItem', resource: tables.detectorState, endpoint: 'dynamodb' });
  required('processor: DetectorStateStore UpdateItem of a shard lease on the detector-state table', { principal: processor, action: 'dynamodb:UpdateItem', resource: tables.detectorState, endpoint: 'dynamodb' });
  required('processor: AlertPublisher Publish to the alert topic', { principal: processor, action: 'sns:Publish', resource: names.alertTopicArn, endpoint: 'sns' });
  required(
    'processor: QuarantineWriter PutObject under quarantine/processor/ without an encryption header (bucket default SSE-KMS)',
    { principal: processor, action: 's3:PutObject', resource: quarantineObject('processor'), endpoint: 's3' },
    `${names.archiveBucketArn}/${QUARANTINE_PREFIX}processor/*`,
  );
  // --- The storer's code (functions/storer). ---
  required('storer: BucketStore GetItem on the readings table', { principal: storer, action: 'dynamodb:GetItem', resource: tables.readings, endpoint: 'dynamodb' });
  required('storer: BucketStore PutItem on the readings table', { principal: storer, action: 'dynamodb:PutItem', resource: tables.readings, endpoint: 'dynamodb' });
  required(
    'storer: QuarantineWriter PutObject under quarantine/storer/ without an encryption header (bucket default SSE-KMS)',
    { principal: storer, action: 's3:PutObject', resource: quarantineObject('storer'), endpoint: 's3' },
    `${names.archiveBucketArn}/${QUARANTINE_PREFIX}storer/*`,
  );

  // --- The platform key behind those calls, used by each service with the function's identity. ---
  for (const [fn, principal, fnTables] of [
    ['processor', processor, [names.assetStatusTable, names.detectorStateTable]],
    ['storer', storer, [names.readingsTable]],
  ] as const) {
    for (const table of fnTables) {
      required(`${fn}: kms:Decrypt via DynamoDB for ${table}`, { principal, action: 'kms:Decrypt', resource: keyArn, context: kms('dynamodb', tableContext(table)) });
    }
    required(`${fn}: kms:DescribeKey via DynamoDB`, { principal, action: 'kms:DescribeKey', resource: keyArn, context: kms('dynamodb', {}) });
    required(`${fn}: kms:GenerateDataKey via S3 for a quarantine object`, { principal, action: 'kms:GenerateDataKey', resource: keyArn, context: kms('s3', bucketContext) });

    // The event source mapping reads the stream and dead-letters with the function's role.
    for (const action of streamActions) {
      required(`${fn} mapping: ${action} on the stream`, { principal, action, resource: names.streamArn });
    }
    required(`${fn} mapping: kms:Decrypt via Kinesis of the encrypted stream`, { principal, action: 'kms:Decrypt', resource: keyArn, context: kms('kinesis', streamContext) });
    required(`${fn} mapping: sqs:SendMessage of a failed batch to the dead-letter queue`, { principal, action: 'sqs:SendMessage', resource: names.deadLetterQueueArn });
    for (const action of ['kms:GenerateDataKey', 'kms:Decrypt']) {
      required(`${fn} mapping: ${action} via SQS for the encrypted dead-letter queue`, { principal, action, resource: keyArn, context: kms('sqs', queueContext) });
    }

    runtimeChecks(fn, principal, fn === 'processor' ? names.processorFunction : names.storerFunction);

    // Each key action only through the services that need it: writing quarantine objects is no reason to decrypt through S3.
    forbidden(`${fn}: kms:Decrypt via S3 (it reads no archive object)`, { principal, action: 'kms:Decrypt', resource: keyArn, context: kms('s3', bucketContext) });
    forbidden(`${fn}: kms:GenerateDataKey via Kinesis (it never writes to the stream)`, { principal, action: 'kms:GenerateDataKey', resource: keyArn, context: kms('kinesis', streamContext) });
    for (const via of ['kinesis', 's3', 'sqs']) {
      forbidden(`${fn}: kms:DescribeKey via ${via} (only DynamoDB checks the key for it)`, { principal, action: 'kms:DescribeKey', resource: keyArn, context: kms(via, {}) });
    }
  }
  forbidden('storer: kms:GenerateDataKey via SNS (it publishes nothing)', { principal: storer, action: 'kms:GenerateDataKey', resource: keyArn, context: kms('sns', { 'aws:sns:topicArn': names.alertTopicArn }) });

  // --- The processor's enhanced fan-out consumer: read through it only once its ARN is recorded, by the processor only. ---
  const consumerArn = config.capacity.processorConsumerArn ?? `${names.processorConsumerArnPrefix}${EXAMPLE.consumerRegisteredAt}`;
  const consumerReads = ['kinesis:SubscribeToShard', 'kinesis:DescribeStreamConsumer'];
  for (const action of consumerReads) {
    if (config.capacity.processorConsumerArn === undefined) forbidden(`processor: ${action} on its consumer while its mapping polls the stream`, { principal: processor, action, resource: consumerArn });
    else required(`processor mapping: ${action} on its fan-out consumer`, { principal: processor, action, resource: consumerArn });
    forbidden(`storer: ${action} on the processor's consumer`, { principal: storer, action, resource: consumerArn });
    forbidden(`processor: ${action} on another consumer of the stream`, { principal: processor, action, resource: `${names.streamArn}/consumer/${EXAMPLE.otherConsumer}:${EXAMPLE.consumerRegisteredAt}` });
  }
  forbidden('processor: kinesis:RegisterStreamConsumer on the stream (Crossplane registers consumers)', { principal: processor, action: 'kinesis:RegisterStreamConsumer', resource: names.streamArn });

  // --- CloudWatch Logs encrypts the platform's log groups with the key (its own service principal). ---
  for (const group of [names.logGroup(names.processorFunction), names.logGroup(names.storerFunction), names.logGroup(names.queryFunction), names.iotLogGroup]) {
    for (const action of ['kms:GenerateDataKey', 'kms:Decrypt']) {
      required(`logs.${region}.amazonaws.com: ${action} for log group ${group}`, {
        principal: service(`logs.${region}.amazonaws.com`),
        action,
        resource: keyArn,
        context: { 'kms:EncryptionContext:aws:logs:arn': names.logGroupArn(group), 'aws:SourceAccount': account },
      });
    }
  }
  forbidden(`logs.${region}.amazonaws.com: kms:Decrypt for a log group that is not the platform's`, {
    principal: service(`logs.${region}.amazonaws.com`),
    action: 'kms:Decrypt',
    resource: keyArn,
    context: { 'kms:EncryptionContext:aws:logs:arn': names.logGroupArn('/aws/lambda/another-function'), 'aws:SourceAccount': account },
  });

  // --- IoT Core: the topic rules' role and the logging role. ---
  required('IoT rules: kinesis:PutRecord to the stream', { principal: iotRule, action: 'kinesis:PutRecord', resource: names.streamArn });
  required('IoT rules: kms:GenerateDataKey via Kinesis for the encrypted stream', { principal: iotRule, action: 'kms:GenerateDataKey', resource: keyArn, context: kms('kinesis', streamContext) });
  for (const subfolder of ['', 'presence/']) {
    required(`IoT rules: error action PutObject under quarantine/iot/${subfolder} without an encryption header (bucket default SSE-KMS)`, {
      principal: iotRule,
      action: 's3:PutObject',
      resource: object(`${QUARANTINE_PREFIX}iot/${subfolder}${EXAMPLE.hour}/0a1b2c3d-4e5f-4071-8293-a4b5c6d7e8f9.json`),
    });
  }
  required('IoT rules: kms:GenerateDataKey via S3 for a quarantine object', { principal: iotRule, action: 'kms:GenerateDataKey', resource: keyArn, context: kms('s3', bucketContext) });
  for (const action of ['logs:CreateLogStream', 'logs:PutLogEvents']) {
    required(`IoT logging: ${action} in ${names.iotLogGroup}`, {
      principal: iotLogging,
      action,
      resource: `${names.logGroupArn(names.iotLogGroup)}:log-stream:${EXAMPLE.logStream}`,
    });
  }

  // --- Firehose: reads the encrypted stream, writes SSE-KMS objects to raw/ (and its errors to quarantine/firehose/). ---
  for (const action of ['kinesis:DescribeStream', 'kinesis:GetShardIterator', 'kinesis:GetRecords', 'kinesis:ListShards']) {
    required(`Firehose: ${action} on the stream`, { principal: firehose, action, resource: names.streamArn });
  }
  required('Firehose: kms:Decrypt via Kinesis of the encrypted stream', { principal: firehose, action: 'kms:Decrypt', resource: keyArn, context: kms('kinesis', streamContext) });
  for (const action of ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads']) {
    required(`Firehose: ${action} on the archive bucket`, { principal: firehose, action, resource: names.archiveBucketArn });
  }
  const firehoseEncryption: ContextValues = { 's3:x-amz-server-side-encryption': 'aws:kms', 's3:x-amz-server-side-encryption-aws-kms-key-id': names.kmsAliasArn };
  required('Firehose: PutObject under raw/ with SSE-KMS headers (its kmsKeyArn)', { principal: firehose, action: 's3:PutObject', resource: rawObject, context: firehoseEncryption });
  required('Firehose: PutObject of failed records under quarantine/firehose/ with SSE-KMS headers', {
    principal: firehose,
    action: 's3:PutObject',
    resource: object(`${QUARANTINE_PREFIX}firehose/processing-failed/year=2026/month=01/day=01/${names.firehose}-1-2026-01-01-00-00-00-0a1b2c3d.gz`),
    context: firehoseEncryption,
  });
  for (const action of ['s3:AbortMultipartUpload', 's3:GetObject']) {
    required(`Firehose: ${action} under raw/`, { principal: firehose, action, resource: rawObject });
  }
  for (const action of ['kms:GenerateDataKey', 'kms:Decrypt']) {
    required(`Firehose: ${action} via S3 for archive objects`, { principal: firehose, action, resource: keyArn, context: kms('s3', bucketContext) });
  }

  // --- CloudWatch alarms notify the KMS-encrypted ops topic as the CloudWatch service principal. ---
  for (const alarm of policies.alarms) {
    const alarmContext = { 'aws:SourceAccount': account, 'aws:SourceArn': names.alarmArn(alarm.name) };
    for (const topic of alarm.actions) {
      required(`cloudwatch.amazonaws.com: alarm ${alarm.name} publishes to ${topic}`, { principal: service('cloudwatch.amazonaws.com'), action: 'sns:Publish', resource: topic, context: alarmContext });
    }
  }
  const firstAlarm = policies.alarms[0]?.name ?? names.alarmName('any');
  for (const action of ['kms:GenerateDataKey', 'kms:Decrypt']) {
    required(`cloudwatch.amazonaws.com: ${action} via SNS for the encrypted ops topic`, {
      principal: service('cloudwatch.amazonaws.com'),
      action,
      resource: keyArn,
      context: { 'aws:SourceAccount': account, 'aws:SourceArn': names.alarmArn(firstAlarm), ...kms('sns', { 'aws:sns:topicArn': names.opsTopicArn }) },
    });
  }
  forbidden('cloudwatch.amazonaws.com: an alarm of another account publishes to the ops topic', {
    principal: service('cloudwatch.amazonaws.com'),
    action: 'sns:Publish',
    resource: names.opsTopicArn,
    context: { 'aws:SourceAccount': foreignAccount, 'aws:SourceArn': `arn:aws:cloudwatch:${region}:${foreignAccount}:alarm:${firstAlarm}` },
  });
  forbidden('cloudwatch.amazonaws.com: an alarm publishes to the alert topic (anomalies only)', {
    principal: service('cloudwatch.amazonaws.com'),
    action: 'sns:Publish',
    resource: names.alertTopicArn,
    context: { 'aws:SourceAccount': account, 'aws:SourceArn': names.alarmArn(firstAlarm) },
  });
  // Only the platform's alarms (names.alarmName: cw-<purpose>-<suffix>), not any alarm of the account.
  const foreignAlarm = { 'aws:SourceAccount': account, 'aws:SourceArn': names.alarmArn(EXAMPLE.otherAlarm) };
  forbidden(`cloudwatch.amazonaws.com: alarm ${EXAMPLE.otherAlarm} of this account (not named cw-*-${config.suffix}) publishes to the ops topic`, {
    principal: service('cloudwatch.amazonaws.com'),
    action: 'sns:Publish',
    resource: names.opsTopicArn,
    context: foreignAlarm,
  });
  forbidden(`cloudwatch.amazonaws.com: kms:GenerateDataKey via SNS for the ops topic, for alarm ${EXAMPLE.otherAlarm}`, {
    principal: service('cloudwatch.amazonaws.com'),
    action: 'kms:GenerateDataKey',
    resource: keyArn,
    context: { ...foreignAlarm, ...kms('sns', { 'aws:sns:topicArn': names.opsTopicArn }) },
  });
  forbidden('cloudwatch.amazonaws.com: kms:GenerateDataKey via SNS for the alert topic (the key serves alarms only for the ops topic)', {
    principal: service('cloudwatch.amazonaws.com'),
    action: 'kms:GenerateDataKey',
    resource: keyArn,
    context: { 'aws:SourceAccount': account, 'aws:SourceArn': names.alarmArn(firstAlarm), ...kms('sns', { 'aws:sns:topicArn': names.alertTopicArn }) },
  });
  // Only the processor publishes anomalies, whatever IAM grants another role of the account.
  forbidden('an account administrator: sns:Publish of a fake alert to the alert topic', { principal: ADMINISTRATOR, action: 'sns:Publish', resource: names.alertTopicArn });
  forbidden('the redrive operator: sns:Publish to the alert topic', { principal: operator, action: 'sns:Publish', resource: names.alertTopicArn });
  // The processor's publish needs the key via SNS too.
  for (const action of ['kms:GenerateDataKey', 'kms:Decrypt']) {
    required(`processor: ${action} via SNS for the encrypted alert topic`, { principal: processor, action, resource: keyArn, context: kms('sns', { 'aws:sns:topicArn': names.alertTopicArn }) });
  }

  // --- The redrive tool (scripts/redrive.ts) under the rendered redrive policy, from an operator's machine. ---
  for (const action of ['sqs:ReceiveMessage', 'sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes']) {
    required(`redrive: ${action} on the dead-letter queue`, { principal: operator, action, resource: names.deadLetterQueueArn });
  }
  required('redrive: kms:Decrypt via SQS of received messages', { principal: operator, action: 'kms:Decrypt', resource: keyArn, context: kms('sqs', queueContext) });
  for (const action of ['kinesis:GetShardIterator', 'kinesis:GetRecords', 'kinesis:DescribeStreamSummary', 'kinesis:ListShards']) {
    required(`redrive: ${action} on the stream`, { principal: operator, action, resource: names.streamArn });
  }
  required('redrive: kms:Decrypt via Kinesis of read records', { principal: operator, action: 'kms:Decrypt', resource: keyArn, context: kms('kinesis', streamContext) });
  for (const fn of [names.processorFunction, names.storerFunction]) {
    required(`redrive: lambda:InvokeFunction ${fn}`, { principal: operator, action: 'lambda:InvokeFunction', resource: names.functionArn(fn) });
  }
  // --quarantine iot: list the rules' error-action hour folders, read each document, put the rebuilt records.
  for (const folder of [iotQuarantineFolder, `${QUARANTINE_PREFIX}iot/presence/${EXAMPLE.hour}/`]) {
    required(`redrive --quarantine iot: s3:ListBucket of the archive with prefix ${folder}`, {
      principal: operator,
      action: 's3:ListBucket',
      resource: names.archiveBucketArn,
      context: { 's3:prefix': folder },
    });
  }
  required('redrive --quarantine iot: s3:GetObject of an error-action document', { principal: operator, action: 's3:GetObject', resource: iotQuarantineObject }, object(`${QUARANTINE_PREFIX}iot/*`));
  required('redrive --quarantine iot: kms:Decrypt via S3 of an error-action document', { principal: operator, action: 'kms:Decrypt', resource: keyArn, context: kms('s3', bucketContext) });
  required('redrive --quarantine iot: kinesis:PutRecords of the rebuilt records', { principal: operator, action: 'kinesis:PutRecords', resource: names.streamArn });
  required('redrive --quarantine iot: kms:GenerateDataKey via Kinesis for the put records', { principal: operator, action: 'kms:GenerateDataKey', resource: keyArn, context: kms('kinesis', streamContext) });

  // --- Devices: connect as their own attached thing, publish their own telemetry through Basic Ingest. ---
  const thing = (name: string, attached = true): ContextValues => ({
    'iot:Connection.Thing.ThingName': EXAMPLE.thing,
    'iot:Connection.Thing.IsAttached': String(attached),
    'iot:ClientId': name,
  });
  const iot = `arn:aws:iot:${region}:${account}`;
  const basicIngest = (line: string, thingName: string): string => `${iot}:topic/$aws/rules/${names.telemetryRule}/dt/${config.plant.id}/${line}/${thingName}/telemetry`;
  required(`device ${EXAMPLE.thing}: iot:Connect with client id = thing name`, { principal: device, action: 'iot:Connect', resource: `${iot}:client/${EXAMPLE.thing}`, context: thing(EXAMPLE.thing) });
  for (const line of config.plant.lines) {
    required(`device ${EXAMPLE.thing}: iot:Publish its telemetry of line ${line} through Basic Ingest`, {
      principal: device,
      action: 'iot:Publish',
      resource: basicIngest(line, EXAMPLE.thing),
      context: thing(EXAMPLE.thing),
    });
  }

  // === Forbidden ===
  const firstLine = config.plant.lines[0] ?? 'line';
  forbidden(`device ${EXAMPLE.thing}: iot:Connect as another thing (client id ${EXAMPLE.otherThing})`, {
    principal: device,
    action: 'iot:Connect',
    resource: `${iot}:client/${EXAMPLE.otherThing}`,
    context: thing(EXAMPLE.otherThing),
  });
  forbidden(`device ${EXAMPLE.thing}: iot:Connect with a certificate not attached to the thing`, {
    principal: device,
    action: 'iot:Connect',
    resource: `${iot}:client/${EXAMPLE.thing}`,
    context: thing(EXAMPLE.thing, false),
  });
  forbidden(`device ${EXAMPLE.thing}: iot:Publish on ${EXAMPLE.otherThing}'s telemetry topic`, {
    principal: device,
    action: 'iot:Publish',
    resource: basicIngest(firstLine, EXAMPLE.otherThing),
    context: thing(EXAMPLE.thing),
  });
  forbidden(`device ${EXAMPLE.thing}: iot:Publish on a line that is not configured`, {
    principal: device,
    action: 'iot:Publish',
    resource: basicIngest('line-unconfigured', EXAMPLE.thing),
    context: thing(EXAMPLE.thing),
  });
  forbidden(`device ${EXAMPLE.thing}: iot:Publish on the plain topic dt/${config.plant.id}/${firstLine}/${EXAMPLE.thing}/telemetry (Basic Ingest only)`, {
    principal: device,
    action: 'iot:Publish',
    resource: `${iot}:topic/dt/${config.plant.id}/${firstLine}/${EXAMPLE.thing}/telemetry`,
    context: thing(EXAMPLE.thing),
  });
  forbidden(`device ${EXAMPLE.thing}: iot:Publish through the presence rule's Basic Ingest topic`, {
    principal: device,
    action: 'iot:Publish',
    resource: `${iot}:topic/$aws/rules/${names.presenceRule}/dt/${config.plant.id}/${firstLine}/${EXAMPLE.thing}/telemetry`,
    context: thing(EXAMPLE.thing),
  });
  forbidden(`device ${EXAMPLE.thing}: iot:Subscribe to its own topic filter`, {
    principal: device,
    action: 'iot:Subscribe',
    resource: `${iot}:topicfilter/dt/${config.plant.id}/${firstLine}/${EXAMPLE.thing}/telemetry`,
    context: thing(EXAMPLE.thing),
  });
  forbidden(`device ${EXAMPLE.thing}: iot:Receive on its own topic`, {
    principal: device,
    action: 'iot:Receive',
    resource: `${iot}:topic/dt/${config.plant.id}/${firstLine}/${EXAMPLE.thing}/telemetry`,
    context: thing(EXAMPLE.thing),
  });
  forbidden(`device ${EXAMPLE.thing}: iot:RetainPublish on its Basic Ingest topic`, {
    principal: device,
    action: 'iot:RetainPublish',
    resource: basicIngest(firstLine, EXAMPLE.thing),
    context: thing(EXAMPLE.thing),
  });
  for (const action of ['iot:GetThingShadow', 'iot:UpdateThingShadow', 'iot:DeleteThingShadow']) {
    forbidden(`device ${EXAMPLE.thing}: ${action} on its own thing`, { principal: device, action, resource: `${iot}:thing/${EXAMPLE.thing}`, context: thing(EXAMPLE.thing) });
  }
  forbidden(`device ${EXAMPLE.thing}: iot:Publish on its shadow update topic`, {
    principal: device,
    action: 'iot:Publish',
    resource: `${iot}:topic/$aws/things/${EXAMPLE.thing}/shadow/update`,
    context: thing(EXAMPLE.thing),
  });

  // The raw archive is Firehose's alone.
  for (const [fn, principal] of [
    ['processor', processor],
    ['storer', storer],
  ] as const) {
    forbidden(`${fn}: s3:GetObject under raw/`, { principal, action: 's3:GetObject', resource: rawObject, endpoint: 's3' });
    forbidden(`${fn}: s3:PutObject under raw/`, { principal, action: 's3:PutObject', resource: rawObject, endpoint: 's3' });
    forbidden(`${fn}: s3:GetObject of quarantined records`, { principal, action: 's3:GetObject', resource: quarantineObject(fn), endpoint: 's3' });
    forbidden(`${fn}: sns:Publish to the ops topic`, { principal, action: 'sns:Publish', resource: names.opsTopicArn, endpoint: 'sns' });
    for (const table of Object.values(tables)) {
      forbidden(`${fn}: dynamodb:DeleteTable ${table.split('/').at(-1)}`, { principal, action: 'dynamodb:DeleteTable', resource: table, endpoint: 'dynamodb' });
    }
    for (const action of ['kms:ScheduleKeyDeletion', 'kms:PutKeyPolicy', 'kms:DisableKey']) {
      forbidden(`${fn}: ${action} on the platform key`, { principal, action, resource: keyArn, context: { 'kms:CallerAccount': account, 'kms:ResourceAliases': [names.kmsAlias] } });
    }
    forbidden(`${fn}: kms:CreateGrant not for an AWS resource (via DynamoDB)`, {
      principal,
      action: 'kms:CreateGrant',
      resource: keyArn,
      context: { ...kms('dynamodb', {}), 'kms:GrantIsForAWSResource': 'false' },
    });
    forbidden(`${fn}: kms:Decrypt called directly, not through a platform service`, {
      principal,
      action: 'kms:Decrypt',
      resource: keyArn,
      context: { 'kms:CallerAccount': account, 'kms:ResourceAliases': [names.kmsAlias] },
    });
    forbidden(`${fn}: kms:Decrypt through a service the platform does not use (Secrets Manager)`, {
      principal,
      action: 'kms:Decrypt',
      resource: keyArn,
      context: kms('secretsmanager', {}),
    });
  }
  forbidden('processor: s3:PutObject under quarantine/storer/ (another function\'s prefix)', { principal: processor, action: 's3:PutObject', resource: quarantineObject('storer'), endpoint: 's3' });
  forbidden('processor: dynamodb:GetItem on the readings table (the storer\'s)', { principal: processor, action: 'dynamodb:GetItem', resource: tables.readings, endpoint: 'dynamodb' });
  forbidden('processor: dynamodb:PutItem on the readings table (the storer\'s)', { principal: processor, action: 'dynamodb:PutItem', resource: tables.readings, endpoint: 'dynamodb' });
  forbidden('processor: dynamodb:Query on the readings table (the storer\'s)', { principal: processor, action: 'dynamodb:Query', resource: tables.readings, endpoint: 'dynamodb' });
  forbidden('processor: dynamodb:DeleteItem on the asset-status table', { principal: processor, action: 'dynamodb:DeleteItem', resource: tables.assetStatus, endpoint: 'dynamodb' });
  forbidden('storer: dynamodb:GetItem on the asset-status table (the processor\'s)', { principal: storer, action: 'dynamodb:GetItem', resource: tables.assetStatus, endpoint: 'dynamodb' });
  forbidden('storer: dynamodb:UpdateItem on the asset-status table (the processor\'s)', { principal: storer, action: 'dynamodb:UpdateItem', resource: tables.assetStatus, endpoint: 'dynamodb' });
  forbidden('storer: dynamodb:BatchGetItem on the detector-state table (the processor\'s)', { principal: storer, action: 'dynamodb:BatchGetItem', resource: tables.detectorState, endpoint: 'dynamodb' });
  forbidden('storer: dynamodb:BatchWriteItem on the detector-state table (the processor\'s)', { principal: storer, action: 'dynamodb:BatchWriteItem', resource: tables.detectorState, endpoint: 'dynamodb' });
  forbidden('storer: dynamodb:UpdateItem on the detector-state table (the processor\'s)', { principal: storer, action: 'dynamodb:UpdateItem', resource: tables.detectorState, endpoint: 'dynamodb' });
  forbidden('storer: dynamodb:DeleteItem on the readings table', { principal: storer, action: 'dynamodb:DeleteItem', resource: tables.readings, endpoint: 'dynamodb' });
  forbidden('storer: sns:Publish to the alert topic (the processor\'s)', { principal: storer, action: 'sns:Publish', resource: names.alertTopicArn, endpoint: 'sns' });
  forbidden('storer: s3:PutObject under quarantine/processor/ (another function\'s prefix)', { principal: storer, action: 's3:PutObject', resource: quarantineObject('processor'), endpoint: 's3' });
  forbidden('processor: kinesis:PutRecord to the stream (only the IoT rules write it)', { principal: processor, action: 'kinesis:PutRecord', resource: names.streamArn });

  // The VPC endpoints admit only the functions' own calls, each for its own role: through them even a role
  // IAM allows everything (credentials other than a function's, used inside the VPC) is refused.
  const throughEndpoint = (title: string, request: Omit<AccessRequest, 'principal'> & { endpoint: string }): void => {
    forbidden(`an account administrator inside the VPC: ${title}`, { principal: ADMINISTRATOR, ...request });
  };
  throughEndpoint('s3:GetObject under raw/ through the S3 endpoint', { action: 's3:GetObject', resource: rawObject, endpoint: 's3' });
  throughEndpoint('s3:GetObject of a quarantined record through the S3 endpoint', { action: 's3:GetObject', resource: quarantineObject('processor'), endpoint: 's3' });
  throughEndpoint('s3:ListBucket of the archive through the S3 endpoint', { action: 's3:ListBucket', resource: names.archiveBucketArn, context: { 's3:prefix': QUARANTINE_PREFIX }, endpoint: 's3' });
  throughEndpoint('s3:PutObject under quarantine/processor/ through the S3 endpoint (the processor\'s role only)', { action: 's3:PutObject', resource: quarantineObject('processor'), endpoint: 's3' });
  throughEndpoint('dynamodb:GetItem on the readings table through the DynamoDB endpoint (the storer\'s and the query function\'s roles only)', { action: 'dynamodb:GetItem', resource: tables.readings, endpoint: 'dynamodb' });
  throughEndpoint('dynamodb:DeleteItem on the readings table through the DynamoDB endpoint', { action: 'dynamodb:DeleteItem', resource: tables.readings, endpoint: 'dynamodb' });
  throughEndpoint('dynamodb:Scan of the readings table through the DynamoDB endpoint', { action: 'dynamodb:Scan', resource: tables.readings, endpoint: 'dynamodb' });
  throughEndpoint('dynamodb:DescribeTable of the asset-status table through the DynamoDB endpoint', { action: 'dynamodb:DescribeTable', resource: tables.assetStatus, endpoint: 'dynamodb' });
  throughEndpoint('dynamodb:ConditionCheckItem on the asset-status table through the DynamoDB endpoint', { action: 'dynamodb:ConditionCheckItem', resource: tables.assetStatus, endpoint: 'dynamodb' });
  throughEndpoint('dynamodb:PutItem on the detector-state table through the DynamoDB endpoint', { action: 'dynamodb:PutItem', resource: tables.detectorState, endpoint: 'dynamodb' });
  throughEndpoint('sns:Publish to the ops topic through the SNS endpoint', { action: 'sns:Publish', resource: names.opsTopicArn, endpoint: 'sns' });

  // Only the functions' mappings send to the dead-letter queue.
  for (const [who, principal] of [
    ['an account administrator', ADMINISTRATOR],
    ['the redrive operator', operator],
    ['the IoT rules role', iotRule],
    ['the Firehose role', firehose],
  ] as const) {
    forbidden(`${who}: sqs:SendMessage to the dead-letter queue`, { principal, action: 'sqs:SendMessage', resource: names.deadLetterQueueArn });
  }

  // TLS only, whoever asks, and SSE-KMS only.
  forbidden('processor: PutObject under quarantine/processor/ over plain HTTP', { principal: processor, action: 's3:PutObject', resource: quarantineObject('processor'), context: tls(false), endpoint: 's3' });
  forbidden('an account administrator: GetObject from the archive over plain HTTP', { principal: ADMINISTRATOR, action: 's3:GetObject', resource: rawObject, context: tls(false) });
  forbidden('processor: Publish to the alert topic over plain HTTP', { principal: processor, action: 'sns:Publish', resource: names.alertTopicArn, context: tls(false), endpoint: 'sns' });
  forbidden('cloudwatch.amazonaws.com: alarm publish to the ops topic over plain HTTP', {
    principal: service('cloudwatch.amazonaws.com'),
    action: 'sns:Publish',
    resource: names.opsTopicArn,
    context: { 'aws:SourceAccount': account, 'aws:SourceArn': names.alarmArn(firstAlarm), ...tls(false) },
  });
  forbidden('storer mapping: SendMessage to the dead-letter queue over plain HTTP', { principal: storer, action: 'sqs:SendMessage', resource: names.deadLetterQueueArn, context: tls(false) });
  forbidden('redrive: ReceiveMessage from the dead-letter queue over plain HTTP', { principal: operator, action: 'sqs:ReceiveMessage', resource: names.deadLetterQueueArn, context: tls(false) });
  forbidden('processor: PutObject under quarantine/processor/ asking for SSE-S3 (AES256)', {
    principal: processor,
    action: 's3:PutObject',
    resource: quarantineObject('processor'),
    context: { 's3:x-amz-server-side-encryption': 'AES256' },
    endpoint: 's3',
  });
  forbidden('processor: PutObject under quarantine/processor/ naming another KMS key', {
    principal: processor,
    action: 's3:PutObject',
    resource: quarantineObject('processor'),
    context: { 's3:x-amz-server-side-encryption': 'aws:kms', 's3:x-amz-server-side-encryption-aws-kms-key-id': `arn:aws:kms:${region}:${account}:key/another` },
    endpoint: 's3',
  });
  forbidden('processor: PutObject under quarantine/processor/ asking for aws:kms without a key id (S3 would use aws/s3)', {
    principal: processor,
    action: 's3:PutObject',
    resource: quarantineObject('processor'),
    context: { 's3:x-amz-server-side-encryption': 'aws:kms' },
    endpoint: 's3',
  });
  forbidden('an account administrator: PutObject under raw/ asking for aws:kms without a key id (S3 would use aws/s3)', {
    principal: ADMINISTRATOR,
    action: 's3:PutObject',
    resource: rawObject,
    context: { 's3:x-amz-server-side-encryption': 'aws:kms' },
  });
  forbidden('an account administrator: PutObject under raw/ with a customer-provided key (SSE-C)', {
    principal: ADMINISTRATOR,
    action: 's3:PutObject',
    resource: rawObject,
    context: { 's3:x-amz-server-side-encryption-customer-algorithm': 'AES256' },
  });
  forbidden('processor: PutObject under quarantine/processor/ with a customer-provided key (SSE-C)', {
    principal: processor,
    action: 's3:PutObject',
    resource: quarantineObject('processor'),
    context: { 's3:x-amz-server-side-encryption-customer-algorithm': 'AES256' },
    endpoint: 's3',
  });
  forbidden('storer: kms:Decrypt with the platform key via Firehose (a service it does not call)', {
    principal: storer,
    action: 'kms:Decrypt',
    resource: keyArn,
    context: kms('firehose', {}),
  });
  forbidden('redrive: kms:Decrypt with the platform key via DynamoDB (the tool reads only the queue, the stream and quarantine/iot/)', {
    principal: operator,
    action: 'kms:Decrypt',
    resource: keyArn,
    context: kms('dynamodb', {}),
  });
  forbidden('Firehose: PutObject under raw/ asking for SSE-S3 (AES256)', { principal: firehose, action: 's3:PutObject', resource: rawObject, context: { 's3:x-amz-server-side-encryption': 'AES256' } });
  forbidden('IoT rules: PutObject under quarantine/iot/ asking for SSE-S3 (AES256)', {
    principal: iotRule,
    action: 's3:PutObject',
    resource: object(`${QUARANTINE_PREFIX}iot/${EXAMPLE.hour}/0a1b2c3d-4e5f-4071-8293-a4b5c6d7e8f9.json`),
    context: { 's3:x-amz-server-side-encryption': 'AES256' },
  });

  // The key: administration is the account's, cryptography only through the platform's services.
  for (const [who, principal] of [
    ['IoT rules', iotRule],
    ['Firehose', firehose],
    ['redrive', operator],
  ] as const) {
    forbidden(`${who}: kms:ScheduleKeyDeletion on the platform key`, { principal, action: 'kms:ScheduleKeyDeletion', resource: keyArn, context: { 'kms:CallerAccount': account, 'kms:ResourceAliases': [names.kmsAlias] } });
    forbidden(`${who}: kms:Decrypt called directly, not through a platform service`, {
      principal,
      action: 'kms:Decrypt',
      resource: keyArn,
      context: { 'kms:CallerAccount': account, 'kms:ResourceAliases': [names.kmsAlias] },
    });
  }
  forbidden('an account administrator: kms:Decrypt called directly, not through a platform service', {
    principal: ADMINISTRATOR,
    action: 'kms:Decrypt',
    resource: keyArn,
    context: { 'kms:CallerAccount': account, 'kms:ResourceAliases': [names.kmsAlias] },
  });
  forbidden('an account administrator: kms:CreateGrant not for an AWS resource', {
    principal: ADMINISTRATOR,
    action: 'kms:CreateGrant',
    resource: keyArn,
    context: { ...kms('dynamodb', {}), 'kms:GrantIsForAWSResource': 'false' },
  });
  // Only DynamoDB holds grants on the key; the other services that use it never create one.
  for (const via of ['kinesis', 's3', 'sns', 'sqs']) {
    forbidden(`an account administrator: kms:CreateGrant for an AWS resource via ${via}`, {
      principal: ADMINISTRATOR,
      action: 'kms:CreateGrant',
      resource: keyArn,
      context: { ...kms(via, {}), 'kms:GrantIsForAWSResource': 'true' },
    });
  }
  // Firehose uses the key through Kinesis and S3 only (the delivery stream has no encryption of its own).
  forbidden('an account administrator: kms:Decrypt via Firehose (no platform resource is encrypted by Firehose itself)', {
    principal: ADMINISTRATOR,
    action: 'kms:Decrypt',
    resource: keyArn,
    context: kms('firehose', {}),
  });
  forbidden('Firehose: kms:GenerateDataKey via Firehose (only Kinesis and S3)', { principal: firehose, action: 'kms:GenerateDataKey', resource: keyArn, context: kms('firehose', {}) });
  forbidden('IoT rules: kms:GenerateDataKey via SQS (only Kinesis and S3)', { principal: iotRule, action: 'kms:GenerateDataKey', resource: keyArn, context: kms('sqs', queueContext) });
  forbidden('Firehose: kms:Decrypt via SQS (only Kinesis and S3)', { principal: firehose, action: 'kms:Decrypt', resource: keyArn, context: kms('sqs', queueContext) });

  // The redrive policy reaches only the platform's queue, stream and functions, read-only on data.
  forbidden('redrive: lambda:InvokeFunction of a function that is not a stream function', { principal: operator, action: 'lambda:InvokeFunction', resource: names.functionArn(`lambda-other-${config.suffix}`) });
  forbidden('redrive: kinesis:PutRecord to the stream', { principal: operator, action: 'kinesis:PutRecord', resource: names.streamArn });
  forbidden('redrive: sqs:PurgeQueue on the dead-letter queue', { principal: operator, action: 'sqs:PurgeQueue', resource: names.deadLetterQueueArn });
  forbidden('redrive: s3:GetObject under raw/', { principal: operator, action: 's3:GetObject', resource: rawObject });
  // --quarantine iot reads quarantine/iot/ only, leaves its objects in place and puts to the platform's stream only.
  forbidden('redrive: s3:GetObject under quarantine/processor/ (outside quarantine/iot/)', { principal: operator, action: 's3:GetObject', resource: quarantineObject('processor') });
  forbidden('redrive: s3:ListBucket of the archive without a prefix', { principal: operator, action: 's3:ListBucket', resource: names.archiveBucketArn });
  forbidden('redrive: s3:ListBucket of the archive with prefix quarantine/ (wider than quarantine/iot/)', {
    principal: operator,
    action: 's3:ListBucket',
    resource: names.archiveBucketArn,
    context: { 's3:prefix': QUARANTINE_PREFIX },
  });
  forbidden('redrive: s3:ListBucket of the archive with prefix raw/', { principal: operator, action: 's3:ListBucket', resource: names.archiveBucketArn, context: { 's3:prefix': names.archiveRawPrefix } });
  forbidden('redrive: s3:DeleteObject of an error-action document', { principal: operator, action: 's3:DeleteObject', resource: iotQuarantineObject });
  forbidden('redrive: s3:PutObject under quarantine/iot/', { principal: operator, action: 's3:PutObject', resource: iotQuarantineObject });
  forbidden('redrive: kinesis:PutRecords to another stream', { principal: operator, action: 'kinesis:PutRecords', resource: names.streamArn.replace(names.stream, `kinesis-other-${config.suffix}`) });
  forbidden('redrive: kms:GenerateDataKey via S3 (the tool writes no object)', { principal: operator, action: 'kms:GenerateDataKey', resource: keyArn, context: kms('s3', bucketContext) });
  forbidden(`redrive: dynamodb:DeleteTable ${names.readingsTable}`, { principal: operator, action: 'dynamodb:DeleteTable', resource: tables.readings });
  forbidden('Firehose: s3:DeleteObject under raw/', { principal: firehose, action: 's3:DeleteObject', resource: rawObject });
  forbidden('Firehose: s3:GetObject under quarantine/processor/', { principal: firehose, action: 's3:GetObject', resource: quarantineObject('processor') });
  forbidden('IoT rules: s3:PutObject under raw/', { principal: iotRule, action: 's3:PutObject', resource: rawObject });
  forbidden('IoT logging: logs:PutLogEvents in the processor\'s log group', {
    principal: iotLogging,
    action: 'logs:PutLogEvents',
    resource: `${names.logGroupArn(names.logGroup(names.processorFunction))}:log-stream:${EXAMPLE.logStream}`,
  });
  forbidden('processor logs: logs:PutLogEvents in the storer\'s log group', {
    principal: processor,
    action: 'logs:PutLogEvents',
    resource: `${names.logGroupArn(names.logGroup(names.storerFunction))}:log-stream:${EXAMPLE.logStream}`,
  });

  // --- The read path: the query function (functions/query) and npm run query (scripts/query.ts) read the hot tier. ---
  const query = role(names.queryRole);
  const queryOperator = policyHolder(names.queryOperatorPolicy);
  const lineIndex = `${tables.assetStatus}/index/${TABLE_KEYS.assetStatus.lineIndex}`;
  for (const [who, principal, endpoint] of [
    ['query', query, 'dynamodb'],
    ['query operator', queryOperator, undefined],
  ] as const) {
    const via = endpoint === undefined ? {} : { endpoint };
    required(`${who}: SeriesReader Query on the readings table`, { principal, action: 'dynamodb:Query', resource: tables.readings, ...via });
    required(`${who}: SeriesReader GetItem of a minute the range cuts`, { principal, action: 'dynamodb:GetItem', resource: tables.readings, ...via });
    required(`${who}: AssetDirectory GetItem on the asset-status table`, { principal, action: 'dynamodb:GetItem', resource: tables.assetStatus, ...via });
    required(`${who}: AssetDirectory Query on the line index`, { principal, action: 'dynamodb:Query', resource: lineIndex, ...via });
    for (const table of [names.readingsTable, names.assetStatusTable]) {
      required(`${who}: kms:Decrypt via DynamoDB for ${table}`, { principal, action: 'kms:Decrypt', resource: keyArn, context: kms('dynamodb', tableContext(table)) });
    }
    required(`${who}: kms:DescribeKey via DynamoDB`, { principal, action: 'kms:DescribeKey', resource: keyArn, context: kms('dynamodb', {}) });
    for (const action of ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem']) {
      forbidden(`${who}: ${action} on the readings table (read-only)`, { principal, action, resource: tables.readings, ...via });
      forbidden(`${who}: ${action} on the asset-status table (read-only)`, { principal, action, resource: tables.assetStatus, ...via });
    }
    forbidden(`${who}: dynamodb:Scan of the readings table (one Query per sensor)`, { principal, action: 'dynamodb:Scan', resource: tables.readings, ...via });
    forbidden(`${who}: dynamodb:GetItem on the detector-state table`, { principal, action: 'dynamodb:GetItem', resource: tables.detectorState, ...via });
    forbidden(`${who}: dynamodb:Query on the detector-state table`, { principal, action: 'dynamodb:Query', resource: tables.detectorState, ...via });
    forbidden(`${who}: kms:GenerateDataKey via DynamoDB (it writes nothing)`, { principal, action: 'kms:GenerateDataKey', resource: keyArn, context: kms('dynamodb', tableContext(names.readingsTable)) });
    forbidden(`${who}: kms:Decrypt via S3 (it reads no archive)`, { principal, action: 'kms:Decrypt', resource: keyArn, context: kms('s3', bucketContext) });
    forbidden(`${who}: s3:GetObject under raw/`, { principal, action: 's3:GetObject', resource: rawObject });
  }
  for (const [who, principal, endpoint] of [
    ['query', query, 'dynamodb'],
    ['query operator', queryOperator, undefined],
  ] as const) {
    const via = endpoint === undefined ? {} : { endpoint };
    forbidden(`${who}: dynamodb:BatchGetItem on the readings table (not a call of the read path)`, { principal, action: 'dynamodb:BatchGetItem', resource: tables.readings, ...via });
    forbidden(`${who}: dynamodb:Query on the asset-status table itself (only its line index)`, { principal, action: 'dynamodb:Query', resource: tables.assetStatus, ...via });
    forbidden(`${who}: dynamodb:UpdateTable of the readings table`, { principal, action: 'dynamodb:UpdateTable', resource: tables.readings, ...via });
    forbidden(`${who}: dynamodb:DeleteTable of the asset-status table`, { principal, action: 'dynamodb:DeleteTable', resource: tables.assetStatus, ...via });
    forbidden(`${who}: athena:StartQueryExecution (the archive is the analysts')`, { principal, action: 'athena:StartQueryExecution', resource: names.athenaWorkgroupArn });
    forbidden(`${who}: lambda:InvokeFunction of the query function (it reads the tables itself)`, { principal, action: 'lambda:InvokeFunction', resource: names.functionArn(names.queryFunction) });
  }
  runtimeChecks('query', query, names.queryFunction);
  forbidden('query: sqs:SendMessage to the dead-letter queue (no mapping)', { principal: query, action: 'sqs:SendMessage', resource: names.deadLetterQueueArn });
  forbidden('query: s3:PutObject under quarantine/ (it quarantines nothing)', { principal: query, action: 's3:PutObject', resource: quarantineObject('processor') });
  forbidden('query: sns:Publish to the alert topic', { principal: query, action: 'sns:Publish', resource: names.alertTopicArn });
  forbidden('query: kinesis:GetRecords on the stream (no mapping)', { principal: query, action: 'kinesis:GetRecords', resource: names.streamArn });

  // --- Dashboards call the query function through its IAM-authenticated URL, and only so. ---
  const dashboard = policyHolder(names.queryDashboardPolicy);
  const queryFunctionArn = names.functionArn(names.queryFunction);
  const throughUrl: ContextValues = { 'lambda:FunctionUrlAuthType': 'AWS_IAM' };
  required('dashboard: lambda:InvokeFunctionUrl of the query function (AWS_IAM)', { principal: dashboard, action: 'lambda:InvokeFunctionUrl', resource: queryFunctionArn, context: throughUrl });
  required('dashboard: lambda:InvokeFunction of the query function through its URL', {
    principal: dashboard,
    action: 'lambda:InvokeFunction',
    resource: queryFunctionArn,
    context: { 'lambda:InvokedViaFunctionUrl': 'true' },
  });
  forbidden('dashboard: lambda:InvokeFunction of the query function directly, not through its URL', { principal: dashboard, action: 'lambda:InvokeFunction', resource: queryFunctionArn });
  forbidden('dashboard: lambda:InvokeFunctionUrl of a public (NONE) URL of the query function', {
    principal: dashboard,
    action: 'lambda:InvokeFunctionUrl',
    resource: queryFunctionArn,
    context: { 'lambda:FunctionUrlAuthType': 'NONE' },
  });
  forbidden('dashboard: lambda:InvokeFunctionUrl of the processor', { principal: dashboard, action: 'lambda:InvokeFunctionUrl', resource: names.functionArn(names.processorFunction), context: throughUrl });
  forbidden('dashboard: dynamodb:Query on the readings table (only through the function)', { principal: dashboard, action: 'dynamodb:Query', resource: tables.readings });
  forbidden('dashboard: dynamodb:GetItem on the asset-status table (only through the function)', { principal: dashboard, action: 'dynamodb:GetItem', resource: tables.assetStatus });
  forbidden('dashboard: lambda:UpdateFunctionUrlConfig of the query function (opening it)', { principal: dashboard, action: 'lambda:UpdateFunctionUrlConfig', resource: queryFunctionArn });
  forbidden('dashboard: lambda:AddPermission on the query function (opening it)', { principal: dashboard, action: 'lambda:AddPermission', resource: queryFunctionArn });
  forbidden('dashboard: athena:StartQueryExecution in the platform workgroup (the analysts\')', { principal: dashboard, action: 'athena:StartQueryExecution', resource: names.athenaWorkgroupArn });
  const stranger: ProofPrincipal = { kind: 'foreign', accountId: foreignAccount, roleName: 'grafana' };
  forbidden('a role of another account: lambda:InvokeFunctionUrl of the query function (no resource policy opens it)', {
    principal: stranger,
    action: 'lambda:InvokeFunctionUrl',
    resource: queryFunctionArn,
    context: throughUrl,
  });
  forbidden('a role of another account: lambda:InvokeFunction of the query function through its URL', {
    principal: stranger,
    action: 'lambda:InvokeFunction',
    resource: queryFunctionArn,
    context: { 'lambda:InvokedViaFunctionUrl': 'true' },
  });

  // --- Analysts (and Grafana's Athena data source): Athena in the platform workgroup over the archive. ---
  const analyst = policyHolder(names.analystPolicy);
  const workgroup = names.athenaWorkgroupArn;
  const dataCatalog = `arn:aws:athena:${region}:${account}:datacatalog/AwsDataCatalog`;
  for (const action of ['athena:StartQueryExecution', 'athena:GetQueryExecution', 'athena:GetQueryResults', 'athena:StopQueryExecution', 'athena:GetWorkGroup', 'athena:ListNamedQueries', 'athena:GetNamedQuery', 'athena:BatchGetNamedQuery']) {
    required(`analyst: ${action} in the platform workgroup`, { principal: analyst, action, resource: workgroup });
  }
  for (const action of ['athena:ListDatabases', 'athena:ListTableMetadata', 'athena:GetTableMetadata']) {
    required(`analyst: ${action} of the data catalog (Grafana's Athena data source)`, { principal: analyst, action, resource: dataCatalog });
  }
  required('analyst: athena:ListWorkGroups', { principal: analyst, action: 'athena:ListWorkGroups', resource: '*' });
  for (const resource of [names.glueCatalogArn, names.glueDatabaseArn]) required(`analyst: glue:GetDatabase (${resource.split(':').at(-1)})`, { principal: analyst, action: 'glue:GetDatabase', resource });
  for (const table of [names.rawTable, names.quarantineTable]) {
    required(`analyst: glue:GetTable ${table}`, { principal: analyst, action: 'glue:GetTable', resource: names.glueTableArn(table) });
  }
  required('analyst: s3:GetBucketLocation of the archive bucket', { principal: analyst, action: 's3:GetBucketLocation', resource: names.archiveBucketArn });
  for (const prefix of [`${names.archiveRawPrefix}year=2026/month=01/day=01/hour=00/`, `${QUARANTINE_PREFIX}storer/2026/01/01/00/`, `${names.athenaResultsPrefix}`]) {
    required(`analyst: s3:ListBucket under ${prefix}`, { principal: analyst, action: 's3:ListBucket', resource: names.archiveBucketArn, context: { 's3:prefix': prefix } });
  }
  required('analyst: s3:GetObject under raw/', { principal: analyst, action: 's3:GetObject', resource: rawObject });
  required('analyst: s3:GetObject of a quarantined record of the storer', { principal: analyst, action: 's3:GetObject', resource: quarantineObject('storer') });
  const resultObject = object(`${names.athenaResultsPrefix}0a1b2c3d-4e5f-4071-8293-a4b5c6d7e8f9.csv`);
  const workgroupEncryption: ContextValues = { 's3:x-amz-server-side-encryption': 'aws:kms', 's3:x-amz-server-side-encryption-aws-kms-key-id': names.kmsAliasArn };
  required('analyst: Athena writes a result under athena-results/ with the workgroup\'s SSE-KMS headers', { principal: analyst, action: 's3:PutObject', resource: resultObject, context: workgroupEncryption });
  for (const action of ['s3:GetObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts']) {
    required(`analyst: ${action} under athena-results/`, { principal: analyst, action, resource: resultObject });
  }
  for (const action of ['kms:Decrypt', 'kms:GenerateDataKey']) {
    required(`analyst: ${action} via S3 for the archive and the results`, { principal: analyst, action, resource: keyArn, context: kms('s3', bucketContext) });
  }
  forbidden('analyst: s3:PutObject under raw/', { principal: analyst, action: 's3:PutObject', resource: rawObject, context: workgroupEncryption });
  forbidden('analyst: s3:DeleteObject under raw/', { principal: analyst, action: 's3:DeleteObject', resource: rawObject });
  forbidden('analyst: s3:PutObject under quarantine/storer/', { principal: analyst, action: 's3:PutObject', resource: quarantineObject('storer'), context: workgroupEncryption });
  forbidden('analyst: s3:GetObject of an IoT error-action object (quarantine/iot/)', {
    principal: analyst,
    action: 's3:GetObject',
    resource: object(`${QUARANTINE_PREFIX}iot/${EXAMPLE.hour}/0a1b2c3d-4e5f-4071-8293-a4b5c6d7e8f9.json`),
  });
  forbidden('analyst: s3:ListBucket of the whole bucket (no prefix)', { principal: analyst, action: 's3:ListBucket', resource: names.archiveBucketArn, context: { 's3:prefix': '' } });
  forbidden('analyst: athena:StartQueryExecution in the primary workgroup (settings not enforced there)', {
    principal: analyst,
    action: 'athena:StartQueryExecution',
    resource: `arn:aws:athena:${region}:${account}:workgroup/primary`,
  });
  forbidden('analyst: athena:UpdateWorkGroup of the platform workgroup (its settings are enforced)', { principal: analyst, action: 'athena:UpdateWorkGroup', resource: workgroup });
  forbidden('analyst: glue:DeleteTable raw_records', { principal: analyst, action: 'glue:DeleteTable', resource: names.glueTableArn(names.rawTable) });
  forbidden('analyst: glue:GetTable of another database', { principal: analyst, action: 'glue:GetTable', resource: `arn:aws:glue:${region}:${account}:table/another_db/raw_records` });
  forbidden('analyst: dynamodb:Query on the readings table (the hot tier is the query function\'s)', { principal: analyst, action: 'dynamodb:Query', resource: tables.readings });
  forbidden('analyst: kms:Decrypt via DynamoDB', { principal: analyst, action: 'kms:Decrypt', resource: keyArn, context: kms('dynamodb', tableContext(names.readingsTable)) });
  forbidden('analyst: GetObject from the archive over plain HTTP', { principal: analyst, action: 's3:GetObject', resource: rawObject, context: tls(false) });
  forbidden('analyst: s3:GetObject of a Firehose delivery-failure object (quarantine/firehose/)', {
    principal: analyst,
    action: 's3:GetObject',
    resource: object(`${QUARANTINE_PREFIX}firehose/processing-failed/year=2026/month=01/day=01/${names.firehose}-1-2026-01-01-00-00-00-0a1b2c3d.gz`),
  });
  forbidden('analyst: s3:DeleteObject of a quarantined record', { principal: analyst, action: 's3:DeleteObject', resource: quarantineObject('processor') });
  forbidden('analyst: s3:DeleteObject of a query result (the lifecycle expires them)', { principal: analyst, action: 's3:DeleteObject', resource: resultObject });
  forbidden('analyst: s3:PutObject under athena-results/ with a key other than the platform key', {
    principal: analyst,
    action: 's3:PutObject',
    resource: resultObject,
    context: { 's3:x-amz-server-side-encryption': 'aws:kms', 's3:x-amz-server-side-encryption-aws-kms-key-id': `arn:aws:kms:${region}:${account}:key/0a1b2c3d-4e5f-4071-8293-a4b5c6d7e8f9` },
  });
  forbidden('analyst: s3:PutBucketPolicy of the archive bucket', { principal: analyst, action: 's3:PutBucketPolicy', resource: names.archiveBucketArn });
  forbidden('analyst: s3:PutLifecycleConfiguration of the archive bucket (results would stay)', { principal: analyst, action: 's3:PutLifecycleConfiguration', resource: names.archiveBucketArn });
  forbidden('analyst: glue:UpdateTable raw_records (its projection is the chart\'s)', { principal: analyst, action: 'glue:UpdateTable', resource: names.glueTableArn(names.rawTable) });
  forbidden('analyst: glue:CreateTable in the archive database', { principal: analyst, action: 'glue:CreateTable', resource: names.glueDatabaseArn });
  forbidden('analyst: glue:BatchCreatePartition on raw_records (projection, no partitions)', { principal: analyst, action: 'glue:BatchCreatePartition', resource: names.glueTableArn(names.rawTable) });
  forbidden('analyst: athena:CreateNamedQuery in the platform workgroup (named queries are the chart\'s)', { principal: analyst, action: 'athena:CreateNamedQuery', resource: workgroup });
  forbidden('analyst: athena:DeleteNamedQuery in the platform workgroup', { principal: analyst, action: 'athena:DeleteNamedQuery', resource: workgroup });
  forbidden('analyst: athena:DeleteWorkGroup of the platform workgroup', { principal: analyst, action: 'athena:DeleteWorkGroup', resource: workgroup });
  forbidden('analyst: dynamodb:GetItem on the asset-status table', { principal: analyst, action: 'dynamodb:GetItem', resource: tables.assetStatus });
  forbidden('analyst: lambda:InvokeFunctionUrl of the query function', { principal: analyst, action: 'lambda:InvokeFunctionUrl', resource: names.functionArn(names.queryFunction), context: { 'lambda:FunctionUrlAuthType': 'AWS_IAM' } });


  // --- The KMS controller: creates the key with the platform tags, then manages it through the key policy alone. ---
  const kmsController: ProofPrincipal = { kind: 'controller', controller: KMS_CONTROLLER };
  const tags = platformTags(config);
  const requestTags: ContextValues = { ...Object.fromEntries(Object.entries(tags).map(([key, value]) => [`aws:RequestTag/${key}`, value])), 'aws:TagKeys': Object.keys(tags) };
  const taggedAsPlatform: ContextValues = Object.fromEntries(Object.entries(tags).map(([key, value]) => [`aws:ResourceTag/${key}`, value]));
  const newKeyArn = names.kmsKeysArn.replace('*', EXAMPLE.newKey);
  const otherKeyArn = names.kmsKeysArn.replace('*', EXAMPLE.otherKey);
  required('KMS controller: kms:CreateKey with the platform tags', { principal: kmsController, action: 'kms:CreateKey', resource: '*', context: requestTags });
  required('KMS controller: kms:TagResource of the key CreateKey makes (its tags; IAM decides, the key has no policy yet)', {
    principal: kmsController,
    action: 'kms:TagResource',
    resource: newKeyArn,
    context: requestTags,
  });
  for (const action of KMS_CONTROLLER_KEY_ACTIONS) {
    required(`KMS controller: ${action} on the platform key (its key policy names the controller's role)`, {
      principal: kmsController,
      action,
      resource: keyArn,
      context: { ...taggedAsPlatform, 'kms:ResourceAliases': [names.kmsAlias] },
    });
  }
  for (const action of ['kms:CreateAlias', 'kms:DeleteAlias', 'kms:UpdateAlias']) {
    required(`KMS controller: ${action} of the platform alias`, { principal: kmsController, action, resource: names.kmsAliasArn });
  }
  required('KMS controller: kms:ListAliases', { principal: kmsController, action: 'kms:ListAliases', resource: '*' });
  forbidden('KMS controller: kms:CreateKey without the platform tags', { principal: kmsController, action: 'kms:CreateKey', resource: '*' });
  // TagNewKey reaches every key (CreateKey's tagging needs it), held to the platform's tag keys and to keys of no other project.
  forbidden('KMS controller: kms:TagResource of another project\'s key with the platform tags', {
    principal: kmsController,
    action: 'kms:TagResource',
    resource: otherKeyArn,
    context: { ...requestTags, 'aws:ResourceTag/project': 'another-project' },
  });
  forbidden('KMS controller: kms:TagResource with a tag key the platform does not set', {
    principal: kmsController,
    action: 'kms:TagResource',
    resource: otherKeyArn,
    context: { ...requestTags, 'aws:RequestTag/access': 'public', 'aws:TagKeys': [...Object.keys(tags), 'access'] },
  });
  // Tagging another key with the platform tags is allowed (see TagNewKey); it must open nothing.
  for (const action of ['kms:PutKeyPolicy', 'kms:ScheduleKeyDeletion', 'kms:DisableKey', 'kms:CreateAlias', 'kms:UpdateAlias', 'kms:UntagResource', 'kms:DescribeKey']) {
    forbidden(`KMS controller: ${action} on another key of the account that carries the platform tags`, {
      principal: kmsController,
      action,
      resource: otherKeyArn,
      context: taggedAsPlatform,
    });
  }
  for (const action of ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:CreateGrant', 'kms:DisableKey', 'kms:CancelKeyDeletion']) {
    forbidden(`KMS controller: ${action} on the platform key (it manages the key, never uses it)`, {
      principal: kmsController,
      action,
      resource: keyArn,
      context: { ...taggedAsPlatform, 'kms:ResourceAliases': [names.kmsAlias] },
    });
  }
  forbidden('KMS controller: kms:CreateAlias of another alias', { principal: kmsController, action: 'kms:CreateAlias', resource: names.kmsAliasArn.replace(names.kmsAlias, 'alias/another') });

  // --- The IAM controller: changes platform roles only with the platform boundary on them, and never the boundary itself. ---
  const iamController: ProofPrincipal = { kind: 'controller', controller: 'ack-iam-controller' };
  const withBoundary: ContextValues = { 'iam:PermissionsBoundary': names.roleBoundaryArn };
  const platformRoles = [...policies.roles.keys()].sort();
  for (const roleName of platformRoles) {
    const roleArn = names.roleArn(roleName);
    for (const action of ['iam:CreateRole', 'iam:PutRolePolicy', 'iam:UpdateAssumeRolePolicy', 'iam:PutRolePermissionsBoundary']) {
      required(`IAM controller: ${action} of ${roleName} with the platform boundary`, { principal: iamController, action, resource: roleArn, context: withBoundary });
    }
    for (const action of ['iam:TagRole', 'iam:GetRole', 'iam:DeleteRolePolicy', 'iam:DeleteRole']) {
      required(`IAM controller: ${action} of ${roleName}`, { principal: iamController, action, resource: roleArn });
    }
  }
  const someRole = names.roleArn(names.processorRole);
  forbidden('IAM controller: iam:CreateRole of a platform role without a boundary', { principal: iamController, action: 'iam:CreateRole', resource: someRole });
  forbidden('IAM controller: iam:CreateRole of a platform role with another boundary', {
    principal: iamController,
    action: 'iam:CreateRole',
    resource: someRole,
    context: { 'iam:PermissionsBoundary': `arn:aws:iam::${account}:policy/AdministratorAccess` },
  });
  for (const action of ['iam:PutRolePolicy', 'iam:UpdateAssumeRolePolicy']) {
    forbidden(`IAM controller: ${action} of a platform role that lost its boundary`, { principal: iamController, action, resource: someRole });
  }
  forbidden('IAM controller: iam:DeleteRolePermissionsBoundary of a platform role', { principal: iamController, action: 'iam:DeleteRolePermissionsBoundary', resource: someRole, context: withBoundary });
  forbidden('IAM controller: iam:AttachRolePolicy to a platform role', {
    principal: iamController,
    action: 'iam:AttachRolePolicy',
    resource: someRole,
    context: { ...withBoundary, 'iam:PolicyARN': 'arn:aws:iam::aws:policy/AdministratorAccess' },
  });
  forbidden('IAM controller: iam:CreateRole of a role that is not the platform\'s, even with the boundary', {
    principal: iamController,
    action: 'iam:CreateRole',
    resource: names.roleArn(`iam-admin-${config.suffix}`),
    context: withBoundary,
  });
  for (const action of ['iam:CreatePolicy', 'iam:CreatePolicyVersion', 'iam:SetDefaultPolicyVersion', 'iam:DeletePolicy']) {
    forbidden(`IAM controller: ${action} of the role boundary`, { principal: iamController, action, resource: names.roleBoundaryArn });
  }
  required('IAM controller: iam:CreatePolicyVersion of the redrive policy', { principal: iamController, action: 'iam:CreatePolicyVersion', resource: `arn:aws:iam::${account}:policy/${names.redrivePolicy}` });

  // --- The EC2 controller: creates the interface endpoint with private DNS, which associates the VPC with AWS's hosted zone. ---
  const ec2Controller: ProofPrincipal = { kind: 'controller', controller: 'ack-ec2-controller' };
  const endpointArn = `arn:aws:ec2:${region}:${account}:vpc-endpoint/${EXAMPLE.vpcEndpoint}`;
  const hostedZoneArn = `arn:aws:route53:::hostedzone/${EXAMPLE.hostedZone}`;
  required('EC2 controller: ec2:CreateVpcEndpoint with the platform tags', { principal: ec2Controller, action: 'ec2:CreateVpcEndpoint', resource: endpointArn, context: requestTags });
  forbidden('EC2 controller: ec2:CreateVpcEndpoint without the platform tags', { principal: ec2Controller, action: 'ec2:CreateVpcEndpoint', resource: endpointArn });
  for (const action of ['route53:AssociateVPCWithHostedZone', 'route53:DisassociateVPCFromHostedZone']) {
    required(`EC2 controller: ${action} (private DNS of the interface endpoint)`, { principal: ec2Controller, action, resource: hostedZoneArn });
  }
  forbidden('EC2 controller: route53:ChangeResourceRecordSets', { principal: ec2Controller, action: 'route53:ChangeResourceRecordSets', resource: hostedZoneArn });

  // --- The tables refuse plain HTTP to every principal, on the table and on its index; HTTPS passes (the calls above). ---
  const tableNameOf = (arn: string): string => arn.split('/').at(-1) ?? arn;
  for (const table of Object.values(tables)) {
    forbidden(`an account administrator: dynamodb:GetItem on ${tableNameOf(table)} over plain HTTP`, { principal: ADMINISTRATOR, action: 'dynamodb:GetItem', resource: table, context: tls(false) });
  }
  forbidden('an account administrator: dynamodb:Query on the asset-status line index over plain HTTP', { principal: ADMINISTRATOR, action: 'dynamodb:Query', resource: lineIndex, context: tls(false) });
  forbidden('processor: StatusStore UpdateItem on the asset-status table over plain HTTP', {
    principal: processor,
    action: 'dynamodb:UpdateItem',
    resource: tables.assetStatus,
    context: tls(false),
    endpoint: 'dynamodb',
  });
  forbidden('storer: BucketStore PutItem on the readings table over plain HTTP', { principal: storer, action: 'dynamodb:PutItem', resource: tables.readings, context: tls(false), endpoint: 'dynamodb' });
  forbidden('query: AssetDirectory Query on the line index over plain HTTP', { principal: query, action: 'dynamodb:Query', resource: lineIndex, context: tls(false), endpoint: 'dynamodb' });

  // --- The DynamoDB controller: creates the tables with their policies (which leave it its HTTPS calls), and the key's grant. ---
  const dynamodbController: ProofPrincipal = { kind: 'controller', controller: 'ack-dynamodb-controller' };
  for (const table of Object.values(tables)) {
    for (const action of ['dynamodb:CreateTable', 'dynamodb:DescribeTable', 'dynamodb:UpdateTable', 'dynamodb:GetResourcePolicy', 'dynamodb:PutResourcePolicy', 'dynamodb:DeleteTable']) {
      required(`DynamoDB controller: ${action} of ${tableNameOf(table)}`, { principal: dynamodbController, action, resource: table });
    }
    forbidden(`DynamoDB controller: dynamodb:PutResourcePolicy of ${tableNameOf(table)} over plain HTTP`, { principal: dynamodbController, action: 'dynamodb:PutResourcePolicy', resource: table, context: tls(false) });
  }
  forbidden('DynamoDB controller: dynamodb:DeleteResourcePolicy of the readings table (every table keeps its policy)', {
    principal: dynamodbController,
    action: 'dynamodb:DeleteResourcePolicy',
    resource: tables.readings,
  });
  forbidden('DynamoDB controller: dynamodb:PutResourcePolicy of a table that is not the platform\'s', {
    principal: dynamodbController,
    action: 'dynamodb:PutResourcePolicy',
    resource: names.tableArn(`dynamodb-other-${config.suffix}`),
  });
  required('DynamoDB controller: kms:DescribeKey via DynamoDB (CreateTable with the platform key)', { principal: dynamodbController, action: 'kms:DescribeKey', resource: keyArn, context: kms('dynamodb', {}) });
  required('DynamoDB controller: kms:CreateGrant via DynamoDB for a table', {
    principal: dynamodbController,
    action: 'kms:CreateGrant',
    resource: keyArn,
    context: { ...kms('dynamodb', {}), 'kms:GrantIsForAWSResource': 'true' },
  });
  forbidden('DynamoDB controller: kms:Decrypt via DynamoDB (it reads no item)', { principal: dynamodbController, action: 'kms:Decrypt', resource: keyArn, context: kms('dynamodb', tableContext(names.readingsTable)) });

  // --- The Lambda controller: the functions, and their environment variables encrypted with the platform key through Lambda only. ---
  const lambdaController: ProofPrincipal = { kind: 'controller', controller: LAMBDA_CONTROLLER };
  const viaLambda = kms('lambda', {});
  for (const [functionName, roleName] of [
    [names.processorFunction, names.processorRole],
    [names.storerFunction, names.storerRole],
    [names.queryFunction, names.queryRole],
  ] as const) {
    for (const action of ['lambda:CreateFunction', 'lambda:GetFunction', 'lambda:UpdateFunctionConfiguration']) {
      required(`Lambda controller: ${action} of ${functionName}`, { principal: lambdaController, action, resource: names.functionArn(functionName) });
    }
    required(`Lambda controller: iam:PassRole of ${roleName} to Lambda`, {
      principal: lambdaController,
      action: 'iam:PassRole',
      resource: names.roleArn(roleName),
      context: { 'iam:PassedToService': 'lambda.amazonaws.com' },
    });
  }
  // DescribeKey (its IAM policy grants it through Lambda) passes the key policy's AccountAdministersKey.
  for (const action of [...LAMBDA_ENVIRONMENT_KEY_ACTIONS, 'kms:DescribeKey']) {
    required(`Lambda controller: ${action} via Lambda (the functions' environment variables)`, { principal: lambdaController, action, resource: keyArn, context: viaLambda });
  }
  required('Lambda controller: kms:CreateGrant via Lambda (Decrypt for a function\'s execution role)', {
    principal: lambdaController,
    action: 'kms:CreateGrant',
    resource: keyArn,
    context: { ...viaLambda, 'kms:GrantIsForAWSResource': 'true' },
  });
  forbidden('Lambda controller: kms:Decrypt called directly, not through Lambda', {
    principal: lambdaController,
    action: 'kms:Decrypt',
    resource: keyArn,
    context: { 'kms:CallerAccount': account, 'kms:ResourceAliases': [names.kmsAlias] },
  });
  forbidden('Lambda controller: kms:Decrypt via DynamoDB (it uses the key through Lambda only)', { principal: lambdaController, action: 'kms:Decrypt', resource: keyArn, context: kms('dynamodb', tableContext(names.readingsTable)) });
  forbidden('Lambda controller: kms:CreateGrant via Lambda not for an AWS resource', {
    principal: lambdaController,
    action: 'kms:CreateGrant',
    resource: keyArn,
    context: { ...viaLambda, 'kms:GrantIsForAWSResource': 'false' },
  });
  forbidden('Lambda controller: kms:GenerateDataKey via Lambda (Lambda encrypts the variables with Encrypt)', { principal: lambdaController, action: 'kms:GenerateDataKey', resource: keyArn, context: viaLambda });
  forbidden('Lambda controller: lambda:UpdateFunctionConfiguration of a function that is not the platform\'s', {
    principal: lambdaController,
    action: 'lambda:UpdateFunctionConfiguration',
    resource: names.functionArn(`lambda-other-${config.suffix}`),
  });
  // Only the controller's role reads the variables through Lambda: the key policy names it (aws:PrincipalArn).
  forbidden('an account administrator: kms:Decrypt via Lambda (only the Lambda controller reads the functions\' variables)', { principal: ADMINISTRATOR, action: 'kms:Decrypt', resource: keyArn, context: viaLambda });
  forbidden('an account administrator: kms:CreateGrant via Lambda for an AWS resource', {
    principal: ADMINISTRATOR,
    action: 'kms:CreateGrant',
    resource: keyArn,
    context: { ...viaLambda, 'kms:GrantIsForAWSResource': 'true' },
  });
  forbidden('processor: kms:Decrypt via Lambda (its variables reach it through Lambda\'s grant)', { principal: processor, action: 'kms:Decrypt', resource: keyArn, context: viaLambda });
  return checks;
}
