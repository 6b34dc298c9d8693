import { privateSubnetCidr } from '../../charts/lib/privateSubnetCidr';
import { NetworkChart } from '../../charts/network';
import { findObject, RenderedObject, synthChart } from '../helpers/platform';

const render = (environment = 'dev'): RenderedObject[] => synthChart((app, props) => new NetworkChart(app, 'network', props), environment);

interface Rule {
  ipProtocol: string;
  fromPort: number;
  toPort: number;
  ipRanges?: { cidrIP: string; description?: string }[];
  userIDGroupPairs?: { groupRef: { from: { name: string } }; description?: string }[];
}
interface SecurityGroupSpec {
  name: string;
  vpcRef: unknown;
  ingressRules?: Rule[];
  egressRules?: Rule[];
}

const spec = <T>(objects: readonly RenderedObject[], kind: string, name: string): T => findObject(objects, kind, name).spec as unknown as T;
const policyOf = (objects: readonly RenderedObject[], name: string): unknown => JSON.parse(spec<{ policyDocument: string }>(objects, 'VPCEndpoint', name).policyDocument);
const vpcRef = { from: { name: 'vpc-telemetry-dev' } };
const routeTableRef = { from: { name: 'rtb-private-dev' } };

describe('NetworkChart', () => {
  const objects = render();

  test('renders the VPC, route table, three subnets, two security groups and three endpoints', () => {
    expect(objects).toMatchSnapshot();
    expect(objects.map((object) => `${object.kind}/${object.metadata.name}`)).toEqual([
      'VPC/vpc-telemetry-dev',
      'RouteTable/rtb-private-dev',
      'Subnet/subnet-private-a-dev',
      'Subnet/subnet-private-b-dev',
      'Subnet/subnet-private-c-dev',
      'SecurityGroup/sg-endpoints-dev',
      'SecurityGroup/sg-functions-dev',
      'VPCEndpoint/vpce-dynamodb-dev',
      'VPCEndpoint/vpce-s3-dev',
      'VPCEndpoint/vpce-sns-dev',
    ]);
  });

  test('every object is an ACK EC2 object in sa-east-1, in the network wave, with a Name tag and the platform tags', () => {
    for (const object of objects) {
      expect(object.apiVersion).toBe('ec2.services.k8s.aws/v1alpha1');
      expect(object.metadata.annotations).toEqual({
        'services.k8s.aws/region': 'sa-east-1',
        'services.k8s.aws/deletion-policy': 'delete',
        'argocd.argoproj.io/sync-wave': '1',
      });
      const tags = (object.spec as { tags: { key: string; value: string }[] }).tags;
      expect(tags.map((tag) => tag.key)).toEqual(['Name', 'project', 'environment', 'owner', 'cost-center', 'data-classification']);
    }
  });

  test('the VPC resolves private DNS names (needed by the interface endpoint)', () => {
    expect(spec(objects, 'VPC', 'vpc-telemetry-dev')).toMatchObject({
      cidrBlocks: ['10.42.0.0/16'],
      enableDNSSupport: true,
      enableDNSHostnames: true,
      disallowSecurityGroupDefaultRules: true,
    });
  });

  test('no route leads to an internet or NAT gateway', () => {
    const routeTable = spec<Record<string, unknown>>(objects, 'RouteTable', 'rtb-private-dev');
    expect(routeTable).not.toHaveProperty('routes');
    expect(routeTable.vpcRef).toEqual(vpcRef);
    const rendered = JSON.stringify(objects);
    for (const forbidden of ['InternetGateway', 'NATGateway', 'natGateway', 'gatewayRef', 'gatewayID', 'igw-', 'nat-', 'mapPublicIPOnLaunch":true']) {
      expect(rendered).not.toContain(forbidden);
    }
  });

  test('three private /20 subnets, one per availability zone, all on the private route table', () => {
    const subnets = objects.filter((object) => object.kind === 'Subnet').map((object) => object.spec);
    expect(subnets).toEqual(
      ['a', 'b', 'c'].map((zone, index) => ({
        vpcRef,
        availabilityZone: `sa-east-1${zone}`,
        cidrBlock: `10.42.${index * 16}.0/20`,
        mapPublicIPOnLaunch: false,
        routeTableRefs: [routeTableRef],
        tags: expect.arrayContaining([{ key: 'Name', value: `subnet-private-${zone}-dev` }]),
      })),
    );
  });

  test('gateway endpoints for DynamoDB and S3 on the route table, admitting only the functions\' own calls, each for its own role', () => {
    expect(spec(objects, 'VPCEndpoint', 'vpce-dynamodb-dev')).toMatchObject({
      vpcRef,
      vpcEndpointType: 'Gateway',
      serviceName: 'com.amazonaws.sa-east-1.dynamodb',
      routeTableRefs: [routeTableRef],
    });
    const tableArn = (table: string): string => `arn:aws:dynamodb:sa-east-1:111122223333:table/dynamodb-${table}-dev`;
    const role = (name: string): Record<string, unknown> => ({ ArnEquals: { 'aws:PrincipalArn': `arn:aws:iam::111122223333:role/iam-${name}-dev` } });
    const allow = (Sid: string, Action: string[], Resource: string[], roleName: string): Record<string, unknown> => ({ Sid, Effect: 'Allow', Principal: '*', Action, Resource, Condition: role(roleName) });
    // Exactly the calls of functions/: per function role, its own actions on its own tables (no DeleteItem,
    // ConditionCheckItem, DescribeTable or Scan; no index but the query function's line index).
    expect(policyOf(objects, 'vpce-dynamodb-dev')).toEqual({
      Version: '2012-10-17',
      Statement: [
        allow('ProcessorUpdateAssetStatus', ['dynamodb:UpdateItem'], [tableArn('asset-status')], 'processor'),
        allow('ProcessorCheckpointDetectorState', ['dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem', 'dynamodb:UpdateItem'], [tableArn('detector-state')], 'processor'),
        allow('StorerReadWriteReadingBuckets', ['dynamodb:GetItem', 'dynamodb:PutItem'], [tableArn('readings')], 'storer'),
        allow('QueryReadReadingBuckets', ['dynamodb:GetItem', 'dynamodb:Query'], [tableArn('readings')], 'query'),
        allow('QueryReadAssetStatus', ['dynamodb:GetItem'], [tableArn('asset-status')], 'query'),
        allow('QueryQueryAssetsOfLine', ['dynamodb:Query'], [`${tableArn('asset-status')}/index/byLine`], 'query'),
      ],
    });

    expect(spec(objects, 'VPCEndpoint', 'vpce-s3-dev')).toMatchObject({
      vpcRef,
      vpcEndpointType: 'Gateway',
      serviceName: 'com.amazonaws.sa-east-1.s3',
      routeTableRefs: [routeTableRef],
    });
    // QuarantineWriter's single PutObject, each function under its own prefix: no read, no list of the archive.
    expect(policyOf(objects, 'vpce-s3-dev')).toEqual({
      Version: '2012-10-17',
      Statement: [
        allow('ProcessorQuarantineInvalidRecords', ['s3:PutObject'], ['arn:aws:s3:::s3-archive-111122223333-dev/quarantine/processor/*'], 'processor'),
        allow('StorerQuarantineInvalidRecords', ['s3:PutObject'], ['arn:aws:s3:::s3-archive-111122223333-dev/quarantine/storer/*'], 'storer'),
      ],
    });
  });

  test('one interface endpoint, for SNS, with private DNS in the three subnets behind the endpoints group', () => {
    const interfaces = objects.filter((object) => object.kind === 'VPCEndpoint' && (object.spec as { vpcEndpointType: string }).vpcEndpointType === 'Interface');
    expect(interfaces.map((object) => object.metadata.name)).toEqual(['vpce-sns-dev']);
    expect(spec(objects, 'VPCEndpoint', 'vpce-sns-dev')).toMatchObject({
      vpcRef,
      serviceName: 'com.amazonaws.sa-east-1.sns',
      privateDNSEnabled: true,
      subnetRefs: ['a', 'b', 'c'].map((zone) => ({ from: { name: `subnet-private-${zone}-dev` } })),
      securityGroupRefs: [{ from: { name: 'sg-endpoints-dev' } }],
    });
    expect(policyOf(objects, 'vpce-sns-dev')).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'ProcessorPublishAlerts',
          Effect: 'Allow',
          Principal: '*',
          Action: ['sns:Publish'],
          Resource: ['arn:aws:sns:sa-east-1:111122223333:sns-alerts-dev'],
          Condition: { ArnEquals: { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:role/iam-processor-dev' } },
        },
      ],
    });
  });

  test('the endpoints group admits HTTPS from the functions group only and has no egress', () => {
    const endpoints = spec<SecurityGroupSpec>(objects, 'SecurityGroup', 'sg-endpoints-dev');
    expect(endpoints.name).toBe('secgroup-endpoints-dev');
    expect(endpoints.vpcRef).toEqual(vpcRef);
    expect(endpoints.ingressRules).toEqual([
      { ipProtocol: 'tcp', fromPort: 443, toPort: 443, userIDGroupPairs: [{ groupRef: { from: { name: 'sg-functions-dev' } }, description: 'HTTPS from the stream functions' }] },
    ]);
    expect(endpoints).not.toHaveProperty('egressRules');
  });

  test('the functions group admits nothing and sends only HTTPS', () => {
    const functions = spec<SecurityGroupSpec>(objects, 'SecurityGroup', 'sg-functions-dev');
    expect(functions.name).toBe('secgroup-functions-dev');
    expect(functions).not.toHaveProperty('ingressRules');
    expect(functions.egressRules).toHaveLength(1);
    expect(functions.egressRules?.[0]).toMatchObject({ ipProtocol: 'tcp', fromPort: 443, toPort: 443, ipRanges: [{ cidrIP: '0.0.0.0/0' }] });
  });

  test('security group names avoid the sg- prefix AWS refuses', () => {
    for (const object of objects.filter((o) => o.kind === 'SecurityGroup')) {
      expect((object.spec as { name: string }).name.startsWith('sg-')).toBe(false);
    }
  });

  test('nothing names a region other than sa-east-1', () => {
    expect(JSON.stringify(render('prod')).match(/\b[a-z]{2}-[a-z]+-\d\b/g)?.every((region) => region === 'sa-east-1')).toBe(true);
  });
});

describe('privateSubnetCidr', () => {
  test('hands out consecutive /20s of the VPC range', () => {
    expect([0, 1, 2, 15].map(privateSubnetCidr)).toEqual(['10.42.0.0/20', '10.42.16.0/20', '10.42.32.0/20', '10.42.240.0/20']);
  });

  test('refuses an index outside the /16', () => {
    expect(() => privateSubnetCidr(16)).toThrow(new Error('privateSubnetCidr: index must be an integer from 0 to 15, got 16'));
  });
});
