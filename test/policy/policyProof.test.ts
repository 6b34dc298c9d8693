import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listEnvironments } from '../../charts/lib/listEnvironments';
import { TABLE_KEYS } from '../../functions/shared/constants';
import { runPolicyProof, type ProofReport } from '../../scripts/lib/policyProof';
import { ADMINISTRATOR } from '../../scripts/lib/policyProofCatalog';
import { proofCatalog } from '../../scripts/lib/proofCatalog';
import { renderPlatformPolicies, type PlatformPolicies, type PolicyDocument, type RenderedDocument } from '../../scripts/lib/policyProofRender';
import { PLATFORM_KEY_ID, PolicySimulator, type AccessRequest } from '../../scripts/lib/policyProofSimulator';
import { writeProcessorFanOutConfig } from '../../scripts/lib/local/writeProcessorFanOutConfig';

/** Rendering bundles both functions with esbuild: once per environment for the whole file. */
const rendered = new Map<string, PlatformPolicies>();
function policiesOf(environment: string): PlatformPolicies {
  const cached = rendered.get(environment) ?? renderPlatformPolicies(environment);
  rendered.set(environment, cached);
  return cached;
}

type Statement = Record<string, unknown> & { Sid?: string };
const statementsOf = (document: RenderedDocument): Statement[] => [document.document.Statement].flat() as Statement[];
const withStatements = (document: RenderedDocument, statements: Statement[]): RenderedDocument => ({
  id: document.id,
  document: { ...document.document, Statement: statements } as PolicyDocument,
});

/** The policies with one document changed, as a chart change would render it. */
function changed(policies: PlatformPolicies, id: string, change: (statements: Statement[]) => Statement[]): PlatformPolicies {
  const swap = (document: RenderedDocument): RenderedDocument => (document.id === id ? withStatements(document, change(statementsOf(document))) : document);
  const found = policies.documents.some((document) => document.id === id);
  if (!found) throw new Error(`no rendered document ${id}`);
  return {
    ...policies,
    roles: new Map([...policies.roles].map(([name, role]) => [name, { trust: swap(role.trust), inline: role.inline.map(swap), boundary: role.boundary }])),
    roleBoundary: swap(policies.roleBoundary),
    managedPolicies: new Map([...policies.managedPolicies].map(([name, document]) => [name, swap(document)])),
    resourcePolicies: new Map([...policies.resourcePolicies].map(([arn, document]) => [arn, swap(document)])),
    endpointPolicies: new Map([...policies.endpointPolicies].map(([service, document]) => [service, swap(document)])),
    keyPolicy: swap(policies.keyPolicy),
    controllerPolicies: new Map([...policies.controllerPolicies].map(([controller, document]) => [controller, swap(document)])),
    devicePolicy: swap(policies.devicePolicy),
    documents: policies.documents.map(swap),
  };
}

describe.each(listEnvironments())('policy proof of %s', (environment) => {
  let report: ProofReport;
  beforeAll(async () => {
    report = await runPolicyProof(environment, policiesOf(environment));
  }, 120_000);

  it('allows every required request and denies every forbidden one', () => {
    expect(report.failures).toEqual([]);
    const { required, forbidden } = report;
    expect(report.summary).toBe(`policy proof ${environment}: required ${required.total}/${required.total} allowed, forbidden ${forbidden.total}/${forbidden.total} denied`);
    expect(report.ok).toBe(true);
  });

  it('evaluates every rendered policy document: roles and their boundary, the redrive policy, key, bucket, queue, topics, tables, endpoints, the device policy, five controllers\'', () => {
    expect(report.unexercised).toEqual([]);
    const kinds = new Set(policiesOf(environment).documents.map((document) => document.id.split(' ')[0]));
    expect([...kinds].sort()).toEqual([
      'Bucket', 'IoT', 'Key', 'Policy', 'Queue', 'Role', 'Table', 'Topic', 'VPCEndpoint',
      'controller-iam/ack-dynamodb-controller.json', 'controller-iam/ack-ec2-controller.json', 'controller-iam/ack-iam-controller.json', 'controller-iam/ack-kms-controller.json',
      'controller-iam/ack-lambda-controller.json', 'controller-iam/iam-role-boundary.json',
    ]);
  });
});

describe('the simulator discriminates', () => {
  const policies = policiesOf('dev');
  const { names } = policies;
  const simulator = new PolicySimulator(policies);
  const processor = { kind: 'role', roleName: names.processorRole } as const;
  const quarantinePut: AccessRequest = {
    principal: processor,
    action: 's3:PutObject',
    resource: `${names.archiveBucketArn}/quarantine/processor/2026/01/01/00/shardId-000000000000/1.json`,
    endpoint: 's3',
  };
  const bucketPolicyId = `Bucket ${names.archiveBucket} policy`;
  const device = { kind: 'device', certificateId: 'c0ffee' } as const;
  const thingContext = { 'iot:Connection.Thing.ThingName': 'gw-1', 'iot:Connection.Thing.IsAttached': 'true', 'iot:ClientId': 'gw-1' };
  const iot = 'arn:aws:iot:sa-east-1:111122223333';
  const keyArn = `arn:aws:kms:sa-east-1:111122223333:key/${PLATFORM_KEY_ID}`;
  const viaKinesis = {
    'kms:CallerAccount': '111122223333',
    'kms:ViaService': 'kinesis.sa-east-1.amazonaws.com',
    'kms:ResourceAliases': [names.kmsAlias],
    'kms:EncryptionContext:aws:kinesis:arn': names.streamArn,
  };

  it('the current bucket policy lets a put without an encryption header through (the bucket encrypts it by default)', async () => {
    expect(await simulator.evaluate(quarantinePut)).toEqual({
      result: 'Allowed',
      detail: `allowed by Role ${names.processorRole} inline policy processor QuarantineInvalidRecords, VPCEndpoint vpce-s3-dev policy ProcessorQuarantineInvalidRecords (identity Allowed, resource ImplicitlyDenied, endpoint Allowed)`,
    });
  });

  it('the old StringNotEqualsIfExists statement denies a put without an encryption header', async () => {
    const old = changed(policies, bucketPolicyId, (statements) =>
      statements.map((statement) =>
        statement.Sid === 'DenyNonKmsObjectEncryption' ? { ...statement, Condition: { StringNotEqualsIfExists: { 's3:x-amz-server-side-encryption': 'aws:kms' } } } : statement,
      ),
    );
    expect(await new PolicySimulator(old).evaluate(quarantinePut)).toEqual({ result: 'ExplicitlyDenied', detail: `denied by ${bucketPolicyId} DenyNonKmsObjectEncryption` });
    const proof = await runPolicyProof('dev', old);
    expect(proof.failures.filter((line) => line.includes('without an encryption header'))).toHaveLength(4);
    expect(proof.failures[0]).toBe(
      'policy proof dev: REQUIRED but ExplicitlyDenied: processor: QuarantineWriter PutObject under quarantine/processor/ without an encryption header (bucket default SSE-KMS) ' +
        '[s3:PutObject arn:aws:s3:::s3-archive-111122223333-dev/quarantine/processor/2026/01/01/00/shardId-000000000000/49650000000000000000000000000000000000000000000000000002.json]: ' +
        `denied by ${bucketPolicyId} DenyNonKmsObjectEncryption`,
    );
  }, 60_000);

  it('a put asking for AES256, for aws:kms without a key id, or for SSE-C is denied; one asking for aws:kms with the platform key allowed', async () => {
    expect(await simulator.evaluate({ ...quarantinePut, context: { 's3:x-amz-server-side-encryption': 'AES256' } })).toEqual({
      result: 'ExplicitlyDenied',
      detail: `denied by ${bucketPolicyId} DenyNonKmsObjectEncryption`,
    });
    // Without the key-id header S3 would use the AWS-managed key aws/s3; both earlier denies let that through.
    expect(await simulator.evaluate({ ...quarantinePut, context: { 's3:x-amz-server-side-encryption': 'aws:kms' } })).toEqual({
      result: 'ExplicitlyDenied',
      detail: `denied by ${bucketPolicyId} DenyKmsWithoutPlatformKeyId`,
    });
    expect(await simulator.evaluate({ ...quarantinePut, context: { 's3:x-amz-server-side-encryption-customer-algorithm': 'AES256' } })).toEqual({
      result: 'ExplicitlyDenied',
      detail: `denied by ${bucketPolicyId} DenyCustomerProvidedKeys`,
    });
    const platformKey = { 's3:x-amz-server-side-encryption': 'aws:kms', 's3:x-amz-server-side-encryption-aws-kms-key-id': names.kmsAliasArn };
    expect((await simulator.evaluate({ ...quarantinePut, context: platformKey })).result).toBe('Allowed');
  });

  it('plain HTTP is denied even to an account administrator', async () => {
    const request: AccessRequest = { principal: ADMINISTRATOR, action: 's3:GetObject', resource: `${names.archiveBucketArn}/raw/x.gz`, context: { 'aws:SecureTransport': 'false' } };
    expect(await simulator.evaluate(request)).toEqual({ result: 'ExplicitlyDenied', detail: `denied by ${bucketPolicyId} DenyInsecureTransport` });
  });

  it('a device publishes its own telemetry through Basic Ingest, not on another thing\'s topic', async () => {
    const publish = (thing: string): AccessRequest => ({
      principal: device,
      action: 'iot:Publish',
      resource: `${iot}:topic/$aws/rules/${names.telemetryRule}/dt/sp01/line-a/${thing}/telemetry`,
      context: thingContext,
    });
    expect((await simulator.evaluate(publish('gw-1'))).result).toBe('Allowed');
    expect((await simulator.evaluate(publish('gw-2'))).result).toBe('ImplicitlyDenied');
  });

  it('the old device policy, which also allowed the plain topic, fails the proof', async () => {
    const old = changed(policies, `IoT Policy ${names.devicePolicy}`, (statements) =>
      statements.map((statement) =>
        statement.Sid === 'PublishOwnTelemetry'
          ? { ...statement, Resource: [...(statement.Resource as string[]), `${iot}:topic/dt/sp01/line-a/\${iot:Connection.Thing.ThingName}/telemetry`] }
          : statement,
      ),
    );
    const proof = await runPolicyProof('dev', old);
    expect(proof.failures).toEqual([
      'policy proof dev: FORBIDDEN but Allowed: device gw-press-01: iot:Publish on the plain topic dt/sp01/line-a/gw-press-01/telemetry (Basic Ingest only) ' +
        '[iot:Publish arn:aws:iot:sa-east-1:111122223333:topic/dt/sp01/line-a/gw-press-01/telemetry]: decided with iot:Connection.Thing.ThingName, iot:Connection.Thing.IsAttached, iot:ClientId',
    ]);
  }, 60_000);

  it('KMS needs the key policy: an IAM allow alone does not decrypt', async () => {
    const request: AccessRequest = { principal: processor, action: 'kms:Decrypt', resource: keyArn, context: viaKinesis };
    expect((await simulator.evaluate(request)).result).toBe('Allowed');
    const withoutUse = changed(policies, policies.keyPolicy.id, (statements) => statements.filter((statement) => statement.Sid !== 'AccountUsesKeyThroughPlatformServices'));
    expect((await new PolicySimulator(withoutUse).evaluate(request)).result).toBe('ImplicitlyDenied');
    // ... and the key policy alone does not either: the role's IAM grant is scoped to the platform alias.
    expect((await simulator.evaluate({ ...request, context: { ...viaKinesis, 'kms:ResourceAliases': ['alias/another'] } })).result).toBe('ImplicitlyDenied');
  });

  it('the KMS controller manages the platform key through the key policy alone', async () => {
    const kmsController = { kind: 'controller', controller: 'ack-kms-controller' } as const;
    const deletion: AccessRequest = { principal: kmsController, action: 'kms:ScheduleKeyDeletion', resource: keyArn };
    expect(await simulator.evaluate(deletion)).toEqual({
      result: 'Allowed',
      // The account statement matches too, but delegates to IAM, which grants the controller nothing on the key.
      detail: `allowed by ${policies.keyPolicy.id} AccountAdministersKey, ${policies.keyPolicy.id} KmsControllerManagesKey (identity ImplicitlyDenied, resource Allowed)`,
    });
    const withoutStatement = changed(policies, policies.keyPolicy.id, (statements) => statements.filter((statement) => statement.Sid !== 'KmsControllerManagesKey'));
    const report = await runPolicyProof('dev', withoutStatement);
    const failed = report.outcomes.filter((outcome) => !outcome.passed).map((outcome) => outcome.check.title);
    expect(failed).toHaveLength(12);
    expect(failed).toContain("KMS controller: kms:ScheduleKeyDeletion on the platform key (its key policy names the controller's role)");
  }, 120_000);

  it('a grant on keys by their tags would let the KMS controller take over any key it tags', async () => {
    const tagged = { 'aws:ResourceTag/project': 'plant-telemetry', 'aws:ResourceTag/environment': 'dev' };
    const byTags: Statement = {
      Sid: 'ManageTaggedKey',
      Effect: 'Allow',
      Action: ['kms:PutKeyPolicy', 'kms:ScheduleKeyDeletion'],
      Resource: ['arn:aws:kms:sa-east-1:111122223333:key/*'],
      Condition: { StringEquals: tagged },
    };
    const widened = changed(policies, 'controller-iam/ack-kms-controller.json', (statements) => [...statements, byTags]);
    const report = await runPolicyProof('dev', widened);
    expect(report.outcomes.filter((outcome) => !outcome.passed).map((outcome) => outcome.check.title)).toEqual([
      'KMS controller: kms:PutKeyPolicy on another key of the account that carries the platform tags',
      'KMS controller: kms:ScheduleKeyDeletion on another key of the account that carries the platform tags',
    ]);
  }, 120_000);

  it('the IAM controller changes roles only with the platform boundary: without the condition it could widen any of them', async () => {
    const unbounded = changed(policies, 'controller-iam/ack-iam-controller.json', (statements) =>
      statements.map(({ Condition, ...statement }) => (statement.Sid === 'ChangePlatformRolesWithinBoundary' ? statement : { ...statement, ...(Condition ? { Condition } : {}) })),
    );
    const report = await runPolicyProof('dev', unbounded);
    expect(report.outcomes.filter((outcome) => !outcome.passed).map((outcome) => outcome.check.title)).toEqual([
      'IAM controller: iam:CreateRole of a platform role without a boundary',
      'IAM controller: iam:CreateRole of a platform role with another boundary',
      'IAM controller: iam:PutRolePolicy of a platform role that lost its boundary',
      'IAM controller: iam:UpdateAssumeRolePolicy of a platform role that lost its boundary',
    ]);
  }, 120_000);

  it('a platform role whose inline policy were rewritten to allow everything stays within the boundary', async () => {
    const everything: Statement[] = [{ Sid: 'Everything', Effect: 'Allow', Action: '*', Resource: '*' }];
    const rewritten = changed(policies, `Role ${names.processorRole} inline policy processor`, () => everything);
    const bounded = new PolicySimulator(rewritten);
    const escapes: AccessRequest[] = [
      { principal: processor, action: 'iam:CreateUser', resource: 'arn:aws:iam::111122223333:user/intruder' },
      { principal: processor, action: 's3:GetObject', resource: 'arn:aws:s3:::payroll-exports/2026/12.csv' },
      { principal: processor, action: 'dynamodb:DeleteTable', resource: names.tableArn(names.readingsTable) },
      { principal: processor, action: 'kms:ScheduleKeyDeletion', resource: keyArn },
    ];
    for (const request of escapes) expect([request.action, (await bounded.evaluate(request)).result]).toEqual([request.action, 'ImplicitlyDenied']);
    // The same rewrite on a role without the boundary would have reached them.
    const withoutBoundary: PlatformPolicies = {
      ...rewritten,
      roles: new Map([...rewritten.roles].map(([name, role]) => [name, { ...role, boundary: undefined }])),
    };
    const unbounded = new PolicySimulator(withoutBoundary);
    for (const request of escapes.slice(0, 3)) expect([request.action, (await unbounded.evaluate(request)).result]).toEqual([request.action, 'Allowed']);
    // Its own calls still pass: the boundary holds every platform role's statements.
    expect((await bounded.evaluate(quarantinePut)).result).toBe('Allowed');
  });

  it('a table policy refuses plain HTTP even to an account administrator, and leaves HTTPS to IAM', async () => {
    const tablePolicyId = `Table ${names.assetStatusTable} policy`;
    const read = (secure: boolean): AccessRequest => ({
      principal: ADMINISTRATOR,
      action: 'dynamodb:GetItem',
      resource: names.tableArn(names.assetStatusTable),
      context: { 'aws:SecureTransport': String(secure) },
    });
    expect(await simulator.evaluate(read(false))).toEqual({ result: 'ExplicitlyDenied', detail: `denied by ${tablePolicyId} DenyInsecureTransport` });
    expect((await simulator.evaluate(read(true))).result).toBe('Allowed');
    // The index is governed by the table's policy: denied over plain HTTP as well.
    const lineIndex = `${names.tableArn(names.assetStatusTable)}/index/${TABLE_KEYS.assetStatus.lineIndex}`;
    expect(await simulator.evaluate({ ...read(false), action: 'dynamodb:Query', resource: lineIndex })).toEqual({
      result: 'ExplicitlyDenied',
      detail: `denied by ${tablePolicyId} DenyInsecureTransport`,
    });
    const open = changed(policies, tablePolicyId, (statements) => statements.filter((statement) => statement.Sid !== 'DenyInsecureTransport'));
    expect((await new PolicySimulator(open).evaluate(read(false))).result).toBe('Allowed');
  });

  it('a table policy that names the table but not its index leaves the index open to plain HTTP, and the proof says so', async () => {
    const tablePolicyId = `Table ${names.assetStatusTable} policy`;
    const tableOnly = changed(policies, tablePolicyId, (statements) => statements.map((statement) => ({ ...statement, Resource: names.tableArn(names.assetStatusTable) })));
    const report = await runPolicyProof('dev', tableOnly);
    expect(report.outcomes.filter((outcome) => !outcome.passed).map((outcome) => outcome.check.title)).toEqual([
      'an account administrator: dynamodb:Query on the asset-status line index over plain HTTP',
      'query: AssetDirectory Query on the line index over plain HTTP',
    ]);
  }, 120_000);

  it('the Lambda controller uses the key through Lambda only, and nobody else through Lambda', async () => {
    const lambdaController = { kind: 'controller', controller: 'ack-lambda-controller' } as const;
    const viaLambda = { 'kms:CallerAccount': '111122223333', 'kms:ViaService': 'lambda.sa-east-1.amazonaws.com', 'kms:ResourceAliases': [names.kmsAlias] };
    const decrypt: AccessRequest = { principal: lambdaController, action: 'kms:Decrypt', resource: keyArn, context: viaLambda };
    expect(await simulator.evaluate(decrypt)).toEqual({
      result: 'Allowed',
      detail: `allowed by controller-iam/ack-lambda-controller.json EncryptFunctionEnvironmentWithPlatformKey, ${policies.keyPolicy.id} LambdaControllerEncryptsFunctionEnvironments (identity Allowed, resource AllowedForAccount)`,
    });
    expect((await simulator.evaluate({ ...decrypt, context: { 'kms:CallerAccount': '111122223333', 'kms:ResourceAliases': [names.kmsAlias] } })).result).toBe('ImplicitlyDenied');
    // Without the key policy's statements the controller could neither set nor read the variables.
    const withoutLambda = changed(policies, policies.keyPolicy.id, (statements) =>
      statements.filter((statement) => statement.Sid !== 'LambdaControllerEncryptsFunctionEnvironments' && statement.Sid !== 'LambdaGrantsFunctionRolesDecrypt'),
    );
    const report = await runPolicyProof('dev', withoutLambda);
    expect(report.outcomes.filter((outcome) => !outcome.passed).map((outcome) => outcome.check.title)).toEqual([
      'Lambda controller: kms:Decrypt via Lambda (the functions\' environment variables)',
      'Lambda controller: kms:Encrypt via Lambda (the functions\' environment variables)',
      'Lambda controller: kms:CreateGrant via Lambda (Decrypt for a function\'s execution role)',
    ]);
    // Without its aws:PrincipalArn condition, any role of the account IAM allows could read them through Lambda.
    const anyPrincipal = changed(policies, policies.keyPolicy.id, (statements) =>
      statements.map((statement) => {
        if (statement.Sid !== 'LambdaControllerEncryptsFunctionEnvironments') return statement;
        const { 'aws:PrincipalArn': _controller, ...rest } = (statement.Condition as { StringEquals: Record<string, string> }).StringEquals;
        return { ...statement, Condition: { StringEquals: rest } };
      }),
    );
    expect((await new PolicySimulator(anyPrincipal).evaluate({ principal: ADMINISTRATOR, action: 'kms:Decrypt', resource: keyArn, context: viaLambda })).result).toBe('Allowed');
  }, 120_000);

  it('the dead-letter queue policy refuses every sender but the functions, even an administrator', async () => {
    const send: AccessRequest = { principal: ADMINISTRATOR, action: 'sqs:SendMessage', resource: names.deadLetterQueueArn };
    expect(await simulator.evaluate(send)).toEqual({ result: 'ExplicitlyDenied', detail: `denied by Queue ${names.deadLetterQueue} policy DenySendersOtherThanStreamFunctions` });
    const open = changed(policies, `Queue ${names.deadLetterQueue} policy`, (statements) => statements.filter((statement) => statement.Sid !== 'DenySendersOtherThanStreamFunctions'));
    expect((await new PolicySimulator(open).evaluate(send)).result).toBe('Allowed');
  });

  it('trust policies pin the calling account', async () => {
    const assume = (account: string): AccessRequest => ({
      principal: { kind: 'service', service: 'lambda.amazonaws.com' },
      action: 'sts:AssumeRole',
      resource: names.roleArn(names.storerRole),
      context: { 'aws:SourceAccount': account },
    });
    expect((await simulator.evaluate(assume('111122223333'))).result).toBe('Allowed');
    expect((await simulator.evaluate(assume('999988887777'))).result).toBe('ImplicitlyDenied');
  });

  it('the catalog has unique titles per environment', () => {
    for (const environment of listEnvironments()) {
      const titles = proofCatalog(policiesOf(environment)).map((check) => check.title);
      expect(titles.filter((title, index) => titles.indexOf(title) !== index)).toEqual([]);
    }
  });
});

describe("policy proof of prod with its processor reading through its fan-out consumer", () => {
  const registeredAt = Date.parse('2026-12-01T12:00:00Z');
  const policies = renderPlatformPolicies('prod', writeProcessorFanOutConfig('prod', registeredAt, mkdtempSync(join(tmpdir(), 'proof-fan-out-'))));

  it('allows the processor exactly its consumer, and denies the storer and other consumers', async () => {
    const report = await runPolicyProof('prod', policies);
    expect(report.failures).toEqual([]);
    expect(report.unexercised).toEqual([]);
    const titles = proofCatalog(policies).map((check) => `${check.expect} ${check.title}`);
    expect(titles).toEqual(expect.arrayContaining([
      'required processor mapping: kinesis:SubscribeToShard on its fan-out consumer',
      'required processor mapping: kinesis:DescribeStreamConsumer on its fan-out consumer',
      "forbidden storer: kinesis:SubscribeToShard on the processor's consumer",
      'forbidden processor: kinesis:SubscribeToShard on another consumer of the stream',
    ]));
  }, 120_000);

  it('the same catalog fails when the processor role loses the consumer statement', async () => {
    const inline = policies.documents.filter((document) => document.id.startsWith('Role iam-processor-prod inline policy')).map((document) => document.id);
    expect(inline).toHaveLength(1);
    const without = changed(policies, inline[0] ?? '', (statements) => statements.filter((statement) => statement.Sid !== 'ReadThroughFanOutConsumer'));
    const report = await runPolicyProof('prod', without);
    expect(report.outcomes.filter((outcome) => !outcome.passed).map((outcome) => outcome.check.title)).toEqual([
      'processor mapping: kinesis:SubscribeToShard on its fan-out consumer',
      'processor mapping: kinesis:DescribeStreamConsumer on its fan-out consumer',
    ]);
  }, 120_000);

  it('as committed (the processor still polls), the processor may not subscribe through the consumer', () => {
    const titles = proofCatalog(policiesOf('prod')).map((check) => `${check.expect} ${check.title}`);
    expect(titles).toContain('forbidden processor: kinesis:SubscribeToShard on its consumer while its mapping polls the stream');
  });
});

describe('npm run proof', () => {
  const run = (args: string[]): ReturnType<typeof spawnSync> =>
    spawnSync(process.execPath, [require.resolve('tsx/cli'), join(__dirname, '..', '..', 'scripts', 'policyProof.ts'), ...args], { encoding: 'utf8' });

  it('prints the figure line of the environment and exits 0', async () => {
    const report = await runPolicyProof('dev', policiesOf('dev'));
    const result = run(['--env', 'dev']);
    expect(result.stdout).toBe(`${report.summary}\n`);
    expect(result.status).toBe(0);
  }, 120_000);

  it('exits 2 with one line for an unknown environment', () => {
    const result = run(['--env', 'staging']);
    expect(result.stderr).toBe('proof: --env staging: unknown environment; known environments are dev, prod\n');
    expect(result.stdout).toBe('');
    expect(result.status).toBe(2);
  }, 60_000);
});
