import { request, type IncomingMessage, type ServerResponse } from 'node:http';
import { LocalHttpServer } from './LocalHttpServer';

/**
 * A proxy in front of kinesalite that makes records look expired, which kinesalite cannot do (its
 * retention is at least 24 h): after `trimThrough(seq)`, a GetShardIterator AT_SEQUENCE_NUMBER at or
 * before `seq` gets an iterator that starts after `seq`, as Kinesis answers for a trimmed sequence
 * number. Everything else is forwarded unchanged; operations are counted.
 */
export class RedriveTrimmingProxy extends LocalHttpServer {
  readonly operations: string[] = [];
  #trimmedThrough: bigint | undefined;
  #target = '';

  /** Listens on a free local port and forwards to `target`. */
  async startInFrontOf(target: string): Promise<string> {
    this.#target = target;
    return this.start();
  }

  /** Records up to and including `sequenceNumber` are gone; undefined restores them. */
  trimThrough(sequenceNumber: string | undefined): void {
    this.#trimmedThrough = sequenceNumber === undefined ? undefined : BigInt(sequenceNumber);
  }

  count(operation: string): number {
    return this.operations.filter((op) => op === operation).length;
  }

  protected handle(req: IncomingMessage, res: ServerResponse): void {
    this.withBody(req, (received) => {
      let body = received;
      const target = String(req.headers['x-amz-target'] ?? '');
      const operation = target.slice(target.indexOf('.') + 1);
      this.operations.push(operation);
      if (operation === 'GetShardIterator' && this.#trimmedThrough !== undefined) {
        const input = JSON.parse(body.toString('utf8')) as { ShardIteratorType?: string; StartingSequenceNumber?: string };
        if (input.ShardIteratorType === 'AT_SEQUENCE_NUMBER' && BigInt(input.StartingSequenceNumber ?? '0') <= this.#trimmedThrough) {
          body = Buffer.from(JSON.stringify({ ...input, ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: this.#trimmedThrough.toString() }));
        }
      }
      const url = new URL(this.#target);
      const upstream = request(
        { host: url.hostname, port: url.port, method: req.method, path: req.url, headers: { ...req.headers, host: url.host, 'content-length': String(body.length) } },
        (response) => {
          res.writeHead(response.statusCode ?? 500, response.headers);
          response.pipe(res);
        },
      );
      upstream.on('error', () => req.socket.destroy());
      upstream.end(body);
    });
  }
}
