import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LocalHttpServer } from './LocalHttpServer';

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

/**
 * Speaks just enough of S3 PutObject (path style) and SNS Publish (query protocol) for the real
 * SDK v3 clients, and records what they send. Faults can be queued to test retries and breakers.
 */
export class FakeAwsServer extends LocalHttpServer {
  readonly objects = new Map<string, StoredObject>();
  readonly puts: StoredObject[] = [];
  readonly published: PublishedMessage[] = [];
  readonly faultsInjected: FakeFault[] = [];
  #faults: Array<{ fault: FakeFault; remaining: number }> = [];

  inject(fault: FakeFault, count = Infinity): void {
    this.#faults.push({ fault, remaining: count });
  }

  clear(): void {
    this.#faults = [];
  }

  /** Parsed JSON bodies of the stored objects under a prefix. */
  objectsUnder<T = Record<string, unknown>>(prefix: string): Array<{ key: string; body: T }> {
    return [...this.objects.values()]
      .filter((o) => o.key.startsWith(prefix))
      .map((o) => ({ key: o.key, body: JSON.parse(o.body) as T }));
  }

  protected handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const isSns = req.method === 'POST' && (req.url === '/' || req.url === '');
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
      if (isSns) this.#publish(raw, res);
      else if (req.method === 'PUT') this.#putObject(req, raw, res);
      else {
        res.writeHead(405);
        res.end();
      }
    });
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
    const url = new URL(req.url ?? '/', 'http://localhost');
    const [, bucket = '', ...keyParts] = url.pathname.split('/');
    const key = keyParts.map((part) => decodeURIComponent(part)).join('/');
    const encoded = String(req.headers['content-encoding'] ?? '').includes('aws-chunked');
    const body = (encoded ? decodeAwsChunked(raw) : raw).toString('utf8');
    const object: StoredObject = { bucket, key, body, contentType: req.headers['content-type'] };
    this.objects.set(`${bucket}/${key}`, object);
    this.puts.push(object);
    res.writeHead(200, { etag: `"${randomUUID()}"` });
    res.end();
  }

  #publish(raw: Buffer, res: ServerResponse): void {
    const form = new URLSearchParams(raw.toString('utf8'));
    const attributes: Record<string, string> = {};
    for (let i = 1; form.has(`MessageAttributes.entry.${i}.Name`); i += 1) {
      attributes[form.get(`MessageAttributes.entry.${i}.Name`) ?? ''] = form.get(`MessageAttributes.entry.${i}.Value.StringValue`) ?? '';
    }
    this.published.push({
      topicArn: form.get('TopicArn') ?? '',
      subject: form.get('Subject') ?? undefined,
      message: form.get('Message') ?? '',
      messageStructure: form.get('MessageStructure') ?? undefined,
      attributes,
      messageGroupId: form.get('MessageGroupId') ?? undefined,
      messageDeduplicationId: form.get('MessageDeduplicationId') ?? undefined,
    });
    const messageId = randomUUID();
    res.writeHead(200, { 'content-type': 'text/xml' });
    res.end(
      `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>${messageId}</MessageId></PublishResult>` +
        `<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></PublishResponse>`,
    );
  }
}
