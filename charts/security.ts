import { Construct } from 'constructs';
import { Alias, Key } from '../imports/kms.services.k8s.aws';
import { policyDocument, PolicyStatement } from './constructs/policyDocument';
import { ackMetadata } from './lib/ackMetadata';
import { tagList } from './lib/tagList';
import type { ControllerId } from './lib/controllerPolicies';
import { PlatformChart, PlatformChartProps } from './lib/PlatformChart';

/**
 * Services that use the key with the identity of their caller (a function's, the IoT rule's or
 * Firehose's role, an operator): the key policy lets the account's principals use the key only
 * through these, so nobody decrypts platform data by calling KMS directly. Not Firehose itself: the
 * delivery stream has no server-side encryption of its own (its Kinesis source is encrypted), so
 * Firehose's role uses the key only through Kinesis (reading the stream) and S3 (writing the archive).
 */
export const KEY_CALLER_SERVICES = ['dynamodb', 'kinesis', 's3', 'sns', 'sqs'] as const;

/**
 * Administrative actions of the account on the key. They deliberately exclude the cryptographic
 * operations and kms:CreateGrant (which would let a principal grant itself Decrypt): those are
 * only reachable through KEY_CALLER_SERVICES. kms:PutKeyPolicy keeps the key manageable, which is
 * also what KMS's lockout safety check demands of a new policy.
 */
export const KEY_ADMIN_ACTIONS = [
  'kms:CancelKeyDeletion',
  'kms:CreateAlias',
  'kms:DeleteAlias',
  'kms:DescribeKey',
  'kms:DisableKey',
  'kms:DisableKeyRotation',
  'kms:EnableKey',
  'kms:EnableKeyRotation',
  'kms:GetKeyPolicy',
  'kms:GetKeyRotationStatus',
  'kms:ListGrants',
  'kms:ListKeyPolicies',
  'kms:ListKeyRotations',
  'kms:ListResourceTags',
  'kms:PutKeyPolicy',
  'kms:RetireGrant',
  'kms:RevokeGrant',
  'kms:RotateKeyOnDemand',
  'kms:ScheduleKeyDeletion',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:UpdateAlias',
  'kms:UpdateKeyDescription',
] as const;

/**
 * What the ACK KMS controller (v1.4.1) calls on the key once it exists: its reads, rotation, key
 * policy, tags, deletion, and the key side of the alias calls. Granted in the key policy to the
 * controller's role by name, not in the controller's IAM policy: KMS keys have no name to pin an IAM
 * policy to before they exist, and a grant on keys carrying the platform tags would reach any key of
 * the account the controller tags (it may tag, to create the key with its tags). No cryptographic
 * operation: the controller never uses the key. `kms:DisableKeyRotation` is left out: rotation stays on.
 */
export const KMS_CONTROLLER_KEY_ACTIONS = [
  'kms:CreateAlias',
  'kms:DeleteAlias',
  'kms:DescribeKey',
  'kms:EnableKeyRotation',
  'kms:GetKeyPolicy',
  'kms:GetKeyRotationStatus',
  'kms:ListResourceTags',
  'kms:PutKeyPolicy',
  'kms:ScheduleKeyDeletion',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:UpdateAlias',
] as const;

/** The controller whose role the key policy names. */
export const KMS_CONTROLLER: ControllerId = 'ack-kms-controller';

/** The controller that creates, updates and reads the functions, whose environment variables the key encrypts. */
export const LAMBDA_CONTROLLER: ControllerId = 'ack-lambda-controller';

/**
 * What Lambda does with the key, with the identity of whoever sets or reads a function's environment
 * variables (AWS Lambda Developer Guide, "Securing environment variables": Encrypt and CreateGrant to
 * configure the key on a function, Decrypt to view or manage the variables). CreateGrant has a statement
 * of its own (LambdaGrantsFunctionRolesDecrypt); DescribeKey none, AccountAdministersKey leaves it to IAM.
 */
export const LAMBDA_ENVIRONMENT_KEY_ACTIONS = ['kms:Decrypt', 'kms:Encrypt'] as const;

/** Cryptographic operations the caller services perform on the account's behalf. */
const KEY_USE_ACTIONS = ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'] as const;

/**
 * The environment's one customer-managed KMS key (symmetric, yearly rotation) and its alias. Every
 * store of the platform encrypts with it: stream, tables, archive bucket, dead-letter queue, topics,
 * the functions' and IoT Core's log groups, and the functions' environment variables. (The key's
 * description predates the last; KMS sets it at creation only, see createOnlyFields.)
 */
export class SecurityChart extends PlatformChart {
  readonly key: Key;
  readonly alias: Alias;

  constructor(scope: Construct, id: string, props: PlatformChartProps) {
    super(scope, id, props);
    const { config, names } = this;

    this.key = new Key(this, 'key', {
      metadata: ackMetadata(config, names, names.kmsKeyObject, 'kms'),
      spec: {
        description: `Plant telemetry ${config.environment}: encrypts the stream, tables, archive bucket, dead-letter queue, topics and logs`,
        keySpec: 'SYMMETRIC_DEFAULT',
        keyUsage: 'ENCRYPT_DECRYPT',
        origin: 'AWS_KMS',
        // A multi-Region key could be replicated out of sa-east-1; data residency forbids it.
        multiRegion: false,
        enableKeyRotation: true,
        policy: this.keyPolicy(),
        tags: tagList(config).map(({ key, value }) => ({ tagKey: key, tagValue: value })),
      },
    });

    this.alias = new Alias(this, 'alias', {
      metadata: ackMetadata(config, names, `alias-${names.kmsKeyObject}`, 'kms'),
      spec: { name: names.kmsAlias, targetKeyRef: { from: { name: names.kmsKeyObject } } },
    });
  }

  /** In a key policy, Resource "*" means this key: the policy is attached to nothing else. */
  private keyPolicy(): string {
    const { config, names } = this;
    const accountRoot = `arn:aws:iam::${config.accountId}:root`;
    const viaServices = KEY_CALLER_SERVICES.map((service) => `${service}.${config.region}.amazonaws.com`);
    // The log groups created encrypted with this key: the stream functions' (processing chart), the query function's (query chart) and IoT Core's (ingestion chart).
    const logGroupArns = [names.logGroup(names.processorFunction), names.logGroup(names.storerFunction), names.logGroup(names.queryFunction), names.iotLogGroup].map((group) =>
      names.logGroupArn(group),
    );

    const lambdaController = {
      'kms:CallerAccount': config.accountId,
      'kms:ViaService': `lambda.${config.region}.amazonaws.com`,
      'aws:PrincipalArn': names.roleArn(names.controllerRoleName(LAMBDA_CONTROLLER)),
    };

    const statements: PolicyStatement[] = [
      {
        Sid: 'AccountAdministersKey',
        Effect: 'Allow',
        Principal: { AWS: accountRoot },
        Action: KEY_ADMIN_ACTIONS,
        Resource: '*',
      },
      {
        // Principal = the account: a principal also needs an IAM grant (the roles carry one scoped
        // by kms:ResourceAliases), and it works only through the named services of sa-east-1.
        Sid: 'AccountUsesKeyThroughPlatformServices',
        Effect: 'Allow',
        Principal: { AWS: accountRoot },
        Action: KEY_USE_ACTIONS,
        Resource: '*',
        Condition: { StringEquals: { 'kms:CallerAccount': config.accountId, 'kms:ViaService': viaServices } },
      },
      {
        // DynamoDB holds grants on the key for the tables it encrypts; the other caller services
        // (Kinesis, S3, SNS, SQS) use the key directly and never create grants.
        Sid: 'DynamoDbCreatesGrantsForItsTables',
        Effect: 'Allow',
        Principal: { AWS: accountRoot },
        Action: 'kms:CreateGrant',
        Resource: '*',
        Condition: {
          Bool: { 'kms:GrantIsForAWSResource': 'true' },
          StringEquals: { 'kms:CallerAccount': config.accountId, 'kms:ViaService': `dynamodb.${config.region}.amazonaws.com` },
        },
      },
      {
        // Lambda encrypts, and decrypts for GetFunction, the functions' environment variables with the
        // identity of the caller: the Lambda controller's role alone (by aws:PrincipalArn: naming it as
        // the principal would make the key wait for that role, as KMS refuses a policy naming a missing
        // one), through Lambda only. Its IAM policy must allow the same (Principal = the account).
        Sid: 'LambdaControllerEncryptsFunctionEnvironments',
        Effect: 'Allow',
        Principal: { AWS: accountRoot },
        Action: LAMBDA_ENVIRONMENT_KEY_ACTIONS,
        Resource: '*',
        Condition: { StringEquals: lambdaController },
      },
      {
        // Lambda lets each function's execution role decrypt its variables at start through a grant it
        // creates on the key with the same caller's identity, so the function roles need no key permission.
        Sid: 'LambdaGrantsFunctionRolesDecrypt',
        Effect: 'Allow',
        Principal: { AWS: accountRoot },
        Action: 'kms:CreateGrant',
        Resource: '*',
        Condition: { Bool: { 'kms:GrantIsForAWSResource': 'true' }, StringEquals: lambdaController },
      },
      {
        // CloudWatch Logs encrypts with its own service principal; the encryption context names the
        // log group, so only the platform's own log groups can use the key.
        Sid: 'CloudWatchLogsEncryptsPlatformLogGroups',
        Effect: 'Allow',
        Principal: { Service: `logs.${config.region}.amazonaws.com` },
        Action: ['kms:Decrypt*', 'kms:Describe*', 'kms:Encrypt*', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'],
        Resource: '*',
        Condition: { ArnEquals: { 'kms:EncryptionContext:aws:logs:arn': logGroupArns } },
      },
      {
        // CloudWatch alarms publish to the KMS-encrypted ops topic as the CloudWatch service
        // principal, which therefore needs the key: only the platform's alarms (names.alarmName), and
        // only for the ops topic (SNS names the topic in the encryption context of its KMS calls).
        Sid: 'CloudWatchAlarmsPublishToEncryptedTopics',
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Resource: '*',
        Condition: {
          StringEquals: { 'aws:SourceAccount': config.accountId, 'kms:EncryptionContext:aws:sns:topicArn': names.opsTopicArn },
          ArnLike: { 'aws:SourceArn': names.platformAlarmArnPattern },
        },
      },
      {
        // The controller that creates the key manages it through this statement alone (see
        // KMS_CONTROLLER_KEY_ACTIONS); it also satisfies KMS's lockout check, which requires the
        // creator of a key to be able to put its policy again.
        Sid: 'KmsControllerManagesKey',
        Effect: 'Allow',
        Principal: { AWS: names.roleArn(names.controllerRoleName(KMS_CONTROLLER)) },
        Action: KMS_CONTROLLER_KEY_ACTIONS,
        Resource: '*',
      },
    ];
    return policyDocument(statements);
  }
}
