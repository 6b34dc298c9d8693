import { Construct } from 'constructs';
import { RouteTable, SecurityGroup, Subnet, Vpc, VpcEndpoint } from '../imports/ec2.services.k8s.aws';
import { policyDocument, PolicyStatement } from './constructs/policyDocument';
import { ackMetadata, tagList } from './lib/conventions';
import { PlatformChart, PlatformChartProps } from './lib/PlatformChart';

/**
 * Address space of the functions' VPC. Each environment lives in its own account and nothing is
 * peered, so every environment can use the same range.
 */
export const VPC_CIDR = '10.42.0.0/16';

/** One /20 (4,091 usable addresses) per availability zone, in names.privateSubnets order. */
export function privateSubnetCidr(index: number): string {
  if (!Number.isInteger(index) || index < 0 || index > 15) throw new Error(`privateSubnetCidr: index must be an integer from 0 to 15, got ${index}`);
  const [first, second] = VPC_CIDR.split('.');
  return `${first}.${second}.${index * 16}.0/20`;
}

export const HTTPS_PORT = 443;

/** What the functions do on the tables (the processor and storer read, write and update items). */
export const DYNAMODB_ENDPOINT_ACTIONS = [
  'dynamodb:BatchGetItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DeleteItem',
  'dynamodb:DescribeTable',
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:Query',
  'dynamodb:UpdateItem',
] as const;

/** What the functions do in the archive bucket (quarantine writes; reads by key). */
export const S3_ENDPOINT_ACTIONS = ['s3:AbortMultipartUpload', 's3:GetObject', 's3:ListBucket', 's3:PutObject'] as const;

/**
 * The private network the two functions run in: three private subnets (one per availability zone)
 * sharing one route table with no route to an internet or NAT gateway, gateway endpoints for
 * DynamoDB and S3, and one interface endpoint, for SNS.
 *
 * Endpoints exist only for what the function code calls: DynamoDB, S3 (quarantine) and SNS
 * (alerts). Reading Kinesis, writing logs and sending failures to the dead-letter queue are done by
 * the Lambda service outside the VPC, so they need none. VPC flow logs are left out: doing them
 * right needs a log group and a delivery role (or a bucket policy and key grant) for little gain in
 * a VPC that can only reach three AWS services.
 */
export class NetworkChart extends PlatformChart {
  readonly vpc: Vpc;
  readonly routeTable: RouteTable;
  readonly subnets: readonly Subnet[];
  readonly functionsSecurityGroup: SecurityGroup;
  readonly endpointsSecurityGroup: SecurityGroup;
  readonly dynamodbEndpoint: VpcEndpoint;
  readonly s3Endpoint: VpcEndpoint;
  readonly snsEndpoint: VpcEndpoint;

  constructor(scope: Construct, id: string, props: PlatformChartProps) {
    super(scope, id, props);
    const { config, names } = this;
    const vpcRef = { from: { name: names.vpc } };
    const routeTableRef = { from: { name: names.privateRouteTable } };

    this.vpc = new Vpc(this, 'vpc', {
      metadata: ackMetadata(config, names, names.vpc, 'network'),
      spec: {
        cidrBlocks: [VPC_CIDR],
        // Both are required for the SNS endpoint's private DNS name to resolve inside the VPC.
        enableDnsSupport: true,
        enableDnsHostnames: true,
        // Strips the rules of the VPC's default security group, which nothing here may use.
        disallowSecurityGroupDefaultRules: true,
        tags: this.tags(names.vpc),
      },
    });

    // No `routes`: the table keeps only its local route. The gateway endpoints add their
    // prefix-list routes themselves; the controller sees them as a difference on every reconcile
    // but never deletes routes of AWS-owned prefix lists (it asks DescribeManagedPrefixLists), and
    // the spec stays as rendered, so Argo CD shows no drift.
    this.routeTable = new RouteTable(this, 'route-table', {
      metadata: ackMetadata(config, names, names.privateRouteTable, 'network'),
      spec: { vpcRef, tags: this.tags(names.privateRouteTable) },
    });

    this.subnets = names.privateSubnets.map(
      (subnet, index) =>
        new Subnet(this, subnet.object, {
          metadata: ackMetadata(config, names, subnet.object, 'network'),
          spec: {
            vpcRef,
            availabilityZone: subnet.availabilityZone,
            cidrBlock: privateSubnetCidr(index),
            mapPublicIpOnLaunch: false,
            routeTableRefs: [routeTableRef],
            tags: this.tags(subnet.object),
          },
        }),
    );

    // Ingress to the SNS endpoint only from the functions. No egress rule: ACK removes the default
    // allow-all egress, and an endpoint only answers.
    this.endpointsSecurityGroup = new SecurityGroup(this, 'endpoints-security-group', {
      metadata: ackMetadata(config, names, names.endpointsSecurityGroup, 'network'),
      spec: {
        name: names.endpointsSecurityGroupName,
        description: `Interface VPC endpoints of plant telemetry ${config.environment}: HTTPS from the functions only`,
        vpcRef,
        ingressRules: [
          {
            ipProtocol: 'tcp',
            fromPort: HTTPS_PORT,
            toPort: HTTPS_PORT,
            userIdGroupPairs: [{ groupRef: { from: { name: names.functionsSecurityGroup } }, description: 'HTTPS from the stream functions' }],
          },
        ],
        tags: this.tags(names.endpointsSecurityGroupName),
      },
    });

    // The tightest egress the pinned CRD can express. The ideal rules are "443 to the endpoints
    // group" plus "443 to the S3 and DynamoDB prefix lists", but (1) a group reference back to the
    // endpoints group would make the two groups wait on each other's reference forever, and (2)
    // prefix lists are only accepted by id (pl-...), which no ACK object exposes and synth cannot
    // know. So: 443 to anywhere, which in this VPC reaches exactly that set, because the route
    // table's only routes are the VPC itself and the two gateway endpoints' prefix lists.
    // No ingress rule: nothing calls the functions over the network.
    this.functionsSecurityGroup = new SecurityGroup(this, 'functions-security-group', {
      metadata: ackMetadata(config, names, names.functionsSecurityGroup, 'network'),
      spec: {
        name: names.functionsSecurityGroupName,
        description: `Stream functions of plant telemetry ${config.environment}: HTTPS out to the VPC endpoints only`,
        vpcRef,
        egressRules: [
          {
            ipProtocol: 'tcp',
            fromPort: HTTPS_PORT,
            toPort: HTTPS_PORT,
            ipRanges: [{ cidrIp: '0.0.0.0/0', description: 'HTTPS to the SNS endpoint and the S3 and DynamoDB gateway endpoints; no other route leaves the VPC' }],
          },
        ],
        tags: this.tags(names.functionsSecurityGroupName),
      },
    });

    this.dynamodbEndpoint = new VpcEndpoint(this, 'dynamodb-endpoint', {
      metadata: ackMetadata(config, names, names.vpcEndpoints.dynamodb, 'network'),
      spec: {
        vpcRef,
        vpcEndpointType: 'Gateway',
        serviceName: `com.amazonaws.${config.region}.dynamodb`,
        routeTableRefs: [routeTableRef],
        policyDocument: this.endpointPolicy('EnvironmentTablesOnly', DYNAMODB_ENDPOINT_ACTIONS, [
          ...[names.readingsTable, names.assetStatusTable, names.detectorStateTable].flatMap((table) => [names.tableArn(table), `${names.tableArn(table)}/index/*`]),
        ]),
        tags: this.tags(names.vpcEndpoints.dynamodb),
      },
    });

    this.s3Endpoint = new VpcEndpoint(this, 's3-endpoint', {
      metadata: ackMetadata(config, names, names.vpcEndpoints.s3, 'network'),
      spec: {
        vpcRef,
        vpcEndpointType: 'Gateway',
        serviceName: `com.amazonaws.${config.region}.s3`,
        routeTableRefs: [routeTableRef],
        policyDocument: this.endpointPolicy('ArchiveBucketOnly', S3_ENDPOINT_ACTIONS, [names.archiveBucketArn, `${names.archiveBucketArn}/*`]),
        tags: this.tags(names.vpcEndpoints.s3),
      },
    });

    this.snsEndpoint = new VpcEndpoint(this, 'sns-endpoint', {
      metadata: ackMetadata(config, names, names.vpcEndpoints.sns, 'network'),
      spec: {
        vpcRef,
        vpcEndpointType: 'Interface',
        serviceName: `com.amazonaws.${config.region}.sns`,
        // The SDK's default sns.sa-east-1.amazonaws.com resolves to the endpoint inside the VPC.
        privateDnsEnabled: true,
        subnetRefs: names.privateSubnets.map((subnet) => ({ from: { name: subnet.object } })),
        securityGroupRefs: [{ from: { name: names.endpointsSecurityGroup } }],
        policyDocument: this.endpointPolicy('AlertTopicOnly', ['sns:Publish'], [names.alertTopicArn]),
        tags: this.tags(names.vpcEndpoints.sns),
      },
    });
  }

  /** Name tag first (the console shows it), then the platform tags. */
  private tags(name: string): { key: string; value: string }[] {
    return [{ key: 'Name', value: name }, ...tagList(this.config)];
  }

  /** An endpoint lets this account's principals do only `actions` on only `resources`. */
  private endpointPolicy(sid: string, actions: readonly string[], resources: readonly string[]): string {
    const statement: PolicyStatement = {
      Sid: sid,
      Effect: 'Allow',
      Principal: '*',
      Action: actions,
      Resource: resources,
      Condition: { StringEquals: { 'aws:PrincipalAccount': this.config.accountId } },
    };
    return policyDocument([statement]);
  }
}
