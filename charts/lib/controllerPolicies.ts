/**
 * The IAM policy each controller's role needs for exactly this platform's resources, derived from
 * the rendered objects: one document per controller (ACK services, the Crossplane AWS provider).
 * They are rendered beside the manifests (`manifests/<env>/controller-iam/`, a subfolder Argo CD
 * does not sync) so that a change of permissions is reviewed with the change that needs it.
 * docs/controllers.md explains what goes beyond each controller's recommended policy and why.
 *
 * Where AWS names a resource by a generated id (KMS key, EC2 network objects, event source
 * mappings), the ARN is narrowed to the environment's region and account and the statement to the
 * platform's tags or to the functions; a bare `*` is used only for WILDCARD_ONLY_ACTIONS.
 */
import { apiGroupOf } from './apiGroupOf';
import { EnvironmentConfig } from './config';
import { controllerOf } from './controllerOf';
import { metadataOf } from './metadataOf';
import { PlatformNames } from './names';
import { platformTags } from './platformTags';

export type ConditionBlock = Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;

export interface IamStatement {
  readonly Sid: string;
  readonly Effect: 'Allow';
  readonly Action: readonly string[];
  readonly Resource: readonly string[];
  readonly Condition?: ConditionBlock;
}

export interface IamPolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: readonly IamStatement[];
}

/** A Kubernetes object as rendered (apiVersion, kind, metadata, spec). */
export type RenderedObject = Readonly<Record<string, unknown>>;

/** Controllers that call AWS for the platform's objects, by the API groups they reconcile. */
export const CONTROLLERS = {
  'ack-cloudwatch-controller': ['cloudwatch.services.k8s.aws'],
  'ack-cloudwatchlogs-controller': ['cloudwatchlogs.services.k8s.aws'],
  'ack-dynamodb-controller': ['dynamodb.services.k8s.aws'],
  'ack-ec2-controller': ['ec2.services.k8s.aws'],
  'ack-iam-controller': ['iam.services.k8s.aws'],
  'ack-kms-controller': ['kms.services.k8s.aws'],
  'ack-lambda-controller': ['lambda.services.k8s.aws'],
  'ack-s3-controller': ['s3.services.k8s.aws'],
  'ack-sns-controller': ['sns.services.k8s.aws'],
  'ack-sqs-controller': ['sqs.services.k8s.aws'],
  // One role for the iot, kinesis, firehose, glue and athena provider packages: they share the ProviderConfig.
  'crossplane-provider-aws': ['iot.aws.m.upbound.io', 'kinesis.aws.m.upbound.io', 'firehose.aws.m.upbound.io', 'glue.aws.m.upbound.io', 'athena.aws.m.upbound.io'],
} as const satisfies Record<string, readonly string[]>;

export type ControllerId = keyof typeof CONTROLLERS;

export const CONTROLLER_IDS = Object.keys(CONTROLLERS).sort() as ControllerId[];

/** API groups the charts render that no AWS controller reconciles, and why they need no AWS permission. */
export const GROUPS_WITHOUT_AWS_CALLS: Readonly<Record<string, string>> = {
  '': 'core Kubernetes objects (the namespace) are applied by Argo CD and call no AWS API',
  'argoproj.io': 'Argo CD reads its AppProject and Application; no AWS API is called',
  'aws.m.upbound.io': 'the Crossplane ProviderConfig only tells the providers how to authenticate',
  'admissionregistration.k8s.io': 'admission policies are evaluated by the Kubernetes API server',
};

/**
 * Actions that take no resource ARN in IAM (the service authorization reference lists no resource
 * type for them), so `Resource: "*"` is the only way to allow them; each says why the controller calls it.
 */
export const WILDCARD_ONLY_ACTIONS: Readonly<Record<string, string>> = {
  'ec2:DescribeManagedPrefixLists': 'the EC2 controller tells AWS-owned prefix-list routes (the gateway endpoints\' own) from routes it manages on every route table update; denied, it would log an AccessDenied call per reconcile',
  'ec2:DescribeRouteTables': 'the EC2 controller reads route tables and subnet associations by id',
  'ec2:DescribeSecurityGroupRules': 'the EC2 controller reads the rules of the security groups (and of the VPC default group)',
  'ec2:DescribeSecurityGroups': 'the EC2 controller reads security groups; Lambda validates the function security group with the caller identity',
  'ec2:DescribeSubnets': 'the EC2 controller reads subnets; Lambda validates the function subnets with the caller identity',
  'ec2:DescribeVpcEndpoints': 'the EC2 controller reads the VPC endpoints by id',
  'ec2:DescribeVpcs': 'the EC2 controller reads the VPC; Lambda validates the function VPC with the caller identity',
  'iot:GetV2LoggingOptions': 'IoT logging options are one setting of the account and region, not a resource',
  'iot:SetV2LoggingOptions': 'IoT logging options are one setting of the account and region, not a resource',
  'kinesis:DisableEnhancedMonitoring': 'shard-level metrics: Kinesis authorizes this action without a resource ARN',
  'kinesis:EnableEnhancedMonitoring': 'shard-level metrics: Kinesis authorizes this action without a resource ARN',
  'kinesis:UpdateShardCount': 'resharding when the capacity plan changes: Kinesis authorizes this action without a resource ARN',
  'kinesis:UpdateStreamMode': 'switching to on-demand (capacity.onDemand): Kinesis authorizes this action without a resource ARN',
  'kms:CreateKey': 'the key does not exist yet; the statement requires the platform tags on the request instead',
  'kms:ListAliases': 'the KMS controller reads aliases, and Kinesis administrators list aliases to resolve the stream key',
  'lambda:CreateEventSourceMapping': 'the mapping id is generated; the statement requires the platform functions (lambda:FunctionArn) instead',
  'logs:DescribeLogGroups': 'the log group controller finds a log group by listing with its name as prefix',
  's3:ListAllMyBuckets': 'the S3 controller finds a general-purpose bucket by listing the account buckets',
};

function spec(object: RenderedObject): Record<string, unknown> {
  return (object.spec ?? {}) as Record<string, unknown>;
}

function forProvider(object: RenderedObject): Record<string, unknown> {
  return (spec(object).forProvider ?? {}) as Record<string, unknown>;
}

/** The Crossplane external name: the annotation when set, else the object name (Crossplane's default). */
function externalName(object: RenderedObject): string {
  const { name, annotations } = metadataOf(object);
  return annotations['crossplane.io/external-name'] ?? name;
}

/** Builds the statements of one environment from its objects; every ARN names its region and account. */
class PolicyBuilder {
  private readonly region: string;
  private readonly account: string;
  private readonly tags: Record<string, string>;
  private readonly roleBoundaryArn: string;

  constructor(
    config: EnvironmentConfig,
    private readonly objects: readonly RenderedObject[],
  ) {
    this.region = config.region;
    this.account = config.accountId;
    this.tags = platformTags(config);
    this.roleBoundaryArn = new PlatformNames(config).roleBoundaryArn;
  }

  arn(service: string, resource: string, regional = true): string {
    return `arn:aws:${service}:${regional ? this.region : ''}:${this.account}:${resource}`;
  }

  of(apiGroup: string, kind: string): RenderedObject[] {
    return this.objects.filter((object) => apiGroupOf(object) === apiGroup && object.kind === kind);
  }

  /** Spec field of every object of a kind, sorted and unique. */
  names(apiGroup: string, kind: string, field: string): string[] {
    return unique(this.of(apiGroup, kind).map((object) => String(spec(object)[field])));
  }

  /** The `spec.<field>` of the object a `*Ref: {from: {name}}` points at. */
  referenced(apiGroup: string, kind: string, objectName: string, field: string): string {
    const target = this.of(apiGroup, kind).find((object) => metadataOf(object).name === objectName);
    if (!target) throw new Error(`reference to ${kind} ${objectName}: no such object is rendered`);
    return String(spec(target)[field]);
  }

  /** Requires the platform's project and environment tags, on the request or on the resource. */
  tagCondition(prefix: 'aws:RequestTag' | 'aws:ResourceTag'): ConditionBlock {
    return { StringEquals: { [`${prefix}/project`]: this.tags.project, [`${prefix}/environment`]: this.tags.environment } };
  }

  /** Any key of the account, narrowed to the platform key by its alias (its id exists only after creation). */
  platformKey(statement: Omit<IamStatement, 'Effect' | 'Resource' | 'Condition'>, condition: ConditionBlock = {}): IamStatement {
    const base: ConditionBlock = { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': this.names('kms.services.k8s.aws', 'Alias', 'name') } };
    return { ...statement, Effect: 'Allow', Resource: [this.arn('kms', 'key/*')], Condition: { ...base, ...condition } };
  }

  viaService(service: string): ConditionBlock {
    return { StringEquals: { 'kms:ViaService': `${service}.${this.region}.amazonaws.com`, 'kms:CallerAccount': this.account } };
  }

  passRole(roleArns: readonly string[], service: string): IamStatement[] {
    if (roleArns.length === 0) return [];
    return [
      {
        Sid: `PassRolesTo${capitalize(service.split('.')[0])}`,
        Effect: 'Allow',
        Action: ['iam:PassRole'],
        Resource: unique(roleArns),
        Condition: { StringEquals: { 'iam:PassedToService': service } },
      },
    ];
  }

  iam(): IamStatement[] {
    const roles = this.names('iam.services.k8s.aws', 'Role', 'name').map((role) => `arn:aws:iam::${this.account}:role/${role}`);
    const policies = this.names('iam.services.k8s.aws', 'Policy', 'name').map((policy) => `arn:aws:iam::${this.account}:policy/${policy}`);
    return [
      ...statementIf(roles, {
        Sid: 'ManagePlatformRoles',
        // Reads, description, tags and deletion; what can widen a role is in the statement below.
        Action: [
          'iam:DeleteRole', 'iam:DeleteRolePolicy', 'iam:GetRole', 'iam:GetRolePolicy', 'iam:ListAttachedRolePolicies',
          'iam:ListRolePolicies', 'iam:ListRoleTags', 'iam:TagRole', 'iam:UntagRole', 'iam:UpdateRole',
        ],
      }),
      // Creating a role, putting its inline policy, changing its trust or its boundary: only for a role
      // that carries (or is given) the platform boundary, which this controller cannot change
      // (charts/lib/roleBoundary.ts). Without it, the controller could make any platform role an
      // administrator and trust itself with it. iam:DeleteRolePermissionsBoundary is not granted.
      ...statementIf(roles, {
        Sid: 'ChangePlatformRolesWithinBoundary',
        Action: ['iam:CreateRole', 'iam:PutRolePermissionsBoundary', 'iam:PutRolePolicy', 'iam:UpdateAssumeRolePolicy'],
        Condition: { StringEquals: { 'iam:PermissionsBoundary': this.roleBoundaryArn } },
      }),
      ...statementIf(policies, {
        Sid: 'ManagePlatformPolicies',
        Action: [
          'iam:CreatePolicy', 'iam:CreatePolicyVersion', 'iam:DeletePolicy', 'iam:DeletePolicyVersion', 'iam:GetPolicy', 'iam:GetPolicyVersion',
          'iam:ListPolicyTags', 'iam:ListPolicyVersions', 'iam:TagPolicy', 'iam:UntagPolicy',
        ],
      }),
    ];
  }

  kms(): IamStatement[] {
    const keys = this.of('kms.services.k8s.aws', 'Key');
    const aliases = this.names('kms.services.k8s.aws', 'Alias', 'name').map((alias) => this.arn('kms', alias));
    const statements: IamStatement[] = [];
    if (keys.length > 0) {
      statements.push(
        { Sid: 'CreateTaggedKey', Effect: 'Allow', Action: ['kms:CreateKey'], Resource: ['*'], Condition: this.tagCondition('aws:RequestTag') },
        // CreateKey with tags authorizes kms:TagResource on the new key, which carries no tags yet;
        // AWS requires that grant to cover every key. So it is held to the platform's tag keys, and to
        // keys that carry no project tag or the platform's: another project's key cannot be retagged,
        // and no key can get a tag the platform does not set. The key itself is managed through its
        // key policy, which names this controller's role (KMS_CONTROLLER_KEY_ACTIONS in charts/security.ts).
        {
          Sid: 'TagNewKey',
          Effect: 'Allow',
          Action: ['kms:TagResource'],
          Resource: [this.arn('kms', 'key/*')],
          Condition: {
            ...this.tagCondition('aws:RequestTag'),
            'ForAllValues:StringEquals': { 'aws:TagKeys': Object.keys(this.tags).sort() },
            StringEqualsIfExists: { 'aws:ResourceTag/project': this.tags.project },
          },
        },
      );
    }
    if (aliases.length > 0) {
      statements.push(
        { Sid: 'ManagePlatformAlias', Effect: 'Allow', Action: ['kms:CreateAlias', 'kms:DeleteAlias', 'kms:UpdateAlias'], Resource: aliases },
        { Sid: 'ListAliases', Effect: 'Allow', Action: ['kms:ListAliases'], Resource: ['*'] },
      );
    }
    return statements;
  }

  s3(): IamStatement[] {
    const buckets = this.names('s3.services.k8s.aws', 'Bucket', 'name').map((bucket) => `arn:aws:s3:::${bucket}`);
    if (buckets.length === 0) return [];
    return [
      { Sid: 'FindBuckets', Effect: 'Allow', Action: ['s3:ListAllMyBuckets'], Resource: ['*'] },
      {
        Sid: 'ReadPlatformBuckets',
        Effect: 'Allow',
        // The controller reads every bucket configuration on each reconcile, set or not.
        Action: [
          's3:GetAccelerateConfiguration', 's3:GetAnalyticsConfiguration', 's3:GetBucketAbac', 's3:GetBucketAcl', 's3:GetBucketCORS',
          's3:GetBucketLogging', 's3:GetBucketNotification', 's3:GetBucketObjectLockConfiguration', 's3:GetBucketOwnershipControls',
          's3:GetBucketPolicy', 's3:GetBucketPublicAccessBlock', 's3:GetBucketRequestPayment', 's3:GetBucketTagging', 's3:GetBucketVersioning',
          's3:GetBucketWebsite', 's3:GetEncryptionConfiguration', 's3:GetIntelligentTieringConfiguration', 's3:GetInventoryConfiguration',
          's3:GetLifecycleConfiguration', 's3:GetMetricsConfiguration', 's3:GetReplicationConfiguration',
        ],
        Resource: buckets,
      },
      {
        Sid: 'ManagePlatformBuckets',
        Effect: 'Allow',
        // Only the configurations the storage chart sets; s3:TagResource authorizes the tags of CreateBucket.
        Action: [
          's3:CreateBucket', 's3:DeleteBucket', 's3:PutBucketOwnershipControls', 's3:PutBucketPolicy', 's3:PutBucketPublicAccessBlock',
          's3:PutBucketTagging', 's3:PutBucketVersioning', 's3:PutEncryptionConfiguration', 's3:PutLifecycleConfiguration', 's3:TagResource',
        ],
        Resource: buckets,
      },
    ];
  }

  dynamodb(): IamStatement[] {
    const tables = this.of('dynamodb.services.k8s.aws', 'Table');
    const arns = unique(tables.map((table) => this.arn('dynamodb', `table/${String(spec(table).tableName)}`)));
    const withKey = tables.some((table) => (spec(table).sseSpecification as { kmsMasterKeyRef?: unknown } | undefined)?.kmsMasterKeyRef !== undefined);
    const withPolicy = unique(tables.filter((table) => spec(table).resourcePolicy !== undefined).map((table) => this.arn('dynamodb', `table/${String(spec(table).tableName)}`)));
    return [
      ...statementIf(arns, {
        Sid: 'ManagePlatformTables',
        Action: [
          'dynamodb:CreateTable', 'dynamodb:DeleteTable', 'dynamodb:DescribeContinuousBackups', 'dynamodb:DescribeContributorInsights',
          'dynamodb:DescribeTable', 'dynamodb:DescribeTimeToLive', 'dynamodb:GetResourcePolicy', 'dynamodb:ListTagsOfResource', 'dynamodb:TagResource',
          'dynamodb:UntagResource', 'dynamodb:UpdateContinuousBackups', 'dynamodb:UpdateTable', 'dynamodb:UpdateTimeToLive',
        ],
      }),
      // The table policy goes with CreateTable and, when it changes, PutResourcePolicy. No DeleteResourcePolicy:
      // the controller calls it only for a table whose policy is removed from the chart, and every table has one.
      ...statementIf(withPolicy, { Sid: 'PutPlatformTablePolicies', Action: ['dynamodb:PutResourcePolicy'] }),
      // CreateTable with a customer managed key: DynamoDB describes the key and creates its grant with the caller's identity.
      ...(withKey
        ? [this.platformKey({ Sid: 'EncryptTablesWithPlatformKey', Action: ['kms:CreateGrant', 'kms:DescribeKey'] }, this.viaService('dynamodb'))]
        : []),
    ];
  }

  sqs(): IamStatement[] {
    const queues = this.names('sqs.services.k8s.aws', 'Queue', 'queueName').map((queue) => this.arn('sqs', queue));
    return statementIf(queues, {
      Sid: 'ManagePlatformQueues',
      Action: ['sqs:CreateQueue', 'sqs:DeleteQueue', 'sqs:GetQueueAttributes', 'sqs:ListQueueTags', 'sqs:SetQueueAttributes', 'sqs:TagQueue', 'sqs:UntagQueue'],
    });
  }

  sns(): IamStatement[] {
    const topics = this.names('sns.services.k8s.aws', 'Topic', 'name').map((topic) => this.arn('sns', topic));
    const subscribed = unique(
      this.of('sns.services.k8s.aws', 'Subscription').map((subscription) => {
        const topicObject = ((spec(subscription).topicRef as { from?: { name?: string } } | undefined)?.from?.name) ?? '';
        return this.arn('sns', this.referenced('sns.services.k8s.aws', 'Topic', topicObject, 'name'));
      }),
    );
    return [
      ...statementIf(topics, {
        Sid: 'ManagePlatformTopics',
        Action: ['sns:CreateTopic', 'sns:DeleteTopic', 'sns:GetTopicAttributes', 'sns:ListTagsForResource', 'sns:SetTopicAttributes', 'sns:TagResource', 'sns:UntagResource'],
      }),
      // SNS authorizes subscription calls against the subscription's topic.
      ...statementIf(subscribed, {
        Sid: 'ManageSubscriptionsOfPlatformTopics',
        Action: ['sns:GetSubscriptionAttributes', 'sns:SetSubscriptionAttributes', 'sns:Subscribe', 'sns:Unsubscribe'],
      }),
    ];
  }

  lambda(): IamStatement[] {
    const functions = this.of('lambda.services.k8s.aws', 'Function');
    const functionArns = unique(functions.map((fn) => this.arn('lambda', `function:${String(spec(fn).name)}`)));
    const roles = functions.map((fn) => {
      const roleObject = (spec(fn).roleRef as { from?: { name?: string } } | undefined)?.from?.name;
      const role = roleObject ? this.referenced('iam.services.k8s.aws', 'Role', roleObject, 'name') : String(spec(fn).role ?? '').split('/').pop();
      return `arn:aws:iam::${this.account}:role/${role}`;
    });
    const mappings = this.of('lambda.services.k8s.aws', 'EventSourceMapping');
    const mappedFunctions = unique(
      mappings.map((mapping) => {
        const fnObject = (spec(mapping).functionRef as { from?: { name?: string } } | undefined)?.from?.name ?? '';
        return this.arn('lambda', `function:${this.referenced('lambda.services.k8s.aws', 'Function', fnObject, 'name')}`);
      }),
    );
    const urlFunctions = unique(
      this.of('lambda.services.k8s.aws', 'FunctionURLConfig').map((url) => {
        const fnObject = (spec(url).functionRef as { from?: { name?: string } } | undefined)?.from?.name;
        return this.arn('lambda', `function:${fnObject ? this.referenced('lambda.services.k8s.aws', 'Function', fnObject, 'name') : String(spec(url).functionName)}`);
      }),
    );
    const inVpc = functions.some((fn) => spec(fn).vpcConfig !== undefined);
    const withKey = functions.some((fn) => spec(fn).kmsKeyRef !== undefined || spec(fn).kmsKeyARN !== undefined);
    const functionCondition: ConditionBlock = { StringEquals: { 'lambda:FunctionArn': mappedFunctions } };
    return [
      ...statementIf(functionArns, {
        Sid: 'ManagePlatformFunctions',
        Action: [
          'lambda:CreateFunction', 'lambda:DeleteFunction', 'lambda:GetFunction', 'lambda:GetFunctionCodeSigningConfig', 'lambda:GetFunctionConcurrency',
          'lambda:GetFunctionEventInvokeConfig', 'lambda:ListTags', 'lambda:TagResource', 'lambda:UntagResource', 'lambda:UpdateFunctionCode',
          'lambda:UpdateFunctionConfiguration',
        ],
      }),
      ...this.passRole(roles, 'lambda.amazonaws.com'),
      // Only IAM-authenticated URLs can be created or changed into: a public (NONE) URL is refused by IAM too.
      ...statementIf(urlFunctions, { Sid: 'ConfigureIamUrlsOfPlatformFunctions', Action: ['lambda:CreateFunctionUrlConfig', 'lambda:UpdateFunctionUrlConfig'] }).map((statement) => ({
        ...statement,
        Condition: { StringEquals: { 'lambda:FunctionUrlAuthType': 'AWS_IAM' } },
      })),
      ...statementIf(urlFunctions, { Sid: 'ReadAndDeleteUrlsOfPlatformFunctions', Action: ['lambda:DeleteFunctionUrlConfig', 'lambda:GetFunctionUrlConfig'] }),
      ...(inVpc
        ? [{ Sid: 'ValidateFunctionNetwork', Effect: 'Allow' as const, Action: ['ec2:DescribeSecurityGroups', 'ec2:DescribeSubnets', 'ec2:DescribeVpcs'], Resource: ['*'] }]
        : []),
      // Lambda encrypts environment variables under a customer managed key, and decrypts them for GetFunction
      // (each reconcile), with the caller's identity; without Decrypt the controller reads no variables back and
      // updates the function forever. The key policy allows this role the same through Lambda (charts/security.ts).
      ...(withKey
        ? [
            this.platformKey({ Sid: 'EncryptFunctionEnvironmentWithPlatformKey', Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt'] }, this.viaService('lambda')),
            // With the same identity Lambda grants the function's execution role Decrypt, for the variables at start.
            this.platformKey(
              { Sid: 'LetLambdaGrantFunctionRolesDecrypt', Action: ['kms:CreateGrant'] },
              { ...this.viaService('lambda'), Bool: { 'kms:GrantIsForAWSResource': 'true' } },
            ),
          ]
        : []),
      ...(mappings.length > 0
        ? [
            { Sid: 'CreateMappingsOfPlatformFunctions', Effect: 'Allow' as const, Action: ['lambda:CreateEventSourceMapping'], Resource: ['*'], Condition: functionCondition },
            {
              Sid: 'ManageMappingsOfPlatformFunctions',
              Effect: 'Allow' as const,
              Action: ['lambda:DeleteEventSourceMapping', 'lambda:UpdateEventSourceMapping'],
              Resource: [this.arn('lambda', 'event-source-mapping:*')],
              Condition: functionCondition,
            },
            // Reads and tags of a mapping carry no lambda:FunctionArn; mapping ids are generated, so the account's mappings.
            {
              Sid: 'ReadAndTagMappings',
              Effect: 'Allow' as const,
              Action: ['lambda:GetEventSourceMapping', 'lambda:ListTags', 'lambda:TagResource', 'lambda:UntagResource'],
              Resource: [this.arn('lambda', 'event-source-mapping:*')],
            },
          ]
        : []),
    ];
  }

  ec2(): IamStatement[] {
    const present = (kind: string) => this.of('ec2.services.k8s.aws', kind).length > 0;
    const types: { kind: string; resource: string; create: string; actions: string[]; describe: string[] }[] = [
      { kind: 'VPC', resource: 'vpc', create: 'ec2:CreateVpc', actions: ['ec2:DeleteVpc', 'ec2:DescribeVpcAttribute', 'ec2:ModifyVpcAttribute'], describe: ['ec2:DescribeVpcs'] },
      {
        kind: 'Subnet',
        resource: 'subnet',
        create: 'ec2:CreateSubnet',
        actions: ['ec2:AssociateRouteTable', 'ec2:DeleteSubnet', 'ec2:DisassociateRouteTable', 'ec2:ModifySubnetAttribute'],
        describe: ['ec2:DescribeRouteTables', 'ec2:DescribeSubnets'],
      },
      { kind: 'RouteTable', resource: 'route-table', create: 'ec2:CreateRouteTable', actions: ['ec2:AssociateRouteTable', 'ec2:DeleteRouteTable', 'ec2:DisassociateRouteTable'], describe: ['ec2:DescribeManagedPrefixLists', 'ec2:DescribeRouteTables'] },
      {
        kind: 'SecurityGroup',
        resource: 'security-group',
        create: 'ec2:CreateSecurityGroup',
        actions: ['ec2:AuthorizeSecurityGroupEgress', 'ec2:AuthorizeSecurityGroupIngress', 'ec2:DeleteSecurityGroup', 'ec2:RevokeSecurityGroupEgress', 'ec2:RevokeSecurityGroupIngress'],
        describe: ['ec2:DescribeSecurityGroupRules', 'ec2:DescribeSecurityGroups'],
      },
      { kind: 'VPCEndpoint', resource: 'vpc-endpoint', create: 'ec2:CreateVpcEndpoint', actions: ['ec2:DeleteVpcEndpoints', 'ec2:ModifyVpcEndpoint'], describe: ['ec2:DescribeVpcEndpoints'] },
    ].filter((type) => present(type.kind));
    if (types.length === 0) return [];
    const resources = unique(types.map((type) => this.arn('ec2', `${type.resource}/*`)));
    const creates = unique(types.map((type) => type.create));
    const statements: IamStatement[] = [
      { Sid: 'DescribeNetwork', Effect: 'Allow', Action: unique(types.flatMap((type) => type.describe)), Resource: ['*'] },
      // A create names the parent VPC, subnets, route table and groups too; the request carries the platform tags.
      { Sid: 'CreateTaggedNetwork', Effect: 'Allow', Action: creates, Resource: resources, Condition: this.tagCondition('aws:RequestTag') },
      { Sid: 'TagNetworkOnCreate', Effect: 'Allow', Action: ['ec2:CreateTags'], Resource: resources, Condition: { StringEquals: { 'ec2:CreateAction': creates } } },
      {
        Sid: 'ManageTaggedNetwork',
        Effect: 'Allow',
        Action: unique([...types.flatMap((type) => type.actions), 'ec2:CreateTags', 'ec2:DeleteTags']),
        Resource: resources,
        Condition: this.tagCondition('aws:ResourceTag'),
      },
    ];
    const privateDns = this.of('ec2.services.k8s.aws', 'VPCEndpoint').some((endpoint) => spec(endpoint).privateDNSEnabled === true);
    if (privateDns) {
      // An interface endpoint with private DNS associates the VPC with a private hosted zone AWS creates and owns
      // (IAM checks the association against the caller); its id is AWS's, so any zone. Disassociate for turning it off.
      statements.push({
        Sid: 'EndpointPrivateDns',
        Effect: 'Allow',
        Action: ['route53:AssociateVPCWithHostedZone', 'route53:DisassociateVPCFromHostedZone'],
        Resource: ['arn:aws:route53:::hostedzone/*'],
      });
    }
    const locksDefaultGroup = this.of('ec2.services.k8s.aws', 'VPC').some((vpc) => spec(vpc).disallowSecurityGroupDefaultRules === true);
    if (locksDefaultGroup) {
      // AWS creates the VPC's default security group untagged; disallowSecurityGroupDefaultRules revokes its rules.
      statements.push({
        Sid: 'RevokeDefaultSecurityGroupRules',
        Effect: 'Allow',
        Action: ['ec2:RevokeSecurityGroupEgress', 'ec2:RevokeSecurityGroupIngress'],
        Resource: [this.arn('ec2', 'security-group/*')],
      });
    }
    return statements;
  }

  cloudwatch(): IamStatement[] {
    const alarms = this.names('cloudwatch.services.k8s.aws', 'MetricAlarm', 'name').map((alarm) => this.arn('cloudwatch', `alarm:${alarm}`));
    // Dashboards are global: their ARN has no region.
    const dashboards = this.names('cloudwatch.services.k8s.aws', 'Dashboard', 'dashboardName').map((dashboard) => this.arn('cloudwatch', `dashboard/${dashboard}`, false));
    return [
      // PutMetricAlarm with tags authorizes cloudwatch:TagResource too.
      ...statementIf(alarms, { Sid: 'ManagePlatformAlarms', Action: ['cloudwatch:DeleteAlarms', 'cloudwatch:DescribeAlarms', 'cloudwatch:PutMetricAlarm', 'cloudwatch:TagResource'] }),
      ...statementIf(dashboards, { Sid: 'ManagePlatformDashboards', Action: ['cloudwatch:DeleteDashboards', 'cloudwatch:GetDashboard', 'cloudwatch:PutDashboard'] }),
    ];
  }

  cloudwatchlogs(): IamStatement[] {
    const groups = this.names('cloudwatchlogs.services.k8s.aws', 'LogGroup', 'name');
    if (groups.length === 0) return [];
    return [
      { Sid: 'FindLogGroups', Effect: 'Allow', Action: ['logs:DescribeLogGroups'], Resource: ['*'] },
      {
        Sid: 'ManagePlatformLogGroups',
        Effect: 'Allow',
        // CreateLogGroup with tags authorizes logs:TagResource; the key is used by the logs service principal (key policy), not the caller.
        Action: [
          'logs:CreateLogGroup', 'logs:DeleteLogGroup', 'logs:DeleteRetentionPolicy', 'logs:DescribeSubscriptionFilters', 'logs:ListTagsForResource',
          'logs:PutRetentionPolicy', 'logs:TagResource', 'logs:UntagResource',
        ],
        Resource: unique(groups.flatMap((name) => [this.arn('logs', `log-group:${name}`), this.arn('logs', `log-group:${name}:*`)])),
      },
    ];
  }

  crossplane(): IamStatement[] {
    const iotPolicies = this.of('iot.aws.m.upbound.io', 'Policy').map((policy) => this.arn('iot', `policy/${externalName(policy)}`));
    const rules = this.of('iot.aws.m.upbound.io', 'TopicRule');
    const ruleArns = unique(rules.map((rule) => this.arn('iot', `rule/${externalName(rule)}`)));
    const ruleRoles = rules.flatMap((rule) => collectRoleArns(forProvider(rule)));
    const logging = this.of('iot.aws.m.upbound.io', 'LoggingOptions');
    const loggingRoles = logging.flatMap((options) => collectRoleArns(forProvider(options)));
    const streams = this.of('kinesis.aws.m.upbound.io', 'Stream');
    const streamArns = unique(streams.map((stream) => this.arn('kinesis', `stream/${externalName(stream)}`)));
    const streamKeys = unique(streams.map((stream) => String(forProvider(stream).kmsKeyId ?? '')).filter((key) => key !== ''));
    const consumers = this.of('kinesis.aws.m.upbound.io', 'StreamConsumer').map((consumer) => {
      const provider = forProvider(consumer);
      const streamObject = String((provider.streamArnRef as { name?: string } | undefined)?.name ?? '');
      const stream = streams.find((candidate) => metadataOf(candidate).name === streamObject);
      const streamArn = typeof provider.streamArn === 'string' ? provider.streamArn : this.arn('kinesis', `stream/${stream === undefined ? streamObject : externalName(stream)}`);
      // AWS ends a consumer's ARN with its registration time: the statement names the consumer, registered at any time.
      return { streamArn, consumerArn: `${streamArn}/consumer/${String(provider.name)}:*` };
    });
    const firehoses = this.of('firehose.aws.m.upbound.io', 'DeliveryStream');
    const firehoseArns = unique(firehoses.map((firehose) => this.arn('firehose', `deliverystream/${String(forProvider(firehose).name ?? externalName(firehose))}`)));
    const firehoseRoles = firehoses.flatMap((firehose) => collectRoleArns(forProvider(firehose)));
    return [
      ...statementIf(unique(iotPolicies), {
        Sid: 'ManageIotPolicies',
        Action: [
          'iot:CreatePolicy', 'iot:CreatePolicyVersion', 'iot:DeletePolicy', 'iot:DeletePolicyVersion', 'iot:GetPolicy', 'iot:GetPolicyVersion',
          'iot:ListPolicyVersions', 'iot:ListTagsForResource', 'iot:TagResource', 'iot:UntagResource',
        ],
      }),
      ...statementIf(ruleArns, {
        Sid: 'ManageIotTopicRules',
        Action: ['iot:CreateTopicRule', 'iot:DeleteTopicRule', 'iot:GetTopicRule', 'iot:ListTagsForResource', 'iot:ReplaceTopicRule', 'iot:TagResource', 'iot:UntagResource'],
      }),
      ...(logging.length > 0 ? [{ Sid: 'ManageIotLogging', Effect: 'Allow' as const, Action: ['iot:GetV2LoggingOptions', 'iot:SetV2LoggingOptions'], Resource: ['*'] }] : []),
      ...this.passRole([...ruleRoles, ...loggingRoles], 'iot.amazonaws.com'),
      ...statementIf(streamArns, {
        Sid: 'ManageKinesisStreams',
        // Both tagging API generations: the Terraform provider moved from the stream-name calls to the ARN-based ones.
        Action: [
          'kinesis:AddTagsToStream', 'kinesis:CreateStream', 'kinesis:DecreaseStreamRetentionPeriod', 'kinesis:DeleteStream', 'kinesis:DescribeStream',
          'kinesis:DescribeStreamSummary', 'kinesis:IncreaseStreamRetentionPeriod', 'kinesis:ListTagsForResource', 'kinesis:ListTagsForStream',
          'kinesis:RemoveTagsFromStream', 'kinesis:TagResource', 'kinesis:UntagResource',
        ],
      }),
      ...(streams.length > 0
        ? [{ Sid: 'ScaleKinesisStreams', Effect: 'Allow' as const, Action: ['kinesis:DisableEnhancedMonitoring', 'kinesis:EnableEnhancedMonitoring', 'kinesis:UpdateShardCount', 'kinesis:UpdateStreamMode'], Resource: ['*'] }]
        : []),
      ...statementIf(unique(consumers.map((consumer) => consumer.streamArn)), { Sid: 'RegisterStreamConsumers', Action: ['kinesis:RegisterStreamConsumer'] }),
      ...statementIf(unique(consumers.map((consumer) => consumer.consumerArn)), {
        Sid: 'ManageStreamConsumers',
        // Tags of a consumer are read and written on the consumer's ARN.
        Action: ['kinesis:DeregisterStreamConsumer', 'kinesis:DescribeStreamConsumer', 'kinesis:ListTagsForResource', 'kinesis:TagResource', 'kinesis:UntagResource'],
      }),
      // StartStreamEncryption authorizes the stream and the key the stream names (here the alias ARN, resolved to the key).
      ...statementIf(streamKeys.length > 0 ? unique([...streamArns, ...streamKeys, this.arn('kms', 'key/*')]) : [], {
        Sid: 'EncryptKinesisStreams',
        Action: ['kinesis:StartStreamEncryption'],
      }),
      // Kinesis stream administrators describe the key and list aliases with their own identity.
      ...(streamKeys.length > 0 ? [this.platformKey({ Sid: 'DescribeStreamKey', Action: ['kms:DescribeKey'] }), { Sid: 'ListKeyAliases', Effect: 'Allow' as const, Action: ['kms:ListAliases'], Resource: ['*'] }] : []),
      ...statementIf(firehoseArns, {
        Sid: 'ManageFirehoseDeliveryStreams',
        Action: [
          'firehose:CreateDeliveryStream', 'firehose:DeleteDeliveryStream', 'firehose:DescribeDeliveryStream', 'firehose:ListTagsForDeliveryStream',
          'firehose:TagDeliveryStream', 'firehose:UntagDeliveryStream', 'firehose:UpdateDestination',
        ],
      }),
      ...this.passRole(firehoseRoles, 'firehose.amazonaws.com'),
      ...this.glue(),
      ...this.athena(),
    ];
  }

  /** Glue databases and tables: Glue authorizes a table call on the catalog, its database and the table. */
  glue(): IamStatement[] {
    const catalog = this.arn('glue', 'catalog');
    const databases = this.of('glue.aws.m.upbound.io', 'CatalogDatabase').map((database) => this.arn('glue', `database/${externalName(database)}`));
    const tables = this.of('glue.aws.m.upbound.io', 'CatalogTable');
    const tableArns = tables.map((table) => this.arn('glue', `table/${String(forProvider(table).databaseName)}/${externalName(table)}`));
    const tableDatabases = tables.map((table) => this.arn('glue', `database/${String(forProvider(table).databaseName)}`));
    return [
      ...statementIf(databases.length > 0 ? [catalog, ...databases] : [], {
        Sid: 'ManageGlueDatabases',
        Action: ['glue:CreateDatabase', 'glue:DeleteDatabase', 'glue:GetDatabase', 'glue:GetTags', 'glue:TagResource', 'glue:UntagResource', 'glue:UpdateDatabase'],
      }),
      ...statementIf(tableArns.length > 0 ? [catalog, ...tableDatabases, ...tableArns] : [], {
        Sid: 'ManageGlueTables',
        Action: ['glue:CreateTable', 'glue:DeleteTable', 'glue:GetPartitionIndexes', 'glue:GetTable', 'glue:UpdateTable'],
      }),
    ];
  }

  /** Athena workgroups and their named queries (Athena authorizes named queries on their workgroup). */
  athena(): IamStatement[] {
    const workgroups = this.of('athena.aws.m.upbound.io', 'Workgroup').map((workgroup) => this.arn('athena', `workgroup/${externalName(workgroup)}`));
    const queryWorkgroups = this.of('athena.aws.m.upbound.io', 'NamedQuery').map((query) => this.arn('athena', `workgroup/${String(forProvider(query).workgroup)}`));
    return [
      ...statementIf(workgroups, {
        Sid: 'ManageAthenaWorkgroups',
        Action: ['athena:CreateWorkGroup', 'athena:DeleteWorkGroup', 'athena:GetWorkGroup', 'athena:ListTagsForResource', 'athena:TagResource', 'athena:UntagResource', 'athena:UpdateWorkGroup'],
      }),
      ...statementIf(queryWorkgroups, { Sid: 'ManageAthenaNamedQueries', Action: ['athena:CreateNamedQuery', 'athena:DeleteNamedQuery', 'athena:GetNamedQuery'] }),
    ];
  }

  build(controller: ControllerId): IamPolicyDocument {
    const statements: Record<ControllerId, () => IamStatement[]> = {
      'ack-cloudwatch-controller': () => this.cloudwatch(),
      'ack-cloudwatchlogs-controller': () => this.cloudwatchlogs(),
      'ack-dynamodb-controller': () => this.dynamodb(),
      'ack-ec2-controller': () => this.ec2(),
      'ack-iam-controller': () => this.iam(),
      'ack-kms-controller': () => this.kms(),
      'ack-lambda-controller': () => this.lambda(),
      'ack-s3-controller': () => this.s3(),
      'ack-sns-controller': () => this.sns(),
      'ack-sqs-controller': () => this.sqs(),
      'crossplane-provider-aws': () => this.crossplane(),
    };
    return { Version: '2012-10-17', Statement: statements[controller]().map(normalize) };
  }
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)].sort();
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

function statementIf(resources: readonly string[], statement: { Sid: string; Action: readonly string[]; Condition?: ConditionBlock }): IamStatement[] {
  return resources.length === 0 ? [] : [{ ...statement, Effect: 'Allow', Resource: unique(resources) }];
}

/** Every `roleArn` anywhere below a Crossplane `forProvider` (rule actions, error action, Firehose source and destination). */
function collectRoleArns(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(collectRoleArns);
  if (node === null || typeof node !== 'object') return [];
  return Object.entries(node).flatMap(([key, value]) => (key === 'roleArn' && typeof value === 'string' ? [value] : collectRoleArns(value)));
}

function normalize(statement: IamStatement): IamStatement {
  return { ...statement, Action: unique(statement.Action), Resource: unique(statement.Resource) };
}

/** One policy document per controller, for the objects of one environment; throws for an object no controller covers. */
export function controllerPolicies(config: EnvironmentConfig, objects: readonly RenderedObject[]): Record<ControllerId, IamPolicyDocument> {
  const used = new Set(objects.map(controllerOf).filter((id): id is ControllerId => id !== undefined));
  const builder = new PolicyBuilder(config, objects);
  return Object.fromEntries(CONTROLLER_IDS.filter((id) => used.has(id)).map((id) => [id, builder.build(id)])) as Record<ControllerId, IamPolicyDocument>;
}

/** The folder below `manifests/<env>/`; Argo CD syncs `manifests/<env>` without recursing, so it never applies these. */
export const CONTROLLER_POLICY_DIR = 'controller-iam';
