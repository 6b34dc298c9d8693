import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { GetShardIteratorCommand, KinesisClient, PutRecordCommand } from '@aws-sdk/client-kinesis';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { ENV, QUARANTINE_PREFIX } from '../../functions/shared/constants';
import { isTransientError } from '../../functions/shared/isTransientError';
import { createTables, REGION, setAwsTestEnvironment, startDynalite, startKinesalite, testDynamoClient, TestStream, type Emulator } from '../helpers/emulators';
import type { KinesisHandler } from '../helpers/eventSourceMapping';
import { FakeAwsServer } from '../helpers/FakeAwsServer';
import { FakeLambdaServer } from '../helpers/fakeLambdaServer';
import { FakeSqsServer } from '../helpers/fakeSqsServer';
import { FaultProxy } from '../helpers/FaultProxy';
import { PolicyEnforcer, type TestIdentity } from '../helpers/policy/PolicyEnforcer';
import { assetSecond, lambdaContext } from '../helpers/records';

/**
 * The fakes refuse what the rendered policies refuse, with each service's error, so the real SDK raises
 * the error AWS would and the real code meets it: here the storer runs with the processor's role.
 */
const enforcer = new PolicyEnforcer('dev');
const { names } = enforcer.policies;
const BASE = Math.floor(Date.now() / 60_000) * 60_000 - 5 * 60_000;

let dynalite: Emulator;
let kinesalite: Emulator;
const dynamoProxy = new FaultProxy();
const kinesisProxy = new FaultProxy();
const fake = new FakeAwsServer();
const sqs = new FakeSqsServer();
const lambda = new FakeLambdaServer();
let storer: KinesisHandler;

beforeAll(async () => {
  dynalite = await startDynalite();
  kinesalite = await startKinesalite();
  await dynamoProxy.startInFrontOf(dynalite.endpoint);
  await kinesisProxy.startInFrontOf(kinesalite.endpoint);
  for (const server of [fake, sqs, lambda]) await server.start();
  dynamoProxy.enforce(enforcer);
  kinesisProxy.enforce(enforcer, 'kinesis');
  for (const server of [fake, sqs, lambda]) server.enforce(enforcer);
  // The storer's configuration, signed with the processor's identity.
  setAwsTestEnvironment({ dynamodb: dynamoProxy.endpoint, s3: fake.endpoint }, enforcer.credentials('processor'));
  process.env[ENV.readingsTable] = names.readingsTable;
  process.env[ENV.archiveBucket] = names.archiveBucket;
  process.env[ENV.hotRetentionDays] = '30';
  process.env[ENV.powertoolsServiceName] = 'storer';
  const dynamo = testDynamoClient(dynalite.endpoint);
  await createTables(dynamo, { readings: names.readingsTable });
  dynamo.destroy();
  ({ handler: storer } = await import('../../functions/storer'));
});

afterAll(async () => {
  for (const server of [lambda, sqs, fake, kinesisProxy, dynamoProxy]) await server.stop();
  await dynalite.stop();
  await kinesalite.stop();
});

const client = <T>(make: (config: { region: string; endpoint: string; credentials: { accessKeyId: string; secretAccessKey: string }; maxAttempts: number; requestHandler: NodeHttpHandler }) => T, endpoint: string, identity: TestIdentity | 'stranger'): T =>
  make({
    region: REGION,
    endpoint,
    credentials: identity === 'stranger' ? { accessKeyId: 'AKIASTRANGER00000000', secretAccessKey: 'secret' } : enforcer.credentials(identity),
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler(),
  });

/** The error a call raised: its SDK name, HTTP status, and how the functions classify it. */
async function failureOf(call: () => Promise<unknown>): Promise<{ name: string; status: number | undefined; transient: boolean }> {
  try {
    await call();
  } catch (error) {
    const e = error as Error & { $metadata?: { httpStatusCode?: number } };
    return { name: e.name, status: e.$metadata?.httpStatusCode, transient: isTransientError(error) };
  }
  throw new Error('the call was allowed');
}

describe('enforcing fakes', () => {
  it('the storer running with the processor\'s role is refused the readings table and the quarantine, reports every record and retries nothing in process', async () => {
    const stream = new TestStream(kinesalite.endpoint, 'kinesis-enforcement-test');
    await stream.create();
    await stream.put([assetSecond('en-a', BASE + 1_000, { temperature: 70 }), '{not json', assetSecond('en-a', BASE + 2_000, { temperature: 71 })]);
    const records = await stream.read();

    const response = await storer(stream.toEvent(records), lambdaContext());

    // The quarantine write (first record in shard order: the invalid one) and the bucket write are refused:
    // permanent, so reported for the mapping to retry and dead-letter, and not retried in the function.
    expect(response.batchItemFailures.map((failure) => failure.itemIdentifier)).toEqual(records.map((record) => record.SequenceNumber));
    const processorRole = names.roleArn(names.processorRole);
    const denied = enforcer.calls.filter((call) => call.result !== 'Allowed');
    expect(denied.map((call) => `${call.principal} ${call.action}`).sort()).toEqual([`${processorRole} dynamodb:PutItem`, `${processorRole} s3:PutObject`]);
    expect(denied.find((call) => call.action === 'dynamodb:PutItem')?.resource).toBe(names.tableArn(names.readingsTable));
    expect(denied.find((call) => call.action === 's3:PutObject')?.resource).toBe(
      `${names.archiveBucketArn}/${QUARANTINE_PREFIX}storer/${new Date(records[1]?.ApproximateArrivalTimestamp ?? 0).toISOString().slice(0, 13).replace(/-|T/g, '/')}/shardId-000000000000/${records[1]?.SequenceNumber}.json`,
    );
    expect(dynamoProxy.count('PutItem')).toBe(1);
    expect(fake.puts).toEqual([]);
  });

  it('each service answers a refusal with its own AccessDenied error, which the functions classify as permanent', async () => {
    const dynamo = client((config) => new DynamoDBClient(config), dynamoProxy.endpoint, 'processor');
    const s3 = client((config) => new S3Client({ ...config, forcePathStyle: true }), fake.endpoint, 'storer');
    const sns = client((config) => new SNSClient(config), fake.endpoint, 'storer');
    const queue = client((config) => new SQSClient(config), sqs.endpoint, 'processor');
    const invoke = client((config) => new LambdaClient(config), lambda.endpoint, 'storer');
    const kinesis = client((config) => new KinesisClient(config), kinesisProxy.endpoint, 'redrive');

    const denied = await Promise.all([
      failureOf(() => dynamo.send(new PutItemCommand({ TableName: names.readingsTable, Item: { sensorId: { S: 'x' }, minute: { N: '0' } } }))),
      failureOf(() => s3.send(new PutObjectCommand({ Bucket: names.archiveBucket, Key: `${QUARANTINE_PREFIX}processor/x.json`, Body: '{}' }))),
      failureOf(() => sns.send(new PublishCommand({ TopicArn: names.alertTopicArn, Message: 'x' }))),
      failureOf(() => queue.send(new ReceiveMessageCommand({ QueueUrl: names.deadLetterQueueUrl }))),
      failureOf(() => invoke.send(new InvokeCommand({ FunctionName: names.functionArn(names.processorFunction), Payload: Buffer.from('{}') }))),
      failureOf(() => kinesis.send(new PutRecordCommand({ StreamName: names.stream, PartitionKey: 'x', Data: Buffer.from('{}') }))),
    ]);
    expect(denied).toEqual([
      { name: 'AccessDeniedException', status: 400, transient: false },
      { name: 'AccessDenied', status: 403, transient: false },
      { name: 'AuthorizationErrorException', status: 403, transient: false },
      { name: 'AccessDenied', status: 403, transient: false },
      { name: 'AccessDeniedException', status: 403, transient: false },
      { name: 'AccessDeniedException', status: 400, transient: false },
    ]);

    // A key that names no identity is an invalid token, as AWS answers it.
    const stranger = client((config) => new KinesisClient(config), kinesisProxy.endpoint, 'stranger');
    expect(await failureOf(() => stranger.send(new GetShardIteratorCommand({ StreamName: names.stream, ShardId: 'shardId-000000000000', ShardIteratorType: 'TRIM_HORIZON' })))).toEqual({
      name: 'UnrecognizedClientException',
      status: 400,
      transient: false,
    });
    for (const sdk of [dynamo, s3, sns, queue, invoke, kinesis, stranger]) sdk.destroy();
  });

  it('a put asking for AES256, for aws:kms without the platform key, or with a customer key is refused by the bucket policy even to the identity allowed to write there', async () => {
    const s3 = client((config) => new S3Client({ ...config, forcePathStyle: true }), fake.endpoint, 'processor');
    const key = `${QUARANTINE_PREFIX}processor/aes.json`;
    const accessDenied = { name: 'AccessDenied', status: 403, transient: false };
    expect(await failureOf(() => s3.send(new PutObjectCommand({ Bucket: names.archiveBucket, Key: key, Body: '{}', ServerSideEncryption: 'AES256' })))).toEqual(accessDenied);
    // aws:kms without a key id would be encrypted with the AWS-managed key aws/s3.
    expect(await failureOf(() => s3.send(new PutObjectCommand({ Bucket: names.archiveBucket, Key: key, Body: '{}', ServerSideEncryption: 'aws:kms' })))).toEqual(accessDenied);
    const customerKey = Buffer.alloc(32, 7).toString('base64');
    expect(await failureOf(() => s3.send(new PutObjectCommand({ Bucket: names.archiveBucket, Key: key, Body: '{}', SSECustomerAlgorithm: 'AES256', SSECustomerKey: customerKey })))).toEqual(accessDenied);
    expect(fake.objects.has(`${names.archiveBucket}/${key}`)).toBe(false);
    await s3.send(new PutObjectCommand({ Bucket: names.archiveBucket, Key: key, Body: '{}', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: names.kmsAliasArn }));
    expect(fake.objects.has(`${names.archiveBucket}/${key}`)).toBe(true);
    s3.destroy();
  });
});
