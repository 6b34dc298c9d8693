import { Testing } from 'cdk8s';
import { OperatorPolicy, type OperatorPolicyProps } from '../../charts/constructs/OperatorPolicy';
import type { AccessStatement } from '../../charts/constructs/LeastPrivilegeRole';
import { QueryChart, QUERY_FUNCTION_SETTINGS } from '../../charts/query';
import { findObject, inlineStatements, platformProps, PolicyStatement, RenderedObject, synthChart, trustStatements } from '../helpers/platform';

const render = (environment = 'dev'): RenderedObject[] => synthChart((app, props) => new QueryChart(app, 'query', props), environment);
const policyStatements = (objects: readonly RenderedObject[], name: string): PolicyStatement[] =>
  (JSON.parse((findObject(objects, 'Policy', name).spec as { policyDocument: string }).policyDocument) as { Statement: PolicyStatement[] }).Statement;

describe('QueryChart', () => {
  const objects = render();

  test('renders the role, log group, function, its IAM function URL and the operator and dashboard policies', () => {
    expect(objects).toMatchSnapshot();
    expect(objects.map((object) => `${object.kind}/${object.metadata.name}`)).toEqual([
      'Role/iam-query-dev',
      'LogGroup/logs-query-dev',
      'Function/lambda-query-dev',
      'FunctionURLConfig/url-query-dev',
      'Policy/iam-query-operator-dev',
      'Policy/iam-query-dashboard-dev',
    ]);
  });

  test('the URL is IAM-authenticated, without CORS or qualifier, names its function by reference, after the function (wave 4)', () => {
    const url = findObject(objects, 'FunctionURLConfig');
    expect(url.apiVersion).toBe('lambda.services.k8s.aws/v1alpha1');
    expect(url.spec).toEqual({ authType: 'AWS_IAM', functionRef: { from: { name: 'lambda-query-dev' } } });
    expect(url.metadata.annotations?.['argocd.argoproj.io/sync-wave']).toBe('4');
    // No object could open it to other accounts or the public: nothing but the URL configuration names the function.
    expect(objects.filter((object) => JSON.stringify(object.spec ?? {}).includes('lambda:InvokeFunctionUrl') && object.kind !== 'Policy')).toEqual([]);
  });

  test('the function runs in the private subnets with the read path\'s environment, encrypted with the platform key', () => {
    const spec = findObject(objects, 'Function').spec as {
      memorySize: number;
      timeout: number;
      environment: { variables: Record<string, string> };
      kmsKeyRef: unknown;
      vpcConfig: object;
      code: { sha256: string };
    };
    expect([spec.memorySize, spec.timeout]).toEqual([QUERY_FUNCTION_SETTINGS.memoryMb, QUERY_FUNCTION_SETTINGS.timeoutSeconds]);
    expect(spec.kmsKeyRef).toEqual({ from: { name: 'kms-telemetry-dev' } });
    expect(spec.environment.variables).toEqual({
      ASSET_STATUS_TABLE: 'dynamodb-asset-status-dev',
      HOT_RETENTION_DAYS: '30',
      PLANT_ID: 'sp01',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      POWERTOOLS_METRICS_NAMESPACE: 'PlantTelemetry/dev',
      POWERTOOLS_SERVICE_NAME: 'query',
      READINGS_TABLE: 'dynamodb-readings-dev',
    });
    expect(spec.vpcConfig).toMatchObject({ securityGroupRefs: [{ from: { name: 'sg-functions-dev' } }] });
  });

  test('the role reads the two tables and the line index (GetItem, Query: no Scan, no write), decrypts through DynamoDB only', () => {
    const role = findObject(objects, 'Role', 'iam-query-dev');
    expect(trustStatements(role)).toEqual([
      { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:SourceAccount': '111122223333' } } },
    ]);
    const statements = inlineStatements(role);
    const dynamodb = statements.filter((statement) => String(statement.Action).startsWith('dynamodb:'));
    expect(dynamodb.map((statement) => [statement.Action, statement.Resource])).toEqual([
      [['dynamodb:GetItem', 'dynamodb:Query'], ['arn:aws:dynamodb:sa-east-1:111122223333:table/dynamodb-readings-dev']],
      [['dynamodb:GetItem'], ['arn:aws:dynamodb:sa-east-1:111122223333:table/dynamodb-asset-status-dev']],
      [['dynamodb:Query'], ['arn:aws:dynamodb:sa-east-1:111122223333:table/dynamodb-asset-status-dev/index/byLine']],
    ]);
    expect(statements.find((statement) => statement.Sid === 'DecryptTablesWithPlatformKey')).toMatchObject({
      Action: ['kms:Decrypt', 'kms:DescribeKey'],
      Condition: { StringEquals: { 'kms:ViaService': ['dynamodb.sa-east-1.amazonaws.com'] } },
    });
    expect(statements.map((statement) => statement.Sid)).toEqual(expect.arrayContaining(['WriteOwnLogs', 'CreateNetworkInterfaces', 'ManageNetworkInterfaces']));
  });

  test('operators get the same reads as the function; dashboards invoke only through the IAM-authenticated URL', () => {
    const role = findObject(objects, 'Role', 'iam-query-dev');
    const reads = inlineStatements(role).filter((statement) => !['WriteOwnLogs', 'DescribeNetworkInterfaces', 'CreateNetworkInterfaces', 'CreateNetworkInterfacesInPlatformSubnets', 'ManageNetworkInterfaces'].includes(statement.Sid ?? ''));
    expect(policyStatements(objects, 'iam-query-operator-dev')).toEqual(reads);
    expect(policyStatements(objects, 'iam-query-dashboard-dev')).toEqual([
      { Sid: 'CallQueryFunctionUrl', Effect: 'Allow', Action: ['lambda:InvokeFunctionUrl'], Resource: ['arn:aws:lambda:sa-east-1:111122223333:function:lambda-query-dev'], Condition: { StringEquals: { 'lambda:FunctionUrlAuthType': 'AWS_IAM' } } },
      { Sid: 'InvokeThroughFunctionUrl', Effect: 'Allow', Action: ['lambda:InvokeFunction'], Resource: ['arn:aws:lambda:sa-east-1:111122223333:function:lambda-query-dev'], Condition: { Bool: { 'lambda:InvokedViaFunctionUrl': 'true' } } },
    ]);
  });
});

describe('OperatorPolicy', () => {
  const { config, names } = platformProps('dev');
  const read = (index: number): AccessStatement => ({ sid: `Read${index}`, actions: ['dynamodb:GetItem'], resources: [`arn:aws:dynamodb:sa-east-1:111122223333:table/dynamodb-test-${index}-dev`] });
  const build = (overrides: Partial<OperatorPolicyProps>): OperatorPolicy =>
    new OperatorPolicy(Testing.chart(), 'policy', { config, names, policyName: 'iam-test-dev', description: 'a test policy', statements: [read(0)], ...overrides });

  test('a valid policy renders, named by its ARN', () => {
    expect(build({}).policyArn).toBe('arn:aws:iam::111122223333:policy/iam-test-dev');
  });

  test.each<[string, Partial<OperatorPolicyProps>, string]>([
    ['a bad name', { policyName: 'iam test' }, 'OperatorPolicy: props.policyName must match [\\w+=,.@-]{1,128}, got "iam test"'],
    ['no statement', { statements: [] }, 'OperatorPolicy: props.statements must hold at least one statement, got []'],
    [
      'a document over the managed-policy limit',
      { statements: Array.from({ length: 60 }, (_, index) => read(index)) },
      "OperatorPolicy: props.statements must render a document within IAM's 6144 characters of a managed policy (whitespace excluded), got 8778 characters for \"iam-test-dev\"",
    ],
  ])('refuses %s', (_case, overrides, message) => {
    expect(() => build(overrides)).toThrow(new Error(message));
  });
});
