import type { RenderedDocument } from '../policyProofRender';

/** The objects of `manifests/<env>` the local pipeline builds, read from the rendered YAML. */

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string | readonly string[];
  readonly Resource: string | readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
}

export interface PolicyDocument {
  readonly Version?: string;
  readonly Statement: readonly PolicyStatement[];
}

export interface TopicRuleSpec {
  /** The rule's AWS name (`crossplane.io/external-name`), which Basic Ingest topics name. */
  readonly name: string;
  readonly sql: string;
  readonly enabled: boolean;
  /** `roleArn`: the role IoT Core acts as for the action (undefined when the rule names none). */
  readonly kinesis: { readonly streamName: string; readonly partitionKey: string; readonly roleArn: string | undefined } | undefined;
  readonly errorS3: { readonly bucketName: string; readonly key: string; readonly roleArn: string | undefined } | undefined;
}

export interface TableSpec {
  readonly tableName: string;
  readonly keySchema: ReadonlyArray<{ readonly attributeName: string; readonly keyType: 'HASH' | 'RANGE' }>;
  readonly attributeDefinitions: ReadonlyArray<{ readonly attributeName: string; readonly attributeType: 'S' | 'N' | 'B' }>;
  readonly globalSecondaryIndexes: ReadonlyArray<{
    readonly indexName: string;
    readonly keySchema: ReadonlyArray<{ readonly attributeName: string; readonly keyType: 'HASH' | 'RANGE' }>;
    readonly projection: { readonly projectionType: string };
  }>;
  readonly ttlAttribute: string | undefined;
}

export interface FunctionSpec {
  /** Kubernetes object name (what mappings reference) and the function's name. */
  readonly objectName: string;
  readonly name: string;
  /** `index.handler`: file and export. */
  readonly handler: string;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  readonly variables: Readonly<Record<string, string>>;
  /** The AWS name of its execution role (`spec.roleRef` resolved to the Role's `spec.name`, or the name in `spec.role`). */
  readonly roleName: string | undefined;
  /** `spec.runtime`, which Lambda names in AWS_EXECUTION_ENV; nodejs22.x when absent. */
  readonly runtime?: string;
  /** `spec.loggingConfig.logGroup`; Lambda's default `/aws/lambda/<name>` when absent. */
  readonly logGroup?: string;
  /** It runs in the VPC (`spec.vpcConfig`): its calls to a service with an endpoint pass that endpoint's policy. */
  readonly inVpc: boolean;
  /** The deployment package (`spec.code.zipFile`, decoded). */
  readonly zip: Buffer;
}

export interface MappingSpec {
  readonly objectName: string;
  /** The file of the environment's folder that declares it (`processing.k8s.yaml`), for the messages that name it. */
  readonly file: string;
  readonly functionObjectName: string;
  readonly eventSourceArn: string;
  readonly batchSize: number;
  readonly batchingWindowSeconds: number;
  readonly startingPosition: 'TRIM_HORIZON' | 'LATEST' | 'AT_TIMESTAMP';
  /** With AT_TIMESTAMP, where reading starts (epoch ms). */
  readonly startingPositionTimestamp: number | undefined;
  readonly reportBatchItemFailures: boolean;
  readonly bisectOnError: boolean;
  /** -1 = infinite, as in AWS. */
  readonly maximumRetryAttempts: number;
  readonly maximumRecordAgeSeconds: number;
  readonly parallelizationFactor: number;
  /** 0 = none, as in AWS. */
  readonly tumblingWindowSeconds: number;
  /** `spec.filterCriteria` as rendered; undefined when absent. */
  readonly filterCriteria: unknown;
  /** Undefined when the manifest declares none: the pipeline refuses to start then (refuseUnrunnableMappings). */
  readonly onFailureDestination: string | undefined;
  readonly enabled: boolean;
}

/** A rendered IAM role (ACK `Role`). */
export interface RoleSpec {
  /** Kubernetes object name (what a function's `roleRef` names). */
  readonly objectName: string;
  /** AWS name. */
  readonly name: string;
  readonly trust: RenderedDocument;
  readonly inline: readonly RenderedDocument[];
  /** ARN of its permissions boundary, if any. */
  readonly boundary: string | undefined;
}

/** The access-control documents of the manifests, as plain data (it crosses into worker threads). */
export interface AccessDocuments {
  readonly roles: readonly RoleSpec[];
  /** Bucket, queue, topic and table policies, by the resource's ARN. */
  readonly resourcePolicies: ReadonlyArray<{ readonly arn: string; readonly document: RenderedDocument }>;
  /** VPC endpoint policies by service (`dynamodb`, `s3`, `sns`). */
  readonly endpointPolicies: ReadonlyArray<{ readonly service: string; readonly document: RenderedDocument }>;
  /** IAM managed policies (ACK `Policy`) by their AWS name: what an operator's role is given (`iam-query-operator-<suffix>`). */
  readonly managedPolicies: ReadonlyArray<{ readonly name: string; readonly document: RenderedDocument }>;
  readonly keyPolicy: RenderedDocument | undefined;
  /** The roles' permissions boundary, `controller-iam/iam-role-boundary.json` beside the manifests (applied at bootstrap), if there. */
  readonly roleBoundary: RenderedDocument | undefined;
}

export interface LocalManifests {
  readonly environment: string;
  readonly directory: string;
  readonly accountId: string;
  readonly region: string;
  readonly devicePolicy: { readonly name: string; readonly document: PolicyDocument } | undefined;
  readonly topicRules: readonly TopicRuleSpec[];
  readonly streams: ReadonlyArray<{ readonly name: string; readonly shardCount: number }>;
  /** Enhanced fan-out consumers registered on a stream (Crossplane StreamConsumer). */
  readonly consumers: ReadonlyArray<{ readonly name: string; readonly streamName: string }>;
  readonly tables: readonly TableSpec[];
  readonly queues: ReadonlyArray<{ readonly name: string }>;
  readonly topics: ReadonlyArray<{ readonly name: string }>;
  readonly buckets: ReadonlyArray<{ readonly name: string }>;
  readonly functions: readonly FunctionSpec[];
  readonly mappings: readonly MappingSpec[];
  /** Streams a Firehose delivery stream reads (not emulated, but its reads count against each shard's read limit). */
  readonly archiveSources: readonly string[];
  /** `kind name` of every object the local pipeline does not emulate. */
  readonly ignored: readonly string[];
  readonly access: AccessDocuments;
}
