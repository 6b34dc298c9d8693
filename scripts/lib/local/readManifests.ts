import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { UsageError } from '../fleet/UsageError';
import { LOCAL_REGION } from './constants';
import type { FunctionSpec, LocalManifests, MappingSpec, PolicyDocument, TableSpec, TopicRuleSpec } from './LocalManifests';
import { manifestEnvironments } from '../fleet/manifestEnvironments';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const at = (value: unknown, ...path: string[]): unknown => path.reduce<unknown>((v, key) => (isObject(v) ? v[key] : undefined), value);
const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const num = (value: unknown, fallback: number): number => (typeof value === 'number' ? value : typeof value === 'string' && value !== '' ? Number(value) : fallback);

function group(object: Json): string {
  return String(object.apiVersion ?? '').split('/')[0] ?? '';
}

/** Crossplane objects carry the AWS name in the external-name annotation; ACK objects in spec. */
function externalName(object: Json): string {
  return text(at(object, 'metadata', 'annotations', 'crossplane.io/external-name')) ?? String(at(object, 'metadata', 'name') ?? '');
}

function table(spec: Json): TableSpec {
  const keySchema = (spec.keySchema ?? []) as TableSpec['keySchema'];
  return {
    tableName: String(spec.tableName),
    keySchema,
    attributeDefinitions: (spec.attributeDefinitions ?? []) as TableSpec['attributeDefinitions'],
    globalSecondaryIndexes: (spec.globalSecondaryIndexes ?? []) as TableSpec['globalSecondaryIndexes'],
    ttlAttribute: at(spec, 'timeToLive', 'enabled') === true ? text(at(spec, 'timeToLive', 'attributeName')) : undefined,
  };
}

function topicRule(object: Json): TopicRuleSpec {
  const provider = at(object, 'spec', 'forProvider') as Json;
  const kinesis = Array.isArray(provider.kinesis) ? (provider.kinesis[0] as Json | undefined) : undefined;
  const errorS3 = at(provider, 'errorAction', 's3') as Json | undefined;
  return {
    name: externalName(object),
    sql: String(provider.sql ?? ''),
    enabled: provider.enabled !== false,
    kinesis: kinesis ? { streamName: String(kinesis.streamName), partitionKey: String(kinesis.partitionKey ?? '${newuuid()}') } : undefined,
    errorS3: errorS3 ? { bucketName: String(errorS3.bucketName), key: String(errorS3.key) } : undefined,
  };
}

function lambdaFunction(object: Json): FunctionSpec {
  const spec = object.spec as Json;
  const zipFile = text(at(spec, 'code', 'zipFile'));
  const name = String(spec.name ?? at(object, 'metadata', 'name'));
  if (zipFile === undefined) throw new Error(`function ${name} has no inline spec.code.zipFile; only inline code can run locally`);
  return {
    objectName: String(at(object, 'metadata', 'name')),
    name,
    handler: String(spec.handler ?? 'index.handler'),
    timeoutSeconds: num(spec.timeout, 3),
    memoryMb: num(spec.memorySize, 128),
    variables: (at(spec, 'environment', 'variables') ?? {}) as Record<string, string>,
    zip: Buffer.from(zipFile, 'base64'),
  };
}

function mapping(object: Json, file: string): MappingSpec {
  const spec = object.spec as Json;
  const types = Array.isArray(spec.functionResponseTypes) ? spec.functionResponseTypes : [];
  return {
    objectName: String(at(object, 'metadata', 'name')),
    file,
    functionObjectName: String(at(spec, 'functionRef', 'from', 'name') ?? spec.functionName ?? ''),
    eventSourceArn: String(spec.eventSourceARN ?? ''),
    batchSize: num(spec.batchSize, 100),
    batchingWindowSeconds: num(spec.maximumBatchingWindowInSeconds, 0),
    startingPosition: spec.startingPosition === 'LATEST' || spec.startingPosition === 'AT_TIMESTAMP' ? spec.startingPosition : 'TRIM_HORIZON',
    startingPositionTimestamp: typeof spec.startingPositionTimestamp === 'string' ? Date.parse(spec.startingPositionTimestamp) : undefined,
    reportBatchItemFailures: types.includes('ReportBatchItemFailures'),
    bisectOnError: spec.bisectBatchOnFunctionError === true,
    maximumRetryAttempts: num(spec.maximumRetryAttempts, -1),
    maximumRecordAgeSeconds: num(spec.maximumRecordAgeInSeconds, -1),
    parallelizationFactor: num(spec.parallelizationFactor, 1),
    tumblingWindowSeconds: num(spec.tumblingWindowInSeconds, 0),
    filterCriteria: spec.filterCriteria ?? undefined,
    onFailureDestination: text(at(spec, 'destinationConfig', 'onFailure', 'destination')),
    enabled: spec.enabled !== false,
  };
}

/** The folders of `manifests/` that hold rendered objects, for the message of a wrong --env. */
function renderedEnvironments(parent: string): string {
  return manifestEnvironments(parent).join(', ') || 'none';
}

/**
 * Reads the rendered objects of one environment (`manifests/<env>/*.k8s.yaml`): the IoT device policy,
 * topic rules, stream and its enhanced fan-out consumers, tables, queue, topics, bucket, functions (with
 * their inline zips) and event source mappings. Anything else is listed in `ignored`, so a kind added later does not stop the local pipeline.
 */
export function readManifests(directory: string, environment: string): LocalManifests {
  // A wrong --env is a wrong command line (one line, exit 2), so it names the environments there are.
  if (!existsSync(directory)) throw new UsageError(`--env ${environment}: no rendered manifests in ${directory}; rendered environments: ${renderedEnvironments(dirname(directory))} (npm run synth renders config/<env>.yaml)`);
  const files = readdirSync(directory).filter((file) => file.endsWith('.k8s.yaml')).sort();
  if (files.length === 0) throw new UsageError(`--env ${environment}: ${directory} holds no *.k8s.yaml files; rendered environments: ${renderedEnvironments(dirname(directory))}`);
  const result = {
    devicePolicy: undefined as LocalManifests['devicePolicy'],
    topicRules: [] as TopicRuleSpec[],
    streams: [] as Array<{ name: string; shardCount: number }>,
    consumers: [] as Array<{ name: string; streamName: string }>,
    tables: [] as TableSpec[],
    queues: [] as Array<{ name: string }>,
    topics: [] as Array<{ name: string }>,
    buckets: [] as Array<{ name: string }>,
    functions: [] as FunctionSpec[],
    mappings: [] as MappingSpec[],
    archiveSources: [] as string[],
    ignored: [] as string[],
  };
  let accountId: string | undefined;
  /** Stream object name -> stream name, and each consumer's stream object, resolved once every file is read. */
  const streamObjects = new Map<string, string>();
  const consumerRefs: Array<{ name: string; streamObject: string }> = [];
  for (const file of files) {
    const content = readFileSync(join(directory, file), 'utf8');
    accountId ??= /arn:aws:[a-z0-9-]+:[a-z0-9-]*:(\d{12}):/.exec(content)?.[1];
    for (const document of parseAllDocuments(content)) {
      if (document.errors.length > 0) throw new Error(`${file}: not valid YAML: ${document.errors[0]?.message.split('\n')[0] ?? ''}`);
      const object: unknown = document.toJS({ maxAliasCount: -1 });
      if (!isObject(object)) continue;
      const kind = String(object.kind ?? '');
      const apiGroup = group(object);
      const spec = (object.spec ?? {}) as Json;
      if (kind === 'Policy' && apiGroup === 'iot.aws.m.upbound.io') {
        result.devicePolicy = { name: externalName(object), document: JSON.parse(String(at(spec, 'forProvider', 'policy'))) as PolicyDocument };
      } else if (kind === 'TopicRule' && apiGroup === 'iot.aws.m.upbound.io') result.topicRules.push(topicRule(object));
      else if (kind === 'Stream' && apiGroup === 'kinesis.aws.m.upbound.io') {
        result.streams.push({ name: externalName(object), shardCount: num(at(spec, 'forProvider', 'shardCount'), 1) });
        streamObjects.set(String(at(object, 'metadata', 'name') ?? ''), externalName(object));
      } else if (kind === 'StreamConsumer' && apiGroup === 'kinesis.aws.m.upbound.io') {
        consumerRefs.push({ name: String(at(spec, 'forProvider', 'name') ?? ''), streamObject: String(at(spec, 'forProvider', 'streamArnRef', 'name') ?? '') });
      } else if (kind === 'Table' && apiGroup === 'dynamodb.services.k8s.aws') result.tables.push(table(spec));
      else if (kind === 'Queue' && apiGroup === 'sqs.services.k8s.aws') result.queues.push({ name: String(spec.queueName) });
      else if (kind === 'Topic' && apiGroup === 'sns.services.k8s.aws') result.topics.push({ name: String(spec.name) });
      else if (kind === 'Bucket' && apiGroup === 's3.services.k8s.aws') result.buckets.push({ name: String(spec.name) });
      else if (kind === 'Function' && apiGroup === 'lambda.services.k8s.aws') result.functions.push(lambdaFunction(object));
      else if (kind === 'EventSourceMapping' && apiGroup === 'lambda.services.k8s.aws') result.mappings.push(mapping(object, file));
      else {
        const source = kind === 'DeliveryStream' && apiGroup === 'firehose.aws.m.upbound.io' ? at(spec, 'forProvider', 'kinesisSourceConfiguration', 'kinesisStreamArn') : undefined;
        if (typeof source === 'string') result.archiveSources.push(source.split('/').pop() ?? '');
        result.ignored.push(`${kind} ${String(at(object, 'metadata', 'name') ?? '')}`);
      }
    }
  }
  for (const { name, streamObject } of consumerRefs) result.consumers.push({ name, streamName: streamObjects.get(streamObject) ?? streamObject });
  return { environment, directory, accountId: accountId ?? '000000000000', region: LOCAL_REGION, ...result };
}
