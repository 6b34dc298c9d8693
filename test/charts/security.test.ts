import { denyInsecureTransport } from '../../charts/constructs/denyInsecureTransport';
import { policyDocument } from '../../charts/constructs/policyDocument';
import { KEY_ADMIN_ACTIONS, KMS_CONTROLLER_KEY_ACTIONS, LAMBDA_ENVIRONMENT_KEY_ACTIONS, SecurityChart } from '../../charts/security';
import { findObject, RenderedObject, synthChart } from '../helpers/platform';

const render = (environment = 'dev'): RenderedObject[] => synthChart((app, props) => new SecurityChart(app, 'security', props), environment);

interface Statement {
  Sid: string;
  Effect: string;
  Principal: unknown;
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}

function keyPolicy(objects: readonly RenderedObject[]): Statement[] {
  const key = findObject(objects, 'Key', 'kms-telemetry-dev');
  const policy = JSON.parse((key.spec as { policy: string }).policy) as { Version: string; Statement: Statement[] };
  expect(policy.Version).toBe('2012-10-17');
  return policy.Statement;
}

// Not firehose: the delivery stream has no encryption of its own; Firehose's role uses the key via Kinesis and S3.
const VIA_SERVICES = ['dynamodb', 'kinesis', 's3', 'sns', 'sqs'].map((service) => `${service}.sa-east-1.amazonaws.com`);
const ROOT = 'arn:aws:iam::111122223333:root';

describe('SecurityChart', () => {
  const objects = render();

  test('renders the key and its alias', () => {
    expect(objects).toMatchSnapshot();
    expect(objects.map((object) => `${object.kind}/${object.metadata.name}`)).toEqual(['Key/kms-telemetry-dev', 'Alias/alias-kms-telemetry-dev']);
  });

  test('the key is a symmetric, rotated, single-Region customer-managed key in sa-east-1, first wave', () => {
    const key = findObject(objects, 'Key', 'kms-telemetry-dev');
    expect(key.apiVersion).toBe('kms.services.k8s.aws/v1alpha1');
    expect(key.spec).toMatchObject({
      keySpec: 'SYMMETRIC_DEFAULT',
      keyUsage: 'ENCRYPT_DECRYPT',
      origin: 'AWS_KMS',
      multiRegion: false,
      enableKeyRotation: true,
    });
    expect(key.metadata.annotations).toEqual({
      'services.k8s.aws/region': 'sa-east-1',
      'services.k8s.aws/deletion-policy': 'delete',
      'argocd.argoproj.io/sync-wave': '0',
    });
    expect(key.metadata.namespace).toBe('telemetry-dev');
    expect((key.spec as { tags: unknown }).tags).toEqual([
      { tagKey: 'project', tagValue: 'plant-telemetry' },
      { tagKey: 'environment', tagValue: 'dev' },
      { tagKey: 'owner', tagValue: 'platform-team' },
      { tagKey: 'cost-center', tagValue: 'plant-sp-it' },
      { tagKey: 'data-classification', tagValue: 'internal' },
    ]);
  });

  test('the alias names the key by reference, in the same wave', () => {
    const alias = findObject(objects, 'Alias', 'alias-kms-telemetry-dev');
    expect(alias.spec).toEqual({ name: 'alias/kms-telemetry-dev', targetKeyRef: { from: { name: 'kms-telemetry-dev' } } });
    expect(alias.metadata.annotations?.['argocd.argoproj.io/sync-wave']).toBe('0');
    expect(alias.metadata.annotations?.['services.k8s.aws/region']).toBe('sa-east-1');
  });

  test('the account administers the key but cannot use it for cryptography directly', () => {
    const [admin] = keyPolicy(objects);
    expect(admin).toEqual({ Sid: 'AccountAdministersKey', Effect: 'Allow', Principal: { AWS: ROOT }, Action: [...KEY_ADMIN_ACTIONS], Resource: '*' });
    expect(admin.Action).toContain('kms:PutKeyPolicy');
    for (const forbidden of ['kms:*', 'kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:CreateGrant', 'kms:ReEncryptFrom']) {
      expect(admin.Action).not.toContain(forbidden);
    }
    expect((admin.Action as string[]).some((action) => action.includes('*'))).toBe(false);
  });

  test('the account uses the key only through the platform services of sa-east-1', () => {
    const statements = keyPolicy(objects);
    expect(statements[1]).toEqual({
      Sid: 'AccountUsesKeyThroughPlatformServices',
      Effect: 'Allow',
      Principal: { AWS: ROOT },
      Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'],
      Resource: '*',
      Condition: { StringEquals: { 'kms:CallerAccount': '111122223333', 'kms:ViaService': VIA_SERVICES } },
    });
    expect(statements[2]).toEqual({
      Sid: 'DynamoDbCreatesGrantsForItsTables',
      Effect: 'Allow',
      Principal: { AWS: ROOT },
      Action: 'kms:CreateGrant',
      Resource: '*',
      Condition: {
        Bool: { 'kms:GrantIsForAWSResource': 'true' },
        StringEquals: { 'kms:CallerAccount': '111122223333', 'kms:ViaService': 'dynamodb.sa-east-1.amazonaws.com' },
      },
    });
  });

  test('the Lambda controller\'s role alone, through Lambda only, encrypts and reads the functions\' environment variables and lets Lambda grant the function roles Decrypt', () => {
    const statements = keyPolicy(objects);
    const lambdaController = {
      'kms:CallerAccount': '111122223333',
      'kms:ViaService': 'lambda.sa-east-1.amazonaws.com',
      'aws:PrincipalArn': 'arn:aws:iam::111122223333:role/ack-lambda-controller-dev',
    };
    expect(statements[3]).toEqual({
      Sid: 'LambdaControllerEncryptsFunctionEnvironments',
      Effect: 'Allow',
      Principal: { AWS: ROOT },
      Action: ['kms:Decrypt', 'kms:Encrypt'],
      Resource: '*',
      Condition: { StringEquals: lambdaController },
    });
    expect(statements[3]?.Action).toEqual([...LAMBDA_ENVIRONMENT_KEY_ACTIONS]);
    expect(statements[4]).toEqual({
      Sid: 'LambdaGrantsFunctionRolesDecrypt',
      Effect: 'Allow',
      Principal: { AWS: ROOT },
      Action: 'kms:CreateGrant',
      Resource: '*',
      Condition: { Bool: { 'kms:GrantIsForAWSResource': 'true' }, StringEquals: lambdaController },
    });
    // Lambda is not a caller service of the account at large: nobody else may use the key through it.
    expect(statements[1]?.Condition?.StringEquals?.['kms:ViaService']).not.toContain('lambda.sa-east-1.amazonaws.com');
  });

  test('CloudWatch Logs may use the key only for the platform log groups (the three functions, IoT Core)', () => {
    expect(keyPolicy(objects)[5]).toEqual({
      Sid: 'CloudWatchLogsEncryptsPlatformLogGroups',
      Effect: 'Allow',
      Principal: { Service: 'logs.sa-east-1.amazonaws.com' },
      Action: ['kms:Decrypt*', 'kms:Describe*', 'kms:Encrypt*', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'],
      Resource: '*',
      Condition: {
        ArnEquals: {
          'kms:EncryptionContext:aws:logs:arn': [
            'arn:aws:logs:sa-east-1:111122223333:log-group:/aws/lambda/lambda-processor-dev',
            'arn:aws:logs:sa-east-1:111122223333:log-group:/aws/lambda/lambda-storer-dev',
            'arn:aws:logs:sa-east-1:111122223333:log-group:/aws/lambda/lambda-query-dev',
            'arn:aws:logs:sa-east-1:111122223333:log-group:AWSIotLogsV2',
          ],
        },
      },
    });
  });

  test('the platform\'s CloudWatch alarms (cw-*-<suffix>) may encrypt what they publish to the ops topic, and only to it', () => {
    expect(keyPolicy(objects)[6]).toEqual({
      Sid: 'CloudWatchAlarmsPublishToEncryptedTopics',
      Effect: 'Allow',
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      Resource: '*',
      Condition: {
        StringEquals: { 'aws:SourceAccount': '111122223333', 'kms:EncryptionContext:aws:sns:topicArn': 'arn:aws:sns:sa-east-1:111122223333:sns-ops-dev' },
        ArnLike: { 'aws:SourceArn': 'arn:aws:cloudwatch:sa-east-1:111122223333:alarm:cw-*-dev' },
      },
    });
  });

  test('the KMS controller manages the key by its role name, and never uses it', () => {
    const statement = keyPolicy(objects)[7];
    expect(statement).toEqual({
      Sid: 'KmsControllerManagesKey',
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::111122223333:role/ack-kms-controller-dev' },
      Action: [...KMS_CONTROLLER_KEY_ACTIONS],
      Resource: '*',
    });
    // KMS refuses a new policy its creator could not put again (the lockout safety check).
    expect(statement.Action).toContain('kms:PutKeyPolicy');
    for (const forbidden of ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:CreateGrant', 'kms:DisableKey', 'kms:DisableKeyRotation']) {
      expect(statement.Action).not.toContain(forbidden);
    }
  });

  test('the policy has exactly these statements, none open to everyone', () => {
    const statements = keyPolicy(objects);
    expect(statements).toHaveLength(8);
    for (const statement of statements) {
      expect(statement.Effect).toBe('Allow');
      expect(statement.Principal).not.toBe('*');
      expect(statement.Principal).not.toEqual({ AWS: '*' });
    }
  });

  test('nothing names a region other than sa-east-1, and prod uses its own account', () => {
    expect(JSON.stringify(objects).match(/\b[a-z]{2}-[a-z]+-\d\b/g)?.every((region) => region === 'sa-east-1')).toBe(true);
    const prod = JSON.stringify(render('prod'));
    expect(prod).toContain('arn:aws:iam::444455556666:root');
    expect(prod).not.toContain('111122223333');
  });

  test('renders identically twice', () => {
    expect(render()).toEqual(objects);
  });
});

describe('policyDocument', () => {
  test('writes indented JSON with a stable key order, one statement per block', () => {
    expect(policyDocument([denyInsecureTransport('NoHttp', 'sqs:*', 'arn:x')]).split('\n')).toEqual([
      '{',
      '  "Version": "2012-10-17",',
      '  "Statement": [',
      '    {',
      '      "Sid": "NoHttp",',
      '      "Effect": "Deny",',
      '      "Principal": "*",',
      '      "Action": "sqs:*",',
      '      "Resource": "arn:x",',
      '      "Condition": {',
      '        "Bool": {',
      '          "aws:SecureTransport": "false"',
      '        }',
      '      }',
      '    }',
      '  ]',
      '}',
    ]);
  });

  test('refuses a Sid IAM would refuse', () => {
    expect(() => policyDocument([denyInsecureTransport('no-http', 'sqs:*', 'arn:x')])).toThrow(new Error('policyDocument: statement Sid must match [A-Za-z0-9]+, got "no-http"'));
  });

  test('refuses duplicate Sids', () => {
    const statement = denyInsecureTransport('NoHttp', 'sqs:*', 'arn:x');
    expect(() => policyDocument([statement, statement])).toThrow(new Error('policyDocument: statement Sid must be unique, got "NoHttp" twice'));
  });
});
