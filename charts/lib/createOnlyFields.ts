/**
 * Fields AWS sets only when it creates a resource: a later change in git is not applied by updating
 * the resource, it needs a new one. The pinned CRDs guard some of them with an immutability rule
 * (`self == oldSelf`), which makes the API server refuse the change; the others an ACK controller
 * would silently leave unapplied while Argo CD reports the object Synced, or the Crossplane
 * provider would refuse on every reconcile (upjet does not replace a Terraform ForceNew argument).
 * The gitops chart renders a ValidatingAdmissionPolicy that refuses a change of those too,
 * `npm run preflight` flags a change of any of them before it is merged, and `npm run diff` names
 * it as a replacement.
 *
 * Paths are JSON pointers from the object's root. Only kinds and fields the charts render are
 * listed; a test checks that every listed path exists in its CRD and that each `guardedByCrd`
 * claim matches the CRD's rules.
 */

/** How to replace an object whose create-only field changes, for messages and reports. */
export interface CreateOnlyKind {
  /** API group of the kind (`lambda.services.k8s.aws`, `kinesis.aws.m.upbound.io`). */
  readonly group: string;
  readonly kind: string;
  /** The resource name in API paths (the CRD's `spec.names.plural`), which admission rules match. */
  readonly plural: string;
  readonly fields: readonly CreateOnlyField[];
  /** What a replacement takes, in one or two sentences. */
  readonly replacement: string;
}

export interface CreateOnlyField {
  /** JSON pointer from the object's root, for example `/spec/startingPosition`. */
  readonly path: string;
  /** True when the pinned CRD itself refuses a change (an `x-kubernetes-validations` rule `self == oldSelf`). */
  readonly guardedByCrd: boolean;
}

const field = (path: string, guardedByCrd = false): CreateOnlyField => ({ path, guardedByCrd });

/** Replacing under a new object name lets Argo CD create the new one first and prune the old one last (PruneLast). */
const RENAME = 'give the object a new name (the physical name follows it) so Argo CD creates the new resource and prunes the old one after it is healthy';

export const CREATE_ONLY_KINDS: readonly CreateOnlyKind[] = [
  {
    group: 'kms.services.k8s.aws',
    kind: 'Key',
    plural: 'keys',
    fields: [field('/spec/keySpec', true), field('/spec/keyUsage', true), field('/spec/origin', true), field('/spec/multiRegion', true), field('/spec/description', true)],
    replacement:
      'a new key means re-encrypting every store: create a second Key object and alias, move the stores to it one by one, and delete the old key only after its 7-30 day deletion window',
  },
  {
    group: 'lambda.services.k8s.aws',
    kind: 'Function',
    plural: 'functions',
    fields: [field('/spec/name'), field('/spec/packageType')],
    replacement: `${RENAME}; rename its event source mapping in the same change so the new mapping invokes the new function`,
  },
  {
    group: 'lambda.services.k8s.aws',
    kind: 'EventSourceMapping',
    plural: 'eventsourcemappings',
    fields: [field('/spec/eventSourceARN'), field('/spec/startingPosition'), field('/spec/startingPositionTimestamp')],
    replacement:
      `${RENAME}; the new mapping starts reading at its starting position (TRIM_HORIZON re-reads up to 7 days, which the functions absorb idempotently)`,
  },
  {
    group: 'dynamodb.services.k8s.aws',
    kind: 'Table',
    plural: 'tables',
    fields: [field('/spec/tableName'), field('/spec/keySchema', true), field('/spec/localSecondaryIndexes', true)],
    replacement: `${RENAME}, then copy the items (export to S3 and import, or a scan-and-write job) before the old table is pruned`,
  },
  {
    group: 's3.services.k8s.aws',
    kind: 'Bucket',
    plural: 'buckets',
    fields: [field('/spec/name', true), field('/spec/createBucketConfiguration')],
    replacement: `${RENAME}, copy the objects (S3 Batch Operations), and empty the old bucket: AWS deletes only empty buckets`,
  },
  { group: 'sqs.services.k8s.aws', kind: 'Queue', plural: 'queues', fields: [field('/spec/queueName', true)], replacement: `${RENAME} after the old queue is drained (npm run redrive)` },
  { group: 'sns.services.k8s.aws', kind: 'Topic', plural: 'topics', fields: [field('/spec/name', true)], replacement: `${RENAME}; subscribers confirm the new topic again` },
  {
    group: 'sns.services.k8s.aws',
    kind: 'Subscription',
    plural: 'subscriptions',
    // The controller's update sets only the subscription attributes (filter, delivery and redrive policies): a new topic is dropped.
    fields: [field('/spec/endpoint', true), field('/spec/protocol'), field('/spec/topicRef')],
    replacement: 'add the new subscription and remove the old one; the recipient confirms the new one',
  },
  { group: 'iam.services.k8s.aws', kind: 'Role', plural: 'roles', fields: [field('/spec/name'), field('/spec/path')], replacement: RENAME },
  {
    group: 'iam.services.k8s.aws',
    kind: 'Policy',
    plural: 'policies',
    // IAM has no call that changes a managed policy's description; the controller's update syncs only tags and the document.
    fields: [field('/spec/name'), field('/spec/path'), field('/spec/description')],
    replacement: `${RENAME}, then attach the new policy where the old one was attached`,
  },
  {
    group: 'cloudwatchlogs.services.k8s.aws',
    kind: 'LogGroup',
    plural: 'loggroups',
    // The controller's update syncs tags, retention and subscription filters only: another key is never associated.
    fields: [field('/spec/name'), field('/spec/kmsKeyRef')],
    replacement: `${RENAME}; the old group's events stay until it is pruned`,
  },
  {
    group: 'cloudwatch.services.k8s.aws',
    kind: 'MetricAlarm',
    plural: 'metricalarms',
    // PutMetricAlarm ignores tags on an existing alarm, and the controller never reads them back, so it sees no difference.
    fields: [field('/spec/tags')],
    replacement: `${RENAME}; CloudWatch keeps an alarm's tags from its creation, which is why alarms carry only the tags fixed for an environment (project, environment), not the config's owner, cost center or classification`,
  },
  { group: 'ec2.services.k8s.aws', kind: 'VPC', plural: 'vpcs', fields: [field('/spec/cidrBlocks')], replacement: `${RENAME}, and rename the subnets, route table, security groups and endpoints with it` },
  {
    group: 'ec2.services.k8s.aws',
    kind: 'Subnet',
    plural: 'subnets',
    fields: [field('/spec/cidrBlock'), field('/spec/availabilityZone'), field('/spec/vpcRef')],
    replacement: `${RENAME}; functions move to the new subnet on their next update`,
  },
  { group: 'ec2.services.k8s.aws', kind: 'SecurityGroup', plural: 'securitygroups', fields: [field('/spec/name'), field('/spec/description'), field('/spec/vpcRef')], replacement: RENAME },
  { group: 'ec2.services.k8s.aws', kind: 'RouteTable', plural: 'routetables', fields: [field('/spec/vpcRef')], replacement: RENAME },
  { group: 'ec2.services.k8s.aws', kind: 'VPCEndpoint', plural: 'vpcendpoints', fields: [field('/spec/serviceName'), field('/spec/vpcEndpointType'), field('/spec/vpcRef')], replacement: RENAME },
  { group: 'kinesis.aws.m.upbound.io', kind: 'Stream', plural: 'streams', fields: [field('/metadata/annotations/crossplane.io~1external-name')], replacement: `${RENAME}; the mappings, the IoT rules and Firehose must move to the new stream in the same change` },
  {
    group: 'kinesis.aws.m.upbound.io',
    kind: 'StreamConsumer',
    plural: 'streamconsumers',
    // Every argument is ForceNew (the Terraform resource has no update), and upjet refuses an update that needs a replacement.
    fields: [field('/spec/forProvider/name'), field('/spec/forProvider/streamArnRef'), field('/spec/forProvider/streamArn')],
    replacement: `${RENAME}; Kinesis cannot update a consumer, so set capacity.processorConsumerArn to the new consumer's ARN once it is registered (the processor's mapping through it is a new mapping)`,
  },
  {
    group: 'firehose.aws.m.upbound.io',
    kind: 'DeliveryStream',
    plural: 'deliverystreams',
    // The name and the Kinesis source are ForceNew in the Terraform resource; upjet refuses the update on every reconcile.
    fields: [
      field('/metadata/annotations/crossplane.io~1external-name'),
      field('/spec/forProvider/destination'),
      field('/spec/forProvider/name'),
      field('/spec/forProvider/kinesisSourceConfiguration'),
    ],
    replacement: RENAME,
  },
  { group: 'iot.aws.m.upbound.io', kind: 'TopicRule', plural: 'topicrules', fields: [field('/metadata/annotations/crossplane.io~1external-name')], replacement: `${RENAME}; devices publish to the new rule's Basic Ingest topic, so their firmware must follow` },
  {
    group: 'lambda.services.k8s.aws',
    kind: 'FunctionURLConfig',
    plural: 'functionurlconfigs',
    // The function is the URL's identifier in the controller: a new one would configure another function's URL and orphan this one.
    fields: [field('/spec/functionRef'), field('/spec/functionName'), field('/spec/qualifier')],
    replacement: `${RENAME}; the URL changes, so dashboards must be pointed at the new one`,
  },
  { group: 'glue.aws.m.upbound.io', kind: 'CatalogDatabase', plural: 'catalogdatabases', fields: [field('/metadata/annotations/crossplane.io~1external-name'), field('/spec/forProvider/catalogId')], replacement: `${RENAME}, with its tables and named queries in the same change` },
  {
    group: 'glue.aws.m.upbound.io',
    kind: 'CatalogTable',
    plural: 'catalogtables',
    fields: [field('/metadata/annotations/crossplane.io~1external-name'), field('/spec/forProvider/databaseName'), field('/spec/forProvider/catalogId')],
    replacement: `${RENAME}; a table holds no data (the archive stays in S3), but saved queries naming it must follow`,
  },
  { group: 'athena.aws.m.upbound.io', kind: 'Workgroup', plural: 'workgroups', fields: [field('/metadata/annotations/crossplane.io~1external-name')], replacement: `${RENAME}; its query history stays with the old one until it is pruned` },
  {
    group: 'athena.aws.m.upbound.io',
    kind: 'NamedQuery',
    plural: 'namedqueries',
    // Athena's named queries (the provider's Terraform resource) have no update: any change is a new query.
    fields: ['name', 'query', 'database', 'workgroup', 'description'].map((name) => field(`/spec/forProvider/${name}`)),
    // charts/analytics.ts names each by its content (contentTag), so an edited query is a new object; this guards hand edits.
    replacement: 'give the object a new name (charts/analytics.ts does it: the name carries a tag of the content) so a new named query is created and the old one pruned',
  },
  { group: 'iot.aws.m.upbound.io', kind: 'Policy', plural: 'policies', fields: [field('/metadata/annotations/crossplane.io~1external-name')], replacement: `${RENAME}, then attach the new policy to every device certificate` },
];
