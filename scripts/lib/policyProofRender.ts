import { Testing } from 'cdk8s';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EnvironmentConfig } from '../../charts/lib/config';
import { loadEnvironmentConfig } from '../../charts/lib/loadEnvironmentConfig';
import { controllerPolicies, type ControllerId } from '../../charts/lib/controllerPolicies';
import { stableJson } from '../../charts/lib/stableJson';
import { ROLE_BOUNDARY_FILE, roleBoundaryDocument } from '../../charts/lib/roleBoundary';
import { PlatformNames } from '../../charts/lib/names';
import { buildApp } from '../../main';

/** A policy document as IAM reads it (the JSON the CRDs carry, parsed). */
export interface PolicyDocument {
  readonly Version?: string;
  readonly Statement: readonly Record<string, unknown>[] | Record<string, unknown>;
}

/** One rendered policy document and where it comes from (the object, for failure lines). */
export interface RenderedDocument {
  /** e.g. `Role iam-processor-dev inline processor`; unique per environment. */
  readonly id: string;
  readonly document: PolicyDocument;
}

/** The access-control documents of one environment, as the charts render them now. */
export interface PlatformPolicies {
  readonly environment: string;
  readonly config: EnvironmentConfig;
  readonly names: PlatformNames;
  /** IAM roles by name: trust policy, inline policies and the ARN of their permissions boundary, if any. */
  readonly roles: ReadonlyMap<string, { readonly trust: RenderedDocument; readonly inline: readonly RenderedDocument[]; readonly boundary: string | undefined }>;
  /** The platform roles' permissions boundary (controller-iam/iam-role-boundary.json), created at bootstrap. */
  readonly roleBoundary: RenderedDocument;
  /** ACK IAM managed policies by name (the operators' redrive policy). */
  readonly managedPolicies: ReadonlyMap<string, RenderedDocument>;
  readonly keyPolicy: RenderedDocument;
  /**
   * Controller roles' policies (controller-iam/) by controller, for the controllers the catalog
   * checks: the IAM controller's (bounded by the role boundary), the KMS controller's (whose reach
   * beyond the platform key is a key policy question), the EC2 controller's (tags), and the DynamoDB
   * and Lambda controllers' (the table policies and the key policy must leave them their calls).
   */
  readonly controllerPolicies: ReadonlyMap<ControllerId, RenderedDocument>;
  /** Resource policies by the ARN of their resource (bucket, queue, topics, tables). */
  readonly resourcePolicies: ReadonlyMap<string, RenderedDocument>;
  readonly devicePolicy: RenderedDocument;
  /** VPC endpoint policies by service (`dynamodb`, `s3`, `sns`). */
  readonly endpointPolicies: ReadonlyMap<string, RenderedDocument>;
  /** Tags of each private subnet and of the functions' security group, as AWS would report them. */
  readonly subnetTags: readonly Readonly<Record<string, string>>[];
  readonly functionsSecurityGroupTags: Readonly<Record<string, string>>;
  /** Every CloudWatch alarm: its name and the topics it notifies. */
  readonly alarms: readonly { readonly name: string; readonly actions: readonly string[] }[];
  /** Every rendered document, for the check that each is exercised. */
  readonly documents: readonly RenderedDocument[];
}

interface RenderedObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string };
  readonly spec?: Record<string, unknown>;
}

const group = (object: RenderedObject): string => object.apiVersion.split('/')[0] ?? '';

function parse(id: string, json: unknown): RenderedDocument {
  if (typeof json !== 'string') throw new Error(`policy proof: ${id} has no policy document`);
  return { id, document: JSON.parse(json) as PolicyDocument };
}

function tagsOf(object: RenderedObject): Record<string, string> {
  const tags = (object.spec?.tags ?? []) as { key: string; value: string }[];
  return Object.fromEntries(tags.map(({ key, value }) => [key, value]));
}

/** Every object of the environment, rendered in memory with the charts as they are now (nothing is written). */
function renderEnvironment(environment: string, configDir?: string): RenderedObject[] {
  // synth() is never called, so the outdir is never created; it only keeps the App away from manifests/.
  const app = buildApp(environment, join(tmpdir(), `policy-proof-${environment}-unused`), configDir);
  return app.charts.flatMap((chart) => Testing.synth(chart) as RenderedObject[]);
}

/** Collects the policy documents of one environment from its rendered objects (its config from `configDir`, config/ by default). */
export function renderPlatformPolicies(environment: string, configDir?: string): PlatformPolicies {
  const config = loadEnvironmentConfig(environment, configDir);
  const names = new PlatformNames(config);
  const objects = renderEnvironment(environment, configDir);
  const of = (apiGroup: string, kind: string): RenderedObject[] => objects.filter((object) => group(object) === apiGroup && object.kind === kind);
  const one = (apiGroup: string, kind: string, name?: string): RenderedObject => {
    const found = of(apiGroup, kind).filter((object) => name === undefined || object.metadata.name === name);
    if (found.length !== 1) throw new Error(`policy proof: expected one ${kind} (${apiGroup})${name ? ` named ${name}` : ''} in ${environment}, found ${found.length}`);
    return found[0] as RenderedObject;
  };
  const documents: RenderedDocument[] = [];
  const keep = (document: RenderedDocument): RenderedDocument => {
    documents.push(document);
    return document;
  };

  const roles = new Map<string, { trust: RenderedDocument; inline: RenderedDocument[]; boundary: string | undefined }>();
  for (const role of of('iam.services.k8s.aws', 'Role')) {
    const spec = role.spec as { name: string; assumeRolePolicyDocument: string; inlinePolicies?: Record<string, string>; permissionsBoundary?: string };
    roles.set(spec.name, {
      trust: keep(parse(`Role ${spec.name} trust policy`, spec.assumeRolePolicyDocument)),
      inline: Object.entries(spec.inlinePolicies ?? {}).map(([name, json]) => keep(parse(`Role ${spec.name} inline policy ${name}`, json))),
      boundary: spec.permissionsBoundary,
    });
  }
  const roleBoundary = keep(parse(`controller-iam/${ROLE_BOUNDARY_FILE}`, stableJson(roleBoundaryDocument(objects as unknown as readonly Record<string, unknown>[]))));
  const managedPolicies = new Map<string, RenderedDocument>();
  for (const policy of of('iam.services.k8s.aws', 'Policy')) {
    const spec = policy.spec as { name: string; policyDocument: string };
    managedPolicies.set(spec.name, keep(parse(`Policy ${spec.name}`, spec.policyDocument)));
  }

  const resourcePolicies = new Map<string, RenderedDocument>();
  const bucket = one('s3.services.k8s.aws', 'Bucket', names.archiveBucket);
  resourcePolicies.set(names.archiveBucketArn, keep(parse(`Bucket ${names.archiveBucket} policy`, bucket.spec?.policy)));
  for (const queue of of('sqs.services.k8s.aws', 'Queue')) {
    const queueName = String(queue.spec?.queueName);
    resourcePolicies.set(`arn:aws:sqs:${config.region}:${config.accountId}:${queueName}`, keep(parse(`Queue ${queueName} policy`, queue.spec?.policy)));
  }
  for (const topic of of('sns.services.k8s.aws', 'Topic')) {
    const topicName = String(topic.spec?.name);
    resourcePolicies.set(`arn:aws:sns:${config.region}:${config.accountId}:${topicName}`, keep(parse(`Topic ${topicName} policy`, topic.spec?.policy)));
  }
  for (const table of of('dynamodb.services.k8s.aws', 'Table')) {
    const tableName = String(table.spec?.tableName);
    resourcePolicies.set(names.tableArn(tableName), keep(parse(`Table ${tableName} policy`, table.spec?.resourcePolicy)));
  }

  const endpointPolicies = new Map<string, RenderedDocument>();
  for (const endpoint of of('ec2.services.k8s.aws', 'VPCEndpoint')) {
    const spec = endpoint.spec as { serviceName: string; policyDocument?: string };
    const service = spec.serviceName.split('.').at(-1) ?? spec.serviceName;
    endpointPolicies.set(service, keep(parse(`VPCEndpoint ${endpoint.metadata.name} policy`, spec.policyDocument)));
  }

  const keyPolicy = keep(parse(`Key ${names.kmsKeyObject} policy`, one('kms.services.k8s.aws', 'Key').spec?.policy));
  const rendered = controllerPolicies(config, objects as unknown as readonly Record<string, unknown>[]);
  const checkedControllers: readonly ControllerId[] = ['ack-dynamodb-controller', 'ack-ec2-controller', 'ack-iam-controller', 'ack-kms-controller', 'ack-lambda-controller'];
  const controllers = new Map(
    checkedControllers.map((controller) => [controller, keep(parse(`controller-iam/${controller}.json`, stableJson(rendered[controller])))] as const),
  );
  const device = one('iot.aws.m.upbound.io', 'Policy', names.devicePolicy).spec as { forProvider: { policy: string } };
  const devicePolicy = keep(parse(`IoT Policy ${names.devicePolicy}`, device.forProvider.policy));

  const subnetTags = names.privateSubnets.map((subnet) => tagsOf(one('ec2.services.k8s.aws', 'Subnet', subnet.object)));
  const functionsSecurityGroupTags = tagsOf(one('ec2.services.k8s.aws', 'SecurityGroup', names.functionsSecurityGroup));
  const alarms = of('cloudwatch.services.k8s.aws', 'MetricAlarm').map((alarm) => {
    const spec = alarm.spec as { name: string; alarmActions?: string[] };
    return { name: spec.name, actions: spec.alarmActions ?? [] };
  });

  return {
    environment,
    config,
    names,
    roles,
    roleBoundary,
    managedPolicies,
    keyPolicy,
    controllerPolicies: controllers,
    resourcePolicies,
    devicePolicy,
    endpointPolicies,
    subnetTags,
    functionsSecurityGroupTags,
    alarms,
    documents,
  };
}
