import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LocalHttpServer } from './LocalHttpServer';
import { SNS_LIMITS } from '../../../functions/shared/constants';
import type { Authorization, RequestAuthorizer } from './RequestAuthorizer';

export interface StoredObject {
  readonly bucket: string;
  readonly key: string;
  readonly body: string;
  readonly contentType: string | undefined;
}

export interface PublishedMessage {
  readonly topicArn: string;
  readonly subject: string | undefined;
  readonly message: string;
  readonly messageStructure: string | undefined;
  readonly attributes: Record<string, string>;
  readonly messageGroupId: string | undefined;
  readonly messageDeduplicationId: string | undefined;
}

export type FakeFault = 'throttle' | 'server-error' | 'reset';

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Decodes an `aws-chunked` body (the SDK may stream S3 bodies with trailing checksums). */
function decodeAwsChunked(raw: Buffer): Buffer {
  const parts: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const lineEnd = raw.indexOf('\r\n', offset);
    if (lineEnd < 0) break;
    const size = parseInt(raw.subarray(offset, lineEnd).toString('latin1').split(';')[0] ?? '0', 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(raw.subarray(lineEnd + 2, lineEnd + 2 + size));
    offset = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

/** What the fake holds, as the manifests declare it; without a list, any name is taken to exist. */
export interface FakeAwsOptions {
  readonly buckets?: Iterable<string>;
  readonly topicArns?: Iterable<string>;
}

/** S3 keys are at most 1,024 bytes of UTF-8. */
const MAX_KEY_BYTES = 1024;

/**
 * SNS's message for a publish its API reference refuses (sizes: SNS_LIMITS); `undefined` when it is accepted.
 * The subject is held to the older, stricter rule (printable ASCII that does not start with a space) that earlier
 * references stated and Amazon Managed Prometheus still applies to SNS subjects: the current reference allows
 * UTF-8, and a subject accepted here is accepted under either.
 */
function publishRefusal(form: URLSearchParams, attributeBytes: number): string | undefined {
  const subject = form.get('Subject');
  if (subject !== null && (subject.length > SNS_LIMITS.maxSubjectLength || !/^[\x21-\x7e][\x20-\x7e]*$/.test(subject))) return 'Invalid parameter: Subject';
  const message = form.get('Message') ?? '';
  if (Buffer.byteLength(message) + attributeBytes > SNS_LIMITS.maxMessageBytes) return 'Invalid parameter: Message too long';
  if (form.get('MessageStructure') !== 'json') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    return 'Invalid parameter: Message Structure - JSON message body failed to parse';
  }
  const hasDefault = typeof parsed === 'object' && parsed !== null && typeof (parsed as { default?: unknown }).default === 'string';
  return hasDefault ? undefined : 'Invalid parameter: Message Structure - No default entry in JSON message body';
}

/**
 * Speaks just enough of S3 PutObject (path style) and SNS Publish (query protocol) for the real
 * SDK v3 clients, and records what they send. Faults can be queued to test retries and breakers.
 * A request AWS would refuse (a bucket or topic that does not exist, a key too long, a publish that breaks
 * SNS's rules) gets AWS's error, so the SDK raises the error a function meets in AWS.
 */
export class FakeAwsServer extends LocalHttpServer {
  readonly objects = new Map<string, StoredObject>();
  readonly puts: StoredObject[] = [];
  readonly published: PublishedMessage[] = [];
  readonly faultsInjected: FakeFault[] = [];
  /** Called as each message is published and each object stored (the local pipeline's live output). */
  onPublish: ((message: PublishedMessage) => void) | undefined;
  onPut: ((object: StoredObject) => void) | undefined;
  #faults: Array<{ fault: FakeFault; remaining: number }> = [];
  #enforcer: RequestAuthorizer | undefined;
  readonly #buckets: ReadonlySet<string> | undefined;
  readonly #topicArns: ReadonlySet<string> | undefined;

  constructor(options: FakeAwsOptions = {}) {
    super();
    this.#buckets = options.buckets === undefined ? undefined : new Set(options.buckets);
    this.#topicArns = options.topicArns === undefined ? undefined : new Set(options.topicArns);
  }

  /** From now on every request is authorized against the rendered policies; a denied one gets AWS's error. */
  enforce(enforcer: RequestAuthorizer): void {
    this.#enforcer = enforcer;
  }

  inject(fault: FakeFault, count = Infinity): void {
    this.#faults.push({ fault, remaining: count });
  }

  clear(): void {
    this.#faults = [];
  }

  /** Stores an object as a PutObject would (the local rule engine's error action writes this way, in process). */
  putObject(bucket: string, key: string, body: string, contentType = 'application/json'): void {
    const object: StoredObject = { bucket, key, body, contentType };
    this.objects.set(`${bucket}/${key}`, object);
    this.puts.push(object);
    this.onPut?.(object);
  }

  /** Parsed JSON bodies of the stored objects under a prefix. */
  objectsUnder<T = Record<string, unknown>>(prefix: string): Array<{ key: string; body: T }> {
    return [...this.objects.values()]
      .filter((o) => o.key.startsWith(prefix))
      .map((o) => ({ key: o.key, body: JSON.parse(o.body) as T }));
  }

  protected handle(req: IncomingMessage, res: ServerResponse): void {
    this.withBody(req, (body) => void this.#serve(req, res, body));
  }

  async #serve(req: IncomingMessage, res: ServerResponse, raw: Buffer): Promise<void> {
    const isSns = req.method === 'POST' && (req.url === '/' || req.url === '');
    // Faults are taken in arrival order, before the (asynchronous) authorization, as without enforcement.
    const fault = this.#faults.find((f) => f.remaining > 0);
    if (fault) {
      fault.remaining -= 1;
      this.faultsInjected.push(fault.fault);
      if (fault.fault === 'reset') {
        req.socket.destroy();
        return;
      }
      this.#error(res, isSns, fault.fault);
      return;
    }
    if (this.#enforcer) {
      const authorization = await this.#authorize(this.#enforcer, req, raw, isSns);
      if (authorization.outcome !== 'allowed') {
        this.#refuse(res, isSns, authorization);
        return;
      }
    }
    if (isSns) this.#publish(raw, res);
    else if (req.method === 'PUT') this.#putObject(req, raw, res);
    else {
      res.writeHead(405);
      res.end();
    }
  }

  /** What AWS authorizes: sns:Publish on the TopicArn; s3:PutObject on the object, with the encryption headers as context. */
  #authorize(enforcer: RequestAuthorizer, req: IncomingMessage, raw: Buffer, isSns: boolean): Promise<Authorization> {
    const authorization = req.headers.authorization;
    if (isSns) {
      const form = new URLSearchParams(raw.toString('utf8'));
      return enforcer.authorize({ authorization, action: `sns:${form.get('Action') ?? ''}`, resources: [form.get('TopicArn') ?? ''] });
    }
    const { bucket, key } = this.#objectOf(req);
    const context: Record<string, string> = {};
    for (const header of ['x-amz-server-side-encryption', 'x-amz-server-side-encryption-aws-kms-key-id', 'x-amz-server-side-encryption-customer-algorithm']) {
      const value = req.headers[header];
      if (typeof value === 'string') context[`s3:${header}`] = value;
    }
    const action = req.method === 'PUT' ? 's3:PutObject' : req.method === 'GET' ? 's3:GetObject' : `s3:${req.method ?? ''}`;
    return enforcer.authorize({ authorization, action, resources: [`arn:aws:s3:::${bucket}/${key}`], context });
  }

  /** S3 answers 403 AccessDenied (InvalidAccessKeyId for an unknown key); SNS 403 AuthorizationError (InvalidClientTokenId). */
  #refuse(res: ServerResponse, isSns: boolean, authorization: Exclude<Authorization, { outcome: 'allowed' }>): void {
    const unknown = authorization.outcome === 'unknown-key';
    if (isSns) {
      res.writeHead(403, { 'content-type': 'text/xml' });
      res.end(
        `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type><Code>${unknown ? 'InvalidClientTokenId' : 'AuthorizationError'}</Code>` +
          `<Message>${escapeXml(authorization.message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
      );
      return;
    }
    res.writeHead(403, { 'content-type': 'application/xml' });
    res.end(
      `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${unknown ? 'InvalidAccessKeyId' : 'AccessDenied'}</Code><Message>${escapeXml(authorization.message)}</Message>` +
        `<RequestId>${randomUUID()}</RequestId></Error>`,
    );
  }

  #objectOf(req: IncomingMessage): { bucket: string; key: string } {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const [, bucket = '', ...keyParts] = url.pathname.split('/');
    return { bucket, key: keyParts.map((part) => decodeURIComponent(part)).join('/') };
  }

  #error(res: ServerResponse, isSns: boolean, fault: 'throttle' | 'server-error'): void {
    const throttle = fault === 'throttle';
    if (isSns) {
      res.writeHead(throttle ? 400 : 500, { 'content-type': 'text/xml' });
      res.end(
        `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>${throttle ? 'Sender' : 'Receiver'}</Type>` +
          `<Code>${throttle ? 'Throttling' : 'InternalError'}</Code><Message>injected</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
      );
      return;
    }
    res.writeHead(throttle ? 503 : 500, { 'content-type': 'application/xml' });
    res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${throttle ? 'SlowDown' : 'InternalError'}</Code><Message>injected</Message><RequestId>${randomUUID()}</RequestId></Error>`);
  }

  #putObject(req: IncomingMessage, raw: Buffer, res: ServerResponse): void {
    const { bucket, key } = this.#objectOf(req);
    if (this.#buckets !== undefined && !this.#buckets.has(bucket)) {
      this.#s3Error(res, 404, 'NoSuchBucket', 'The specified bucket does not exist', `<BucketName>${escapeXml(bucket)}</BucketName>`);
      return;
    }
    if (Buffer.byteLength(key) > MAX_KEY_BYTES) {
      this.#s3Error(res, 400, 'KeyTooLongError', 'Your key is too long', `<Size>${Buffer.byteLength(key)}</Size><MaxSizeAllowed>${MAX_KEY_BYTES}</MaxSizeAllowed>`);
      return;
    }
    const encoded = String(req.headers['content-encoding'] ?? '').includes('aws-chunked');
    const body = (encoded ? decodeAwsChunked(raw) : raw).toString('utf8');
    const object: StoredObject = { bucket, key, body, contentType: req.headers['content-type'] };
    this.objects.set(`${bucket}/${key}`, object);
    this.puts.push(object);
    this.onPut?.(object);
    res.writeHead(200, { etag: `"${randomUUID()}"` });
    res.end();
  }

  /** S3's error document. */
  #s3Error(res: ServerResponse, status: number, code: string, message: string, detail = ''): void {
    res.writeHead(status, { 'content-type': 'application/xml' });
    res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message>${detail}<RequestId>${randomUUID()}</RequestId></Error>`);
  }

  /** SNS's error document (query protocol), which the SDK names its error after (InvalidParameter: InvalidParameterException). */
  #snsError(res: ServerResponse, status: number, code: string, message: string): void {
    res.writeHead(status, { 'content-type': 'text/xml' });
    res.end(
      `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type><Code>${code}</Code>` +
        `<Message>${escapeXml(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
    );
  }

  #publish(raw: Buffer, res: ServerResponse): void {
    const form = new URLSearchParams(raw.toString('utf8'));
    const attributes: Record<string, string> = {};
    // SNS counts an attribute's name, data type and value into the message's size (bytes, not characters).
    let attributeBytes = 0;
    for (let i = 1; form.has(`MessageAttributes.entry.${i}.Name`); i += 1) {
      const entry = `MessageAttributes.entry.${i}`;
      const name = form.get(`${entry}.Name`) ?? '';
      const value = form.get(`${entry}.Value.StringValue`) ?? '';
      attributes[name] = value;
      const binary = form.get(`${entry}.Value.BinaryValue`);
      attributeBytes += Buffer.byteLength(name) + Buffer.byteLength(form.get(`${entry}.Value.DataType`) ?? '') + Buffer.byteLength(value);
      if (binary !== null) attributeBytes += Buffer.from(binary, 'base64').length;
    }
    const refusal = publishRefusal(form, attributeBytes);
    if (refusal !== undefined) {
      this.#snsError(res, 400, 'InvalidParameter', refusal);
      return;
    }
    const subject = form.get('Subject');
    if (this.#topicArns !== undefined && !this.#topicArns.has(form.get('TopicArn') ?? '')) {
      this.#snsError(res, 404, 'NotFound', 'Topic does not exist');
      return;
    }
    const published: PublishedMessage = {
      topicArn: form.get('TopicArn') ?? '',
      subject: subject ?? undefined,
      message: form.get('Message') ?? '',
      messageStructure: form.get('MessageStructure') ?? undefined,
      attributes,
      messageGroupId: form.get('MessageGroupId') ?? undefined,
      messageDeduplicationId: form.get('MessageDeduplicationId') ?? undefined,
    };
    this.published.push(published);
    this.onPublish?.(published);
    const messageId = randomUUID();
    res.writeHead(200, { 'content-type': 'text/xml' });
    res.end(
      `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>${messageId}</MessageId></PublishResult>` +
        `<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></PublishResponse>`,
    );
  }
}
