import { request, type IncomingMessage, type ServerResponse } from 'node:http';
import { LocalHttpServer } from './LocalHttpServer';

interface PutRecordsEntryResult {
  readonly SequenceNumber?: string;
  readonly ShardId?: string;
  readonly ErrorCode?: string;
  readonly ErrorMessage?: string;
}

/**
 * A proxy in front of kinesalite that throttles single PutRecords entries, as a hot shard does (kinesalite
 * never does): after `throttleEntries(n)`, the next n entries of PutRecords requests are not forwarded and
 * come back with ProvisionedThroughputExceededException in their place, the rest of each request is put.
 * Everything else is forwarded unchanged.
 */
export class PutRecordsThrottlingProxy extends LocalHttpServer {
  /** Partition keys of the entries that were throttled, in order. */
  readonly throttled: string[] = [];
  /** Entries of each PutRecords request, in order. */
  readonly putRecordsSizes: number[] = [];
  #toThrottle = 0;
  #target = '';

  async startInFrontOf(target: string): Promise<string> {
    this.#target = target;
    return this.start();
  }

  throttleEntries(count: number): void {
    this.#toThrottle = count;
  }

  protected handle(req: IncomingMessage, res: ServerResponse): void {
    this.withBody(req, (body) => {
      const target = String(req.headers['x-amz-target'] ?? '');
      if (!target.endsWith('.PutRecords')) {
        this.#forward(req, body, (status, headers, answer) => {
          res.writeHead(status, headers);
          res.end(answer);
        });
        return;
      }
      const input = JSON.parse(body.toString('utf8')) as { Records: Array<{ PartitionKey: string }> };
      this.putRecordsSizes.push(input.Records.length);
      const throttledHere = input.Records.map(() => {
        if (this.#toThrottle === 0) return false;
        this.#toThrottle -= 1;
        return true;
      });
      input.Records.forEach((record, index) => {
        if (throttledHere[index]) this.throttled.push(record.PartitionKey);
      });
      const forwarded = input.Records.filter((_, index) => !throttledHere[index]);
      const merge = (put: readonly PutRecordsEntryResult[]): string => {
        let next = 0;
        const results = input.Records.map((_, index) =>
          throttledHere[index] ? { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'Rate exceeded for shard shardId-000000000000 in stream.' } : (put[next++] ?? {}),
        );
        return JSON.stringify({ FailedRecordCount: results.filter((result) => 'ErrorCode' in result && result.ErrorCode !== undefined).length, Records: results });
      };
      if (forwarded.length === 0) {
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(merge([]));
        return;
      }
      this.#forward(req, Buffer.from(JSON.stringify({ ...input, Records: forwarded })), (status, headers, answer) => {
        if (status !== 200) {
          res.writeHead(status, headers);
          res.end(answer);
          return;
        }
        const merged = merge((JSON.parse(answer.toString('utf8')) as { Records: PutRecordsEntryResult[] }).Records);
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1', 'content-length': String(Buffer.byteLength(merged)) });
        res.end(merged);
      });
    });
  }

  #forward(req: IncomingMessage, body: Buffer, answer: (status: number, headers: Record<string, string | string[] | undefined>, body: Buffer) => void): void {
    const url = new URL(this.#target);
    const upstream = request(
      { host: url.hostname, port: url.port, method: req.method, path: req.url, headers: { ...req.headers, host: url.host, 'content-length': String(body.length) } },
      (response) => {
        const parts: Buffer[] = [];
        response.on('data', (chunk: Buffer) => parts.push(chunk));
        response.on('end', () => {
          const { 'content-length': _length, ...headers } = response.headers;
          const content = Buffer.concat(parts);
          answer(response.statusCode ?? 500, { ...headers, 'content-length': String(content.length) }, content);
        });
      },
    );
    upstream.on('error', () => req.socket.destroy());
    upstream.end(body);
  }
}
