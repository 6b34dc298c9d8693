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
  readonly kinesis: { readonly streamName: string; readonly partitionKey: string } | undefined;
  readonly errorS3: { readonly bucketName: string; readonly key: string } | undefined;
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
}
