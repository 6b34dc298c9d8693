import {
  DynamoDBClient,
  ExecuteStatementCommand,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
  QueryCommand,
  TransactGetItemsCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { LOCAL_CREDENTIALS } from '../../scripts/lib/local/constants';
import { dynamoAccess } from '../../scripts/lib/local/dynamoResources';
import { LocalPipeline } from '../../scripts/lib/local/LocalPipeline';
import { LocalPolicyEnforcer } from '../../scripts/lib/local/LocalPolicyEnforcer';
import type { LocalManifests } from '../../scripts/lib/local/LocalManifests';
import { readManifests } from '../../scripts/lib/local/readManifests';

const REPOSITORY = resolve(__dirname, '..', '..');
const manifests = readManifests(join(REPOSITORY, 'manifests', 'dev'), 'dev');
const QUEUE = 'arn:aws:sqs:sa-east-1:111122223333:sqs-stream-dlq-dev';
const STREAM = 'arn:aws:kinesis:sa-east-1:111122223333:stream/kinesis-telemetry-dev';
const TABLE = 'arn:aws:dynamodb:sa-east-1:111122223333:table/';

type RenderedObject = { kind?: string; metadata?: { name?: string }; spec: Record<string, unknown> };

describe('the local pipeline reads who may call what from the rendered dev manifests', () => {
  it("gives each function its Role's AWS name, and each topic rule's actions their role", () => {
    expect(manifests.functions.map((fn) => [fn.name, fn.roleName, fn.inVpc])).toEqual([
      ['lambda-processor-dev', 'iam-processor-dev', true],
      ['lambda-storer-dev', 'iam-storer-dev', true],
      ['lambda-query-dev', 'iam-query-dev', true],
    ]);
    for (const rule of manifests.topicRules) {
      expect([rule.kinesis?.roleArn, rule.errorS3?.roleArn]).toEqual(['arn:aws:iam::111122223333:role/iam-iot-rule-dev', 'arn:aws:iam::111122223333:role/iam-iot-rule-dev']);
    }
    expect(manifests.access.roles.map((role) => role.name)).toEqual(expect.arrayContaining(['iam-processor-dev', 'iam-storer-dev', 'iam-iot-rule-dev']));
    expect(manifests.access.roleBoundary?.id).toBe('controller-iam/iam-role-boundary.json');
    expect(manifests.access.resourcePolicies.map((policy) => policy.arn)).toEqual(
      expect.arrayContaining([QUEUE, 'arn:aws:s3:::s3-archive-111122223333-dev', `${TABLE}dynamodb-readings-dev`, `${TABLE}dynamodb-asset-status-dev`, `${TABLE}dynamodb-detector-state-dev`]),
    );
    expect(manifests.access.managedPolicies.map((policy) => policy.name)).toEqual(expect.arrayContaining(['iam-query-operator-dev']));
  });

  it("decides the mappings' and rules' calls with the rendered identity, boundary and resource policies", async () => {
    const policies = new LocalPolicyEnforcer(manifests);
    const as = (roleName: string, action: string, resource: string): Promise<unknown> => policies.authorizeAs({ roleName, session: 'test', action, resource });
    expect(await as('iam-processor-dev', 'kinesis:GetRecords', STREAM)).toEqual({ outcome: 'allowed' });
    expect(await as('iam-storer-dev', 'sqs:SendMessage', QUEUE)).toEqual({ outcome: 'allowed' });
    expect(await as('iam-iot-rule-dev', 'kinesis:PutRecord', STREAM)).toEqual({ outcome: 'allowed' });
    expect(await as('iam-query-dev', 'sqs:SendMessage', QUEUE)).toEqual({
      outcome: 'denied',
      message: `User: arn:aws:sts::111122223333:assumed-role/iam-query-dev/test is not authorized to perform: sqs:SendMessage on resource: ${QUEUE} with an explicit deny`,
    });
    expect(await as('iam-processor-dev', 'kinesis:PutRecord', STREAM)).toEqual({
      outcome: 'denied',
      message: `User: arn:aws:sts::111122223333:assumed-role/iam-processor-dev/test is not authorized to perform: kinesis:PutRecord on resource: ${STREAM} because no identity-based or resource-based policy allows the action`,
    });
  });
});

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'local-policies-'));
});
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

/** A copy of manifests/dev with each file's `edit` applied to every object of that file, read as the pipeline reads it. */
function devWith(edits: Readonly<Record<string, (object: RenderedObject) => void>>): { manifests: LocalManifests; directory: string } {
  const directory = join(mkdtempSync(join(scratch, 'copy-')), 'dev');
  cpSync(join(REPOSITORY, 'manifests', 'dev'), directory, { recursive: true });
  for (const [fileName, edit] of Object.entries(edits)) {
    const file = join(directory, fileName);
    const objects = parseAllDocuments(readFileSync(file, 'utf8')).map((document) => document.toJS({ maxAliasCount: -1 }) as RenderedObject);
    for (const object of objects) edit(object);
    writeFileSync(file, objects.map((object) => stringify(object)).join('---\n'));
  }
  return { manifests: readManifests(directory, 'dev'), directory };
}

/** Removes `action` from every statement of `roleName`'s inline policies (a statement left with no action goes). */
function withoutAction(roleName: string, action: string): (object: RenderedObject) => void {
  return (object) => {
    if (object.kind !== 'Role' || object.spec.name !== roleName) return;
    const inline = object.spec.inlinePolicies as Record<string, string>;
    for (const [name, json] of Object.entries(inline)) {
      const document = JSON.parse(json) as { Statement: Array<{ Action: string | string[] }> };
      document.Statement = document.Statement.map((statement) => ({ ...statement, Action: ([] as string[]).concat(statement.Action).filter((candidate) => candidate !== action) })).filter(
        (statement) => statement.Action.length > 0,
      );
      inline[name] = JSON.stringify(document);
    }
  };
}

describe('a mapping its role may not run is refused at start, as Lambda refuses to create it', () => {
  /** Starts a pipeline of `edited`; a refusal comes before anything starts, and a pipeline that did start is stopped. */
  async function start(edited: LocalManifests): Promise<void> {
    const pipeline = new LocalPipeline({ manifests: edited, repositoryRoot: REPOSITORY, certsDirectory: join(scratch, 'certs'), logDirectory: join(scratch, 'logs'), port: 0 });
    await pipeline.start();
    await pipeline.stop();
  }

  it("refuses the storer's mapping when its role's inline policy no longer allows sqs:SendMessage to the dead-letter queue", async () => {
    const { manifests: edited, directory } = devWith({ 'processing.k8s.yaml': withoutAction('iam-storer-dev', 'sqs:SendMessage') });
    await expect(start(edited)).rejects.toThrow(
      `mapping esm-storer-dev (${join(directory, 'processing.k8s.yaml')}): AWS refuses it: InvalidParameterValueException: The provided execution role does not have permissions to call SendMessage on SQS ` +
        `(User: arn:aws:sts::111122223333:assumed-role/iam-storer-dev/lambda-storer-dev is not authorized to perform: sqs:SendMessage on resource: ${QUEUE} because no identity-based or resource-based policy allows the action)`,
    );
  });

  it("refuses it when the queue's policy no longer names the storer's role among the senders (DenySendersOtherThanStreamFunctions)", async () => {
    const { manifests: edited, directory } = devWith({
      'stream.k8s.yaml': (object) => {
        if (object.kind !== 'Queue') return;
        const policy = JSON.parse(String(object.spec.policy)) as { Statement: Array<{ Sid: string; Condition?: { ArnNotEquals: Record<string, string[]> } }> };
        const senders = policy.Statement.find((statement) => statement.Sid === 'DenySendersOtherThanStreamFunctions')?.Condition?.ArnNotEquals ?? {};
        senders['aws:PrincipalArn'] = (senders['aws:PrincipalArn'] ?? []).filter((arn) => !arn.endsWith(':role/iam-storer-dev'));
        object.spec.policy = JSON.stringify(policy);
      },
    });
    await expect(start(edited)).rejects.toThrow(
      `mapping esm-storer-dev (${join(directory, 'processing.k8s.yaml')}): AWS refuses it: InvalidParameterValueException: The provided execution role does not have permissions to call SendMessage on SQS ` +
        `(User: arn:aws:sts::111122223333:assumed-role/iam-storer-dev/lambda-storer-dev is not authorized to perform: sqs:SendMessage on resource: ${QUEUE} with an explicit deny)`,
    );
  });
});

describe('a policy on DynamoDB condition keys, which the local gate does not supply, is refused at start', () => {
  it('names the document, the statement and the key', async () => {
    const { manifests: edited } = devWith({
      'processing.k8s.yaml': (object) => {
        if (object.kind !== 'Role' || object.spec.name !== 'iam-storer-dev') return;
        const inline = object.spec.inlinePolicies as Record<string, string>;
        const document = JSON.parse(inline.storer ?? '') as { Statement: Array<{ Sid?: string; Condition?: unknown }> };
        const statement = document.Statement.find((candidate) => candidate.Sid === 'ReadWriteReadingBuckets');
        if (statement) statement.Condition = { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['pump-00001#temperature'] } };
        inline.storer = JSON.stringify(document);
      },
    });
    const pipeline = new LocalPipeline({ manifests: edited, repositoryRoot: REPOSITORY, certsDirectory: join(scratch, 'certs'), logDirectory: join(scratch, 'logs'), port: 0 });
    await expect(pipeline.start()).rejects.toThrow(
      'Role iam-storer-dev inline policy storer statement ReadWriteReadingBuckets conditions on dynamodb:LeadingKeys, which the local pipeline does not supply ' +
        '(it decides a DynamoDB call by role, action and table); the local pipeline runs only what it can model',
    );
  });
});

describe('what DynamoDB authorizes a request on (dynamoAccess, shared by the dynalite gate and the router)', () => {
  const STATUS_ARN = `${TABLE}dynamodb-asset-status-dev`;
  const READINGS_ARN = `${TABLE}dynamodb-readings-dev`;

  it("decides a transaction as each item's action on its table, once per action and table, and says dynalite does not run it", () => {
    const update = { TableName: 'dynamodb-asset-status-dev', Key: {}, UpdateExpression: 'SET a = :a' };
    expect(
      dynamoAccess(
        'TransactWriteItems',
        { TransactItems: [{ Update: update }, { Put: { TableName: 'dynamodb-readings-dev', Item: {} } }, { Update: update }, { ConditionCheck: { TableName: 'dynamodb-readings-dev', Key: {} } }, { Delete: { TableName: 'dynamodb-readings-dev', Key: {} } }] },
        TABLE,
      ),
    ).toEqual({
      checks: [
        { action: 'dynamodb:UpdateItem', resource: STATUS_ARN },
        { action: 'dynamodb:PutItem', resource: READINGS_ARN },
        { action: 'dynamodb:ConditionCheckItem', resource: READINGS_ARN },
        { action: 'dynamodb:DeleteItem', resource: READINGS_ARN },
      ],
      table: 'dynamodb-asset-status-dev',
      unsupported: "TransactWriteItems: decided as each item's action on its table; the local pipeline's DynamoDB (dynalite) does not run it",
    });
    expect(dynamoAccess('TransactGetItems', { TransactItems: [{ Get: { TableName: 'dynamodb-readings-dev', Key: {} } }] }, TABLE)?.checks).toEqual([{ action: 'dynamodb:GetItem', resource: READINGS_ARN }]);
    // An item with no request or two is refused by DynamoDB before any decision: left to dynalite.
    expect(dynamoAccess('TransactWriteItems', { TransactItems: [{ Put: { TableName: 'a', Item: {} }, Delete: { TableName: 'a', Key: {} } }] }, TABLE)).toBeUndefined();
    expect(dynamoAccess('TransactGetItems', { TransactItems: [{ toString: { TableName: 'a' } }] }, TABLE)).toBeUndefined();
  });

  it('decides ListTables on *, a Query of an index on its ARN, a batch on every table, tags on the ARN named', () => {
    expect(dynamoAccess('ListTables', {}, TABLE)).toEqual({ checks: [{ action: 'dynamodb:ListTables', resource: '*' }], table: undefined });
    expect(dynamoAccess('Query', { TableName: 'dynamodb-asset-status-dev', IndexName: 'byLine' }, TABLE)?.checks).toEqual([{ action: 'dynamodb:Query', resource: `${STATUS_ARN}/index/byLine` }]);
    expect(dynamoAccess('GetItem', { TableName: 'dynamodb-asset-status-dev', IndexName: 'byLine' }, TABLE)?.checks).toEqual([{ action: 'dynamodb:GetItem', resource: STATUS_ARN }]);
    expect(dynamoAccess('BatchWriteItem', { RequestItems: { 'dynamodb-readings-dev': [], 'dynamodb-asset-status-dev': [] } }, TABLE)).toEqual({
      checks: [
        { action: 'dynamodb:BatchWriteItem', resource: READINGS_ARN },
        { action: 'dynamodb:BatchWriteItem', resource: STATUS_ARN },
      ],
      table: 'dynamodb-readings-dev',
    });
    expect(dynamoAccess('ListTagsOfResource', { ResourceArn: READINGS_ARN }, TABLE)).toEqual({ checks: [{ action: 'dynamodb:ListTagsOfResource', resource: READINGS_ARN }], table: 'dynamodb-readings-dev' });
    // A table's ARN in TableName is the resource as it is.
    expect(dynamoAccess('GetItem', { TableName: READINGS_ARN }, TABLE)?.checks).toEqual([{ action: 'dynamodb:GetItem', resource: READINGS_ARN }]);
  });

  it('refuses to guess PartiQL and operations it does not know, and leaves a request naming no table to dynalite', () => {
    expect(dynamoAccess('ExecuteStatement', { Statement: 'SELECT * FROM "dynamodb-readings-dev"' }, TABLE)).toEqual({
      checks: [],
      table: undefined,
      unsupported:
        "ExecuteStatement: the local pipeline does not decide PartiQL (dynamodb:PartiQLSelect, PartiQLInsert, PartiQLUpdate, PartiQLDelete on the statement's table); the local pipeline's DynamoDB (dynalite) does not run it",
    });
    expect(dynamoAccess('DescribeLimits', {}, TABLE)?.unsupported).toBe(
      "DescribeLimits: the local pipeline does not know which resources DynamoDB authorizes it on; the local pipeline's DynamoDB (dynalite) does not run it",
    );
    expect(dynamoAccess('GetItem', { Key: {} }, TABLE)).toBeUndefined();
    expect(dynamoAccess('BatchGetItem', { RequestItems: {} }, TABLE)).toBeUndefined();
    expect(dynamoAccess('GetItem', ['dynamodb-readings-dev'], TABLE)).toBeUndefined();
  });
});

describe("the functions' DynamoDB calls and the operator tools' are decided with the rendered policies", () => {
  let pipeline: LocalPipeline;
  const clients: DynamoDBClient[] = [];
  const READINGS = 'dynamodb-readings-dev';
  const STATUS = 'dynamodb-asset-status-dev';
  const bucketKey = { sensorId: { S: 'pump-00001#temperature' }, minute: { N: '29000000' } };

  /** A DynamoDB client of a table's dynalite (or the router's, without a table), signed as `credentials`. */
  function client(credentials: { accessKeyId: string; secretAccessKey: string }, table?: string): DynamoDBClient {
    const dynamo = new DynamoDBClient({ region: 'sa-east-1', endpoint: pipeline.dynamoEndpoint(table), credentials, maxAttempts: 1 });
    clients.push(dynamo);
    return dynamo;
  }

  function credentialsOf(functionName: string): { accessKeyId: string; secretAccessKey: string } {
    const spec = pipeline.manifests.functions.find((fn) => fn.name === functionName);
    if (spec === undefined) throw new Error(`no function ${functionName}`);
    return pipeline.policies.credentialsOf(spec);
  }

  /** What the SDK raised: the error's name, HTTP status and message; `allowed` when the call succeeded. */
  async function outcome(call: Promise<unknown>): Promise<unknown> {
    return call.then(
      () => 'allowed',
      (error: Error & { $metadata?: { httpStatusCode?: number } }) => ({ name: error.name, status: error.$metadata?.httpStatusCode, message: error.message }),
    );
  }

  beforeAll(async () => {
    // The storer's role loses its write to the readings table; the readings table's policy refuses every Query.
    const { manifests: edited } = devWith({
      'processing.k8s.yaml': withoutAction('iam-storer-dev', 'dynamodb:PutItem'),
      'storage.k8s.yaml': (object) => {
        if (object.kind !== 'Table' || object.spec.tableName !== READINGS) return;
        const policy = JSON.parse(String(object.spec.resourcePolicy)) as { Statement: unknown[] };
        policy.Statement.push({ Sid: 'DenyQueries', Effect: 'Deny', Principal: '*', Action: 'dynamodb:Query', Resource: `${TABLE}${READINGS}` });
        object.spec.resourcePolicy = JSON.stringify(policy);
      },
      // The operator may list the tables (an action with no resource type: Resource "*").
      'query.k8s.yaml': (object) => {
        if (object.kind !== 'Policy' || object.spec.name !== 'iam-query-operator-dev') return;
        const policy = JSON.parse(String(object.spec.policyDocument)) as { Statement: unknown[] };
        policy.Statement.push({ Sid: 'ListTables', Effect: 'Allow', Action: 'dynamodb:ListTables', Resource: '*' });
        object.spec.policyDocument = JSON.stringify(policy);
      },
    });
    pipeline = new LocalPipeline({ manifests: edited, repositoryRoot: REPOSITORY, certsDirectory: join(scratch, 'certs'), logDirectory: join(scratch, 'logs'), port: 0 });
    await pipeline.start();
  }, 60_000);

  afterAll(async () => {
    for (const dynamo of clients) dynamo.destroy();
    await pipeline.stop();
  });

  it("refuses the storer's PutItem once its role lost dynamodb:PutItem, with DynamoDB's AccessDeniedException, and still serves its GetItem", async () => {
    const storer = client(credentialsOf('lambda-storer-dev'), READINGS);
    expect(await outcome(storer.send(new PutItemCommand({ TableName: READINGS, Item: { ...bucketKey, readings: { B: new Uint8Array([1]) } } })))).toEqual({
      name: 'AccessDeniedException',
      status: 400,
      message: `User: arn:aws:sts::111122223333:assumed-role/iam-storer-dev/lambda-storer-dev is not authorized to perform: dynamodb:PutItem on resource: ${TABLE}${READINGS} because no identity-based or resource-based policy allows the action`,
    });
    expect(await outcome(storer.send(new GetItemCommand({ TableName: READINGS, Key: bucketKey, ConsistentRead: true })))).toBe('allowed');
    // Refused before dynalite: nothing was written.
    const harness = client(LOCAL_CREDENTIALS, READINGS);
    expect((await harness.send(new GetItemCommand({ TableName: READINGS, Key: bucketKey }))).Item).toBeUndefined();
  });

  it("allows the processor's status write, and refuses it the tables its role does not name", async () => {
    const processor = client(credentialsOf('lambda-processor-dev'), STATUS);
    const update = { TableName: STATUS, Key: { assetId: { S: 'pump-00001' } }, UpdateExpression: 'SET #s = :s', ExpressionAttributeNames: { '#s': 'state' }, ExpressionAttributeValues: { ':s': { S: 'OK' } } };
    expect(await outcome(processor.send(new UpdateItemCommand(update)))).toBe('allowed');
    expect(await outcome(processor.send(new GetItemCommand({ TableName: STATUS, Key: { assetId: { S: 'pump-00001' } } })))).toEqual({
      name: 'AccessDeniedException',
      status: 400,
      message: `User: arn:aws:sts::111122223333:assumed-role/iam-processor-dev/lambda-processor-dev is not authorized to perform: dynamodb:GetItem on resource: ${TABLE}${STATUS} because no identity-based or resource-based policy allows the action`,
    });
  });

  it('refuses a key no identity has, as DynamoDB refuses an unknown access key', async () => {
    const stranger = client({ accessKeyId: 'ASIAUNKNOWNKEY000000', secretAccessKey: 'x' }, STATUS);
    expect(await outcome(stranger.send(new GetItemCommand({ TableName: STATUS, Key: { assetId: { S: 'pump-00001' } } })))).toEqual({
      name: 'UnrecognizedClientException',
      status: 400,
      message: 'The security token included in the request is invalid (access key ASIAUNKNOWNKEY000000)',
    });
  });

  it('decides the operator tools (the router, harness key) as the query operator policy, with the tables\' resource policies', async () => {
    const operator = client(LOCAL_CREDENTIALS);
    expect(await outcome(operator.send(new GetItemCommand({ TableName: STATUS, Key: { assetId: { S: 'pump-00001' } } })))).toBe('allowed');
    expect(
      await outcome(operator.send(new QueryCommand({ TableName: STATUS, IndexName: 'byLine', KeyConditionExpression: 'lineKey = :l', ExpressionAttributeValues: { ':l': { S: 'line-a' } } }))),
    ).toBe('allowed');
    expect(await outcome(operator.send(new PutItemCommand({ TableName: STATUS, Item: { assetId: { S: 'pump-00001' } } })))).toEqual({
      name: 'AccessDeniedException',
      status: 400,
      message: `User: arn:aws:sts::111122223333:assumed-role/operator-iam-query-operator-dev/local-operator is not authorized to perform: dynamodb:PutItem on resource: ${TABLE}${STATUS} because no identity-based or resource-based policy allows the action`,
    });
    expect(
      await outcome(operator.send(new QueryCommand({ TableName: READINGS, KeyConditionExpression: 'sensorId = :s', ExpressionAttributeValues: { ':s': { S: 'pump-00001#temperature' } } }))),
    ).toEqual({
      name: 'AccessDeniedException',
      status: 400,
      message: `User: arn:aws:sts::111122223333:assumed-role/operator-iam-query-operator-dev/local-operator is not authorized to perform: dynamodb:Query on resource: ${TABLE}${READINGS} with an explicit deny`,
    });
  });
  it("decides a function's transaction as each item's action on its table, and says why an allowed one is not run", async () => {
    const processor = client(credentialsOf('lambda-processor-dev'), STATUS);
    const update = { TableName: STATUS, Key: { assetId: { S: 'pump-00002' } }, UpdateExpression: 'SET #s = :s', ExpressionAttributeNames: { '#s': 'state' }, ExpressionAttributeValues: { ':s': { S: 'OK' } } };
    expect(await outcome(processor.send(new TransactWriteItemsCommand({ TransactItems: [{ Update: update }, { Put: { TableName: STATUS, Item: { assetId: { S: 'pump-00003' } } } }] })))).toEqual({
      name: 'AccessDeniedException',
      status: 400,
      message: `User: arn:aws:sts::111122223333:assumed-role/iam-processor-dev/lambda-processor-dev is not authorized to perform: dynamodb:PutItem on resource: ${TABLE}${STATUS} because no identity-based or resource-based policy allows the action`,
    });
    expect(await outcome(processor.send(new TransactWriteItemsCommand({ TransactItems: [{ Update: update }] })))).toEqual({
      name: 'UnknownOperationException',
      status: 400,
      message: "TransactWriteItems: decided as each item's action on its table; the local pipeline's DynamoDB (dynalite) does not run it",
    });
    expect(await outcome(processor.send(new ListTablesCommand({})))).toEqual({
      name: 'AccessDeniedException',
      status: 400,
      message: 'User: arn:aws:sts::111122223333:assumed-role/iam-processor-dev/lambda-processor-dev is not authorized to perform: dynamodb:ListTables on resource: * because no identity-based or resource-based policy allows the action',
    });
  });

  it('decides the operator tools\' ListTables on * and transactions per item, and refuses PartiQL as not decided', async () => {
    const operator = client(LOCAL_CREDENTIALS);
    expect(await outcome(operator.send(new ListTablesCommand({})))).toBe('allowed');
    expect(await outcome(operator.send(new TransactGetItemsCommand({ TransactItems: [{ Get: { TableName: READINGS, Key: bucketKey } }, { Get: { TableName: 'dynamodb-detector-state-dev', Key: { assetId: { S: 'pump-00001' } } } }] })))).toEqual({
      name: 'AccessDeniedException',
      status: 400,
      message: `User: arn:aws:sts::111122223333:assumed-role/operator-iam-query-operator-dev/local-operator is not authorized to perform: dynamodb:GetItem on resource: ${TABLE}dynamodb-detector-state-dev because no identity-based or resource-based policy allows the action`,
    });
    expect(await outcome(operator.send(new TransactGetItemsCommand({ TransactItems: [{ Get: { TableName: READINGS, Key: bucketKey } }] })))).toEqual({
      name: 'UnknownOperationException',
      status: 400,
      message: "TransactGetItems: decided as each item's action on its table; the local pipeline's DynamoDB (dynalite) does not run it",
    });
    expect(await outcome(operator.send(new ExecuteStatementCommand({ Statement: `SELECT * FROM "${READINGS}"` })))).toEqual({
      name: 'UnknownOperationException',
      status: 400,
      message:
        "ExecuteStatement: the local pipeline does not decide PartiQL (dynamodb:PartiQLSelect, PartiQLInsert, PartiQLUpdate, PartiQLDelete on the statement's table); the local pipeline's DynamoDB (dynalite) does not run it",
    });
  });

  it('forwards a chunked request of the operator tools as one body dynalite reads', async () => {
    const body = JSON.stringify({ TableName: STATUS, Key: { assetId: { S: 'pump-09999' } } });
    const answer = await new Promise<{ status: number | undefined; text: string }>((done, fail) => {
      const upstream = request(
        pipeline.dynamoEndpoint(),
        {
          method: 'POST',
          headers: {
            'content-type': 'application/x-amz-json-1.0',
            'x-amz-target': 'DynamoDB_20120810.GetItem',
            'x-amz-date': '20261204T000000Z',
            'transfer-encoding': 'chunked',
            authorization: `AWS4-HMAC-SHA256 Credential=${LOCAL_CREDENTIALS.accessKeyId}/20261204/sa-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0`,
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => done({ status: response.statusCode, text: Buffer.concat(chunks).toString('utf8') }));
        },
      );
      upstream.on('error', fail);
      upstream.write(body.slice(0, 10));
      upstream.end(body.slice(10));
    });
    expect(answer.status).toBe(200);
    // dynalite's answer for a key with no item: it read the whole body.
    expect(JSON.parse(answer.text)).toEqual({});
  });
});
