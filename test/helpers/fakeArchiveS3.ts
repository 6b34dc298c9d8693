import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestAuthorizer } from '../../scripts/lib/local/RequestAuthorizer';
import { FakeAwsServer } from './FakeAwsServer';

const escapeXml = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * The tests' S3 with the reads the IoT quarantine replay makes: ListObjectsV2 (path style, `list-type=2`,
 * paged by `pageSize` keys) and GetObject, each authorized as AWS does (s3:ListBucket on the bucket with
 * the `s3:prefix` context; s3:GetObject on the object). Objects carry a LastModified kept in whole
 * seconds, as S3 reports it. Writes are FakeAwsServer's.
 */
export class FakeArchiveS3 extends FakeAwsServer {
  /** Keys a ListObjectsV2 page holds at most (S3: 1,000). */
  pageSize = 1_000;
  readonly listCalls: string[] = [];
  readonly getCalls: string[] = [];
  readonly #lastModified = new Map<string, number>();
  #authorizer: RequestAuthorizer | undefined;
  /** Keys whose GetObject answers 500 InternalError (every attempt of the SDK's retries). */
  readonly #failingReads = new Set<string>();

  override enforce(enforcer: RequestAuthorizer): void {
    super.enforce(enforcer);
    this.#authorizer = enforcer;
  }

  /** Stores an object written at `writtenAtMs` (S3 keeps the second). */
  putWrittenAt(bucket: string, key: string, body: string, writtenAtMs: number): void {
    this.putObject(bucket, key, body);
    this.#lastModified.set(`${bucket}/${key}`, Math.floor(writtenAtMs / 1000) * 1000);
  }

  lastModified(bucket: string, key: string): number {
    return this.#lastModified.get(`${bucket}/${key}`) ?? 0;
  }

  failReads(key: string): void {
    this.#failingReads.add(key);
  }

  protected override handle(req: IncomingMessage, res: ServerResponse): void {
    if (req.method !== 'GET') {
      super.handle(req, res);
      return;
    }
    req.resume();
    req.on('end', () => {
      void this.#read(req, res);
    });
  }

  async #read(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const [, bucket = '', ...keyParts] = url.pathname.split('/');
    const key = keyParts.map((part) => decodeURIComponent(part)).join('/');
    const listing = key === '' && url.searchParams.get('list-type') === '2';
    const prefix = url.searchParams.get('prefix') ?? '';
    if (this.#authorizer) {
      const authorization = await this.#authorizer.authorize({
        authorization: req.headers.authorization,
        action: listing ? 's3:ListBucket' : 's3:GetObject',
        resources: [listing ? `arn:aws:s3:::${bucket}` : `arn:aws:s3:::${bucket}/${key}`],
        // S3 gives the policy the request's prefix only when it has one.
        context: listing && url.searchParams.has('prefix') ? { 's3:prefix': prefix } : {},
      });
      if (authorization.outcome !== 'allowed') {
        res.writeHead(403, { 'content-type': 'application/xml' });
        res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>${escapeXml(authorization.message)}</Message><RequestId>${randomUUID()}</RequestId></Error>`);
        return;
      }
    }
    if (listing) this.#list(res, bucket, prefix, url.searchParams.get('continuation-token'));
    else this.#get(res, bucket, key);
  }

  #list(res: ServerResponse, bucket: string, prefix: string, token: string | null): void {
    this.listCalls.push(prefix);
    // S3 lists in UTF-8 binary order; the continuation token here is the last key of the previous page.
    const keys = [...this.objects.values()]
      .filter((object) => object.bucket === bucket && object.key.startsWith(prefix) && (token === null || object.key > token))
      .map((object) => object.key)
      .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    const page = keys.slice(0, this.pageSize);
    const truncated = keys.length > page.length;
    const contents = page
      .map((key) => {
        const object = this.objects.get(`${bucket}/${key}`);
        const modified = new Date(this.#lastModified.get(`${bucket}/${key}`) ?? 0).toISOString();
        return `<Contents><Key>${escapeXml(key)}</Key><LastModified>${modified}</LastModified><ETag>"etag"</ETag><Size>${Buffer.byteLength(object?.body ?? '')}</Size><StorageClass>STANDARD</StorageClass></Contents>`;
      })
      .join('');
    res.writeHead(200, { 'content-type': 'application/xml' });
    res.end(
      `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${escapeXml(bucket)}</Name><Prefix>${escapeXml(prefix)}</Prefix>` +
        `<KeyCount>${page.length}</KeyCount><MaxKeys>${this.pageSize}</MaxKeys><IsTruncated>${truncated}</IsTruncated>${contents}` +
        (truncated ? `<NextContinuationToken>${escapeXml(page[page.length - 1] ?? '')}</NextContinuationToken>` : '') +
        '</ListBucketResult>',
    );
  }

  #get(res: ServerResponse, bucket: string, key: string): void {
    this.getCalls.push(key);
    if (this.#failingReads.has(key)) {
      res.writeHead(500, { 'content-type': 'application/xml' });
      res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>InternalError</Code><Message>injected</Message><RequestId>${randomUUID()}</RequestId></Error>`);
      return;
    }
    const object = this.objects.get(`${bucket}/${key}`);
    if (object === undefined) {
      res.writeHead(404, { 'content-type': 'application/xml' });
      res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>${escapeXml(key)}</Key></Error>`);
      return;
    }
    res.writeHead(200, {
      'content-type': object.contentType ?? 'application/octet-stream',
      'content-length': String(Buffer.byteLength(object.body)),
      'last-modified': new Date(this.#lastModified.get(`${bucket}/${key}`) ?? 0).toUTCString(),
      etag: '"etag"',
    });
    res.end(object.body);
  }
}
