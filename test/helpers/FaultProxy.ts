import { request, type IncomingMessage, type ServerResponse } from 'node:http';
import { LocalHttpServer } from './LocalHttpServer';

/** What the proxy does to a DynamoDB request. */
export type Fault =
  /** 400 ProvisionedThroughputExceededException, as DynamoDB throttles a partition. */
  | 'throttle'
  /** 500 InternalServerError. */
  | 'server-error'
  /** The connection is dropped without an answer. */
  | 'reset'
  /** BatchWriteItem: only the first half of the puts is forwarded, the rest comes back unprocessed. */
  | 'unprocessed';

export interface FaultRule {
  /** DynamoDB operation (X-Amz-Target suffix), or '*' for any. */
  readonly operation: string;
  readonly fault: Fault;
  /** How many matching requests get the fault; Infinity for all until cleared. */
  remaining: number;
}

/**
 * An HTTP proxy in front of an emulator that injects the failures the real service shows:
 * throttling, 5xx, dropped connections and partially processed batch writes. The real SDK client
 * talks to it exactly as to DynamoDB.
 */
export class FaultProxy extends LocalHttpServer {
  readonly requests: string[] = [];
  readonly faultsInjected: Array<{ operation: string; fault: Fault }> = [];
  #rules: FaultRule[] = [];
  #target = '';

  /** Listens on a free local port and forwards to `target`. */
  async startInFrontOf(target: string): Promise<string> {
    this.#target = target;
    return this.start();
  }

  inject(operation: string, fault: Fault, count = Infinity): void {
    this.#rules.push({ operation, fault, remaining: count });
  }

  clear(): void {
    this.#rules = [];
  }

  count(operation: string): number {
    return this.requests.filter((op) => op === operation).length;
  }

  protected handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const target = String(req.headers['x-amz-target'] ?? '');
      const operation = target.slice(target.indexOf('.') + 1);
      this.requests.push(operation);
      const rule = this.#rules.find((r) => r.remaining > 0 && (r.operation === '*' || r.operation === operation));
      if (rule) {
        rule.remaining -= 1;
        this.faultsInjected.push({ operation, fault: rule.fault });
        if (rule.fault === 'reset') {
          req.socket.destroy();
          return;
        }
        if (rule.fault === 'throttle' || rule.fault === 'server-error') {
          const throttle = rule.fault === 'throttle';
          res.writeHead(throttle ? 400 : 500, { 'content-type': 'application/x-amz-json-1.0' });
          res.end(
            JSON.stringify({
              __type: `com.amazonaws.dynamodb.v20120810#${throttle ? 'ProvisionedThroughputExceededException' : 'InternalServerError'}`,
              message: throttle ? 'The level of configured provisioned throughput for the table was exceeded.' : 'Internal server error',
            }),
          );
          return;
        }
        if (rule.fault === 'unprocessed' && operation === 'BatchWriteItem') {
          this.#forwardHalf(req, body, res);
          return;
        }
      }
      this.#forward(req, body, (status, headers, responseBody) => {
        res.writeHead(status, headers);
        res.end(responseBody);
      });
    });
  }

  #forwardHalf(req: IncomingMessage, body: Buffer, res: ServerResponse): void {
    const input = JSON.parse(body.toString('utf8')) as { RequestItems: Record<string, unknown[]> };
    const forwarded: Record<string, unknown[]> = {};
    const held: Record<string, unknown[]> = {};
    for (const [table, items] of Object.entries(input.RequestItems)) {
      const half = Math.ceil(items.length / 2);
      forwarded[table] = items.slice(0, half);
      if (items.length > half) held[table] = items.slice(half);
    }
    const newBody = Buffer.from(JSON.stringify({ ...input, RequestItems: forwarded }));
    this.#forward(req, newBody, (status, headers, responseBody) => {
      const output = JSON.parse(responseBody.toString('utf8')) as { UnprocessedItems?: Record<string, unknown[]> };
      const unprocessed: Record<string, unknown[]> = { ...(output.UnprocessedItems ?? {}) };
      for (const [table, items] of Object.entries(held)) unprocessed[table] = [...(unprocessed[table] ?? []), ...items];
      const text = JSON.stringify({ ...output, UnprocessedItems: unprocessed });
      const { 'x-amz-crc32': _crc, 'content-length': _length, ...rest } = headers;
      res.writeHead(status, { ...rest, 'content-length': Buffer.byteLength(text) });
      res.end(text);
    });
  }

  #forward(req: IncomingMessage, body: Buffer, done: (status: number, headers: Record<string, string | string[] | undefined>, body: Buffer) => void): void {
    const url = new URL(this.#target);
    const headers = { ...req.headers, host: url.host, 'content-length': String(body.length) };
    const upstream = request(
      { host: url.hostname, port: url.port, method: req.method, path: req.url, headers },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => done(response.statusCode ?? 500, response.headers, Buffer.concat(chunks)));
      },
    );
    upstream.on('error', () => req.socket.destroy());
    upstream.end(body);
  }
}
