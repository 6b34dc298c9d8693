import { Construct } from 'constructs';
import { RouteTable, SecurityGroup, Subnet, Vpc, VpcEndpoint } from '../imports/ec2.services.k8s.aws';
import { AccessStatement } from './constructs/LeastPrivilegeRole';
import { policyDocument, PolicyStatement } from './constructs/policyDocument';
import { EnvironmentConfig } from './lib/config';
import { ackMetadata } from './lib/ackMetadata';
import { tagList } from './lib/tagList';
import { PlatformNames } from './lib/names';
import { processorAccess } from './lib/processorAccess';
import { storerAccess } from './lib/storerAccess';
import { queryFunctionAccess } from './lib/queryFunctionAccess';
import { PlatformChart, PlatformChartProps } from './lib/PlatformChart';
import { privateSubnetCidr, VPC_CIDR } from './lib/privateSubnetCidr';

export const HTTPS_PORT = 443;

/** The services the functions reach through an endpoint of the VPC: gateway endpoints for DynamoDB and S3, an interface endpoint for SNS. */
export type EndpointService = 'dynamodb' | 's3' | 'sns';

/**
 * The functions that run in the VPC (the stream functions and the query function) and their IAM
 * statements, the one place their calls are listed (each line names the code that needs it). Their
 * `dynamodb:`, `s3:` and `sns:` statements are all they do through the endpoints.
 */
function functionsInVpc(config: EnvironmentConfig, names: PlatformNames): { readonly label: string; readonly roleName: string; readonly access: readonly AccessStatement[] }[] {
  return [
    { label: 'Processor', roleName: names.processorRole, access: processorAccess(config, names) },
    { label: 'Storer', roleName: names.storerRole, access: storerAccess(config, names) },
    { label: 'Query', roleName: names.queryRole, access: queryFunctionAccess(config, names) },
  ];
}

/**
 * The policy statements of one endpoint: per function and per statement of its role, the role's own
 * actions of that service on the role's own resources, for that role only (aws:PrincipalArn). So the
 * endpoint admits exactly the calls the functions make (the processor's UpdateItem on its two tables,
 * the storer's GetItem and PutItem on the readings, each function's PutObject under its own quarantine
 * prefix...) and nothing another principal, or another action of the service, would try through it.
 */
function endpointStatements(config: EnvironmentConfig, names: PlatformNames, service: EndpointService): PolicyStatement[] {
  return functionsInVpc(config, names).flatMap(({ label, roleName, access }) =>
    access.flatMap((statement): PolicyStatement[] => {
      const actions = statement.actions.filter((action) => action.startsWith(`${service}:`));
      if (actions.length === 0) return [];
      if (actions.length !== statement.actions.length) throw new Error(`endpointStatements: ${roleName} statement ${statement.sid} mixes ${service}: actions with others`);
      if (statement.conditions !== undefined) throw new Error(`endpointStatements: ${roleName} statement ${statement.sid} has conditions the endpoint policy would not carry`);
      return [
        {
          Sid: `${label}${statement.sid}`,
          Effect: 'Allow',
          Principal: '*',
          Action: actions,
          Resource: statement.resources,
          Condition: { ArnEquals: { 'aws:PrincipalArn': names.roleArn(roleName) } },
        },
      ];
    }),
  );
}

/**
 * The private network the functions run in (the processor, the storer and the query function): three
 * private subnets (one per availability zone) sharing one route table with no route to an internet or
 * NAT gateway, gateway endpoints for DynamoDB and S3, and one interface endpoint, for SNS.
 *
 * Endpoints exist only for what the function code calls: DynamoDB, S3 (quarantine) and SNS
 * (alerts), and each endpoint's policy admits only those calls, per function role (endpointStatements).
 * Reading Kinesis, writing logs and sending failures to the dead-letter queue are done by
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
        policyDocument: policyDocument(endpointStatements(config, names, 'dynamodb')),
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
        policyDocument: policyDocument(endpointStatements(config, names, 's3')),
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
        policyDocument: policyDocument(endpointStatements(config, names, 'sns')),
        tags: this.tags(names.vpcEndpoints.sns),
      },
    });
  }

  /** Name tag first (the console shows it), then the platform tags. */
  private tags(name: string): { key: string; value: string }[] {
    return [{ key: 'Name', value: name }, ...tagList(this.config)];
  }
}
