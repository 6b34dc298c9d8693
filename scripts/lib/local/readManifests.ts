import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { CONTROLLER_POLICY_DIR } from '../../../charts/lib/controllerPolicies';
import { ROLE_BOUNDARY_FILE } from '../../../charts/lib/roleBoundary';
import type { PolicyDocument as IamPolicyDocument, RenderedDocument } from '../policyProofRender';
import { UsageError } from '../fleet/UsageError';
import { LOCAL_REGION } from './constants';
import type { AccessDocuments, FunctionSpec, LocalManifests, MappingSpec, PolicyDocument, RoleSpec, TableSpec, TopicRuleSpec } from './LocalManifests';
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
    kinesis: kinesis ? { streamName: String(kinesis.streamName), partitionKey: String(kinesis.partitionKey ?? '${newuuid()}'), roleArn: text(kinesis.roleArn) } : undefined,
    errorS3: errorS3 ? { bucketName: String(errorS3.bucketName), key: String(errorS3.key), roleArn: text(errorS3.roleArn) } : undefined,
  };
}

/** A policy document a manifest carries as JSON text, named for the messages that cite it. */
function policyDocument(id: string, json: unknown): RenderedDocument {
  if (typeof json !== 'string') throw new Error(`${id} has no policy document`);
  return { id, document: JSON.parse(json) as IamPolicyDocument };
}

function role(object: Json): RoleSpec {
  const spec = object.spec as Json;
  const name = String(spec.name ?? at(object, 'metadata', 'name'));
  return {
    objectName: String(at(object, 'metadata', 'name')),
    name,
    trust: policyDocument(`Role ${name} trust policy`, spec.assumeRolePolicyDocument),
    inline: Object.entries((spec.inlinePolicies ?? {}) as Record<string, unknown>).map(([policy, json]) => policyDocument(`Role ${name} inline policy ${policy}`, json)),
    boundary: text(spec.permissionsBoundary),
  };
}

/** `roleName` is resolved after every file is read (the Role may come later): here the object `roleRef` names, or the name in `spec.role`. */
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
    roleName: text(at(spec, 'roleRef', 'from', 'name')) ?? text(spec.role)?.split('/').pop(),
    runtime: String(spec.runtime ?? 'nodejs22.x'),
    logGroup: text(at(spec, 'loggingConfig', 'logGroup')) ?? `/aws/lambda/${name}`,
    inVpc: isObject(spec.vpcConfig),
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
 * their inline zips and execution roles) and event source mappings, and the documents that decide who may
 * call them: IAM roles, the roles' boundary, managed, resource, VPC endpoint and key policies. Anything else is listed in `ignored`, so a kind added later does not stop the local pipeline.
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
  const roles: RoleSpec[] = [];
  const access = {
    resourcePolicies: [] as Array<AccessDocuments['resourcePolicies'][number]>,
    endpointPolicies: [] as Array<AccessDocuments['endpointPolicies'][number]>,
    managedPolicies: [] as Array<AccessDocuments['managedPolicies'][number]>,
    keyPolicy: undefined as RenderedDocument | undefined,
  };
  /** Resource policies need the account, which the first ARN of the manifests gives. */
  const resourcePolicyRefs: Array<{ arn: (account: string) => string; document: RenderedDocument }> = [];
  const resourcePolicy = (arn: (account: string) => string, id: string, json: unknown): void => {
    if (json !== undefined) resourcePolicyRefs.push({ arn, document: policyDocument(id, json) });
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
      } else if (kind === 'Table' && apiGroup === 'dynamodb.services.k8s.aws') {
        const tableSpec = table(spec);
        result.tables.push(tableSpec);
        resourcePolicy((account) => `arn:aws:dynamodb:${LOCAL_REGION}:${account}:table/${tableSpec.tableName}`, `Table ${tableSpec.tableName} policy`, spec.resourcePolicy);
      }
      else if (kind === 'Queue' && apiGroup === 'sqs.services.k8s.aws') {
        const name = String(spec.queueName);
        result.queues.push({ name });
        resourcePolicy((account) => `arn:aws:sqs:${LOCAL_REGION}:${account}:${name}`, `Queue ${name} policy`, spec.policy);
      } else if (kind === 'Topic' && apiGroup === 'sns.services.k8s.aws') {
        const name = String(spec.name);
        result.topics.push({ name });
        resourcePolicy((account) => `arn:aws:sns:${LOCAL_REGION}:${account}:${name}`, `Topic ${name} policy`, spec.policy);
      } else if (kind === 'Bucket' && apiGroup === 's3.services.k8s.aws') {
        const name = String(spec.name);
        result.buckets.push({ name });
        resourcePolicy(() => `arn:aws:s3:::${name}`, `Bucket ${name} policy`, spec.policy);
      } else if (kind === 'Role' && apiGroup === 'iam.services.k8s.aws') roles.push(role(object));
      else if (kind === 'Policy' && apiGroup === 'iam.services.k8s.aws' && typeof spec.policyDocument === 'string') {
        // Read for the operator tools' identity (DynamoRouter); nothing else of an operator is emulated.
        access.managedPolicies.push({ name: String(spec.name), document: policyDocument(`Policy ${String(spec.name)}`, spec.policyDocument) });
        result.ignored.push(`${kind} ${String(at(object, 'metadata', 'name') ?? '')}`);
      }
      else if (kind === 'VPCEndpoint' && apiGroup === 'ec2.services.k8s.aws' && typeof spec.policyDocument === 'string') {
        const service = String(spec.serviceName ?? '').split('.').at(-1) ?? '';
        access.endpointPolicies.push({ service, document: policyDocument(`VPCEndpoint ${String(at(object, 'metadata', 'name'))} policy`, spec.policyDocument) });
        result.ignored.push(`${kind} ${String(at(object, 'metadata', 'name') ?? '')}`);
      } else if (kind === 'Key' && apiGroup === 'kms.services.k8s.aws') {
        access.keyPolicy = policyDocument(`Key ${String(at(object, 'metadata', 'name'))} policy`, spec.policy);
        result.ignored.push(`${kind} ${String(at(object, 'metadata', 'name') ?? '')}`);
      } else if (kind === 'Function' && apiGroup === 'lambda.services.k8s.aws') result.functions.push(lambdaFunction(object));
      else if (kind === 'EventSourceMapping' && apiGroup === 'lambda.services.k8s.aws') result.mappings.push(mapping(object, file));
      else {
        const source = kind === 'DeliveryStream' && apiGroup === 'firehose.aws.m.upbound.io' ? at(spec, 'forProvider', 'kinesisSourceConfiguration', 'kinesisStreamArn') : undefined;
        if (typeof source === 'string') result.archiveSources.push(source.split('/').pop() ?? '');
        result.ignored.push(`${kind} ${String(at(object, 'metadata', 'name') ?? '')}`);
      }
    }
  }
  for (const { name, streamObject } of consumerRefs) result.consumers.push({ name, streamName: streamObjects.get(streamObject) ?? streamObject });
  const account = accountId ?? '000000000000';
  // A function's roleRef names the Role object; AWS knows the role by the Role's spec.name.
  const functions = result.functions.map((fn) => ({ ...fn, roleName: roles.find((r) => r.objectName === fn.roleName)?.name ?? fn.roleName }));
  const boundaryFile = join(directory, CONTROLLER_POLICY_DIR, ROLE_BOUNDARY_FILE);
  const roleBoundary = existsSync(boundaryFile) ? policyDocument(`${CONTROLLER_POLICY_DIR}/${ROLE_BOUNDARY_FILE}`, readFileSync(boundaryFile, 'utf8')) : undefined;
  const resourcePolicies = resourcePolicyRefs.map(({ arn, document: doc }) => ({ arn: arn(account), document: doc }));
  return {
    environment,
    directory,
    accountId: account,
    region: LOCAL_REGION,
    ...result,
    functions,
    access: { roles, ...access, resourcePolicies, roleBoundary },
  };
}
