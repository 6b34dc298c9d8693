import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PublishCommand, SNSClient, type MessageAttributeValue, type PublishCommandInput } from '@aws-sdk/client-sns';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { isTransientError } from '../../functions/shared/isTransientError';
import { FakeAwsServer } from '../../scripts/lib/local/FakeAwsServer';
import { FakeSqsServer } from '../../scripts/lib/local/FakeSqsServer';

const TOPIC = 'arn:aws:sns:sa-east-1:111122223333:alerts-dev';
const BUCKET = 'archive-dev';
const QUEUE_URL = 'https://sqs.sa-east-1.amazonaws.com/111122223333/dlq-dev';

/** The fakes as LocalPipeline declares them, and one that knows no names (the tests' callers). */
const declared = new FakeAwsServer({ buckets: [BUCKET], topicArns: [TOPIC] });
const open = new FakeAwsServer();
const queue = new FakeSqsServer();
const queueWith1sWait = new FakeSqsServer({ receiveWaitSeconds: 1 });

const config = (endpoint: string): { region: string; endpoint: string; credentials: { accessKeyId: string; secretAccessKey: string }; maxAttempts: number; requestHandler: NodeHttpHandler } => ({
  region: 'sa-east-1',
  endpoint,
  credentials: { accessKeyId: 'AKIALOCAL', secretAccessKey: 'local' },
  maxAttempts: 1,
  requestHandler: new NodeHttpHandler(),
});
let sns: SNSClient;
let s3: S3Client;
let openSns: SNSClient;
let openS3: S3Client;

beforeAll(async () => {
  for (const server of [declared, open, queue, queueWith1sWait]) await server.start();
  sns = new SNSClient(config(declared.endpoint));
  s3 = new S3Client({ ...config(declared.endpoint), forcePathStyle: true });
  openSns = new SNSClient(config(open.endpoint));
  openS3 = new S3Client({ ...config(open.endpoint), forcePathStyle: true });
});
afterAll(async () => {
  for (const client of [sns, s3, openSns, openS3]) client.destroy();
  for (const server of [declared, open, queue, queueWith1sWait]) await server.stop();
});

/** How the SDK raised a refused call: error name, message, HTTP status, and how the functions classify it. */
async function refusalOf(call: Promise<unknown>): Promise<{ name: string; message: string; status: number | undefined; transient: boolean }> {
  try {
    await call;
  } catch (error) {
    const e = error as Error & { $metadata?: { httpStatusCode?: number } };
    return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode, transient: isTransientError(error) };
  }
  throw new Error('the call was accepted');
}

const publish = (input: Partial<PublishCommandInput>, client = sns): Promise<unknown> => client.send(new PublishCommand({ TopicArn: TOPIC, Message: 'hello', ...input }));
const invalid = (message: string): { name: string; message: string; status: number; transient: boolean } => ({ name: 'InvalidParameterException', message, status: 400, transient: false });

describe("the SNS fake refuses a publish SNS refuses, with SNS's error", () => {
  it('takes a subject of printable ASCII shorter than 100 characters that starts with a letter, number or punctuation', async () => {
    for (const subject of ['Anomaly: pump-00003 on plant-1/line-1', '[dev] pump', '9 pumps', 'x'.repeat(99)]) {
      await expect(publish({ Subject: subject })).resolves.toEqual(expect.objectContaining({ MessageId: expect.any(String) }));
    }
  });

  it('refuses a subject that is not ASCII, starts with a space, is empty, has a control character or is 100 characters long', async () => {
    for (const subject of ['Anomalía: bomba', 'Alert 🚨', ' Anomaly', '', 'Anomaly\non two lines', 'tab\there', 'x'.repeat(100)]) {
      expect(await refusalOf(publish({ Subject: subject }))).toEqual(invalid('Invalid parameter: Subject'));
    }
  });

  it('refuses MessageStructure json whose message is not JSON or has no string default', async () => {
    expect(await refusalOf(publish({ MessageStructure: 'json', Message: '{"default": ' }))).toEqual(
      invalid('Invalid parameter: Message Structure - JSON message body failed to parse'),
    );
    for (const message of ['{"email": "text"}', '{"default": {"text": "x"}}', '"default"', '[]']) {
      expect(await refusalOf(publish({ MessageStructure: 'json', Message: message }))).toEqual(
        invalid('Invalid parameter: Message Structure - No default entry in JSON message body'),
      );
    }
    await expect(publish({ MessageStructure: 'json', Message: JSON.stringify({ default: '{}', email: 'text' }) })).resolves.toBeDefined();
  });

  it('refuses a message whose body and attributes (name, type and value) pass 256 KiB', async () => {
    const attributes: Record<string, MessageAttributeValue> = { episodeId: { DataType: 'String', StringValue: 'e-1' } };
    const attributeBytes = 'episodeId'.length + 'String'.length + 'e-1'.length;
    await expect(publish({ Message: 'é'.repeat((262_144 - attributeBytes) / 2), MessageAttributes: attributes })).resolves.toBeDefined();
    expect(await refusalOf(publish({ Message: `${'é'.repeat((262_144 - attributeBytes) / 2)}x`, MessageAttributes: attributes }))).toEqual(
      invalid('Invalid parameter: Message too long'),
    );
  });

  it('takes more than 10 message attributes, as SNS does (only raw delivery to an SQS subscription drops such a message)', async () => {
    const attributes = Object.fromEntries(Array.from({ length: 11 }, (_, i): [string, MessageAttributeValue] => [`a${i}`, { DataType: 'String', StringValue: 'v' }]));
    await expect(publish({ MessageAttributes: attributes })).resolves.toBeDefined();
  });

  it('refuses a topic it was not given as NotFound, and takes any topic when given none', async () => {
    expect(await refusalOf(publish({ TopicArn: `${TOPIC}-gone` }))).toEqual({ name: 'NotFoundException', message: 'Topic does not exist', status: 404, transient: false });
    await expect(publish({ TopicArn: `${TOPIC}-gone` }, openSns)).resolves.toBeDefined();
  });
});

describe("the S3 fake refuses a put S3 refuses, with S3's error", () => {
  const put = (key: string, bucket = BUCKET, client = s3): Promise<unknown> => client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: '{}' }));

  it('refuses a key over 1,024 bytes of UTF-8 as KeyTooLongError', async () => {
    await expect(put('é'.repeat(512))).resolves.toBeDefined();
    expect(declared.objects.has(`${BUCKET}/${'é'.repeat(512)}`)).toBe(true);
    expect(await refusalOf(put(`${'é'.repeat(512)}x`))).toEqual({ name: 'KeyTooLongError', message: 'Your key is too long', status: 400, transient: false });
  });

  it('refuses a bucket it was not given as NoSuchBucket, and takes any bucket when given none', async () => {
    expect(await refusalOf(put('quarantine/a.json', 'archive-gone'))).toEqual({ name: 'NoSuchBucket', message: 'The specified bucket does not exist', status: 404, transient: false });
    expect([...declared.objects.keys()].some((key) => key.startsWith('archive-gone/'))).toBe(false);
    await expect(put('quarantine/a.json', 'archive-gone', openS3)).resolves.toBeDefined();
  });
});

describe('the SQS fake', () => {
  afterEach(() => {
    queue.reset();
    queueWith1sWait.reset();
  });

  it("refuses a body over a queue's 1 MiB default maximum, as SendMessage does", () => {
    expect(() => queue.send('x'.repeat(1_048_576))).not.toThrow();
    let refused: unknown;
    try {
      queue.send('x'.repeat(1_048_577));
    } catch (error) {
      refused = error;
    }
    expect(refused).toMatchObject({ name: 'InvalidParameterValue', message: 'One or more parameters are invalid. Reason: Message must be shorter than 1048576 bytes.' });
    expect(queue.messages).toHaveLength(1);
  });

  it('answers a long poll as soon as a message arrives, and a short poll at once', async () => {
    const client = new SQSClient(config(queue.endpoint));
    try {
      const started = Date.now();
      setTimeout(() => queue.send('late'), 300);
      const output = await client.send(new ReceiveMessageCommand({ QueueUrl: QUEUE_URL, WaitTimeSeconds: 5 }));
      expect(output.Messages?.map((message) => message.Body)).toEqual(['late']);
      expect(Date.now() - started).toBeGreaterThanOrEqual(300);
      expect(Date.now() - started).toBeLessThan(2_000);

      const shortPoll = Date.now();
      expect((await client.send(new ReceiveMessageCommand({ QueueUrl: QUEUE_URL }))).Messages ?? []).toEqual([]);
      expect(Date.now() - shortPoll).toBeLessThan(500);
    } finally {
      client.destroy();
    }
  });

  it("waits the queue's ReceiveMessageWaitTimeSeconds when a receive names no wait, and none when it names 0", async () => {
    const client = new SQSClient(config(queueWith1sWait.endpoint));
    try {
      const started = Date.now();
      expect((await client.send(new ReceiveMessageCommand({ QueueUrl: QUEUE_URL }))).Messages ?? []).toEqual([]);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);

      const shortPoll = Date.now();
      expect((await client.send(new ReceiveMessageCommand({ QueueUrl: QUEUE_URL, WaitTimeSeconds: 0 }))).Messages ?? []).toEqual([]);
      expect(Date.now() - shortPoll).toBeLessThan(500);
    } finally {
      client.destroy();
    }
  });
});
