import { request, type IncomingMessage, type ServerResponse } from 'node:http';
import { LocalHttpServer } from './LocalHttpServer';
import type { Authorization, RequestAuthorizer } from './RequestAuthorizer';

/** The JSON-protocol services the proxy can authorize requests of. */
export type ProxiedService = 'dynamodb' | 'kinesis';

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
  /** Share (0..1) of matching requests that get the fault, and until when (epoch ms); undefined = every one, until cleared. */
  readonly share?: number;
  readonly until?: number;
}

/**
 * An HTTP proxy in front of an emulator that injects the failures the real service shows:
 * throttling, 5xx, dropped connections and partially processed batch writes. The real SDK client
 * talks to it exactly as to DynamoDB.
 */
export class FaultProxy extends LocalHttpServer {
  readonly requests: string[] = [];
  readonly faultsInjected: Array<{ operation: string; fault: Fault }> = [];
  /** Called with every request before it is forwarded or faulted (the local pipeline watches status writes). */
  onRequest: ((operation: string, body: Buffer) => void) | undefined;
  #rules: FaultRule[] = [];
  #target = '';
  #enforcement: { enforcer: RequestAuthorizer; service: ProxiedService } | undefined;
  /** Kinesis: the stream each shard iterator the upstream handed out reads (GetRecords names no stream). */
  readonly #iteratorStreams = new Map<string, string>();

  /**
   * From now on every request is authorized against the rendered policies as a call of `service`
   * (DynamoDB: the tables it names; Kinesis: its stream); a denied one gets the service's AccessDeniedException.
   */
  enforce(enforcer: RequestAuthorizer, service: ProxiedService = 'dynamodb'): void {
    this.#enforcement = { enforcer, service };
  }

  /** Listens on a free local port and forwards to `target`. */
  async startInFrontOf(target: string): Promise<string> {
    this.#target = target;
    return this.start();
  }

  inject(operation: string, fault: Fault, count = Infinity): void {
    this.#rules.push({ operation, fault, remaining: count });
  }

  /** A share of the matching requests gets the fault for `durationMs` (partial throttling, as DynamoDB does). */
  injectShare(operation: string, fault: Fault, share: number, durationMs: number): void {
    this.#rules.push({ operation, fault, remaining: Infinity, share, until: Date.now() + durationMs });
  }

  clear(): void {
    this.#rules = [];
  }

  count(operation: string): number {
    return this.requests.filter((op) => op === operation).length;
  }

  protected handle(req: IncomingMessage, res: ServerResponse): void {
    this.withBody(req, (body) => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const operation = target.slice(target.indexOf('.') + 1);
      this.requests.push(operation);
      this.onRequest?.(operation, body);
      const now = Date.now();
      const rule = this.#rules.find(
        (r) =>
          r.remaining > 0 &&
          (r.operation === '*' || r.operation === operation) &&
          (r.until === undefined || now < r.until) &&
          (r.share === undefined || Math.random() < r.share),
      );
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
          void this.#authorized(req, operation, body, res, () => this.#forwardHalf(req, body, res));
          return;
        }
      }
      void this.#authorized(req, operation, body, res, () =>
        this.#forward(req, body, (status, headers, responseBody) => {
          this.#learnIterators(operation, body, responseBody);
          res.writeHead(status, headers);
          res.end(responseBody);
        }),
      );
    });
  }

  /** Runs `forward` when the request is allowed (or nothing is enforced); otherwise answers as the service refuses. */
  async #authorized(req: IncomingMessage, operation: string, body: Buffer, res: ServerResponse, forward: () => void): Promise<void> {
    if (this.#enforcement) {
      const { enforcer, service } = this.#enforcement;
      const input = parseJson(body);
      const authorization = await enforcer.authorize({
        authorization: req.headers.authorization,
        action: `${service}:${operation}`,
        resources: service === 'dynamodb' ? this.#tables(enforcer, input) : this.#stream(enforcer, input),
      });
      if (authorization.outcome !== 'allowed') {
        this.#refuse(res, service, authorization);
        return;
      }
    }
    forward();
  }

  #tables(enforcer: RequestAuthorizer, input: Record<string, unknown>): string[] {
    const names = typeof input.TableName === 'string' ? [input.TableName] : Object.keys((input.RequestItems ?? {}) as Record<string, unknown>);
    return names.map((name) => enforcer.tableArn(name));
  }

  #stream(enforcer: RequestAuthorizer, input: Record<string, unknown>): string[] {
    if (typeof input.StreamARN === 'string') return [input.StreamARN];
    if (typeof input.StreamName === 'string') return [enforcer.streamArn(input.StreamName)];
    const fromIterator = typeof input.ShardIterator === 'string' ? this.#iteratorStreams.get(input.ShardIterator) : undefined;
    // An iterator the proxy did not hand out names no stream it could authorize: the request is refused.
    return [fromIterator ?? enforcer.streamArn('unknown-stream')];
  }

  /** Kinesis: remembers which stream the iterators of a GetShardIterator or GetRecords answer read. */
  #learnIterators(operation: string, requestBody: Buffer, responseBody: Buffer): void {
    if (this.#enforcement?.service !== 'kinesis') return;
    const input = parseJson(requestBody);
    const output = parseJson(responseBody);
    const stream =
      operation === 'GetShardIterator'
        ? this.#stream(this.#enforcement.enforcer, input)[0]
        : operation === 'GetRecords' && typeof input.ShardIterator === 'string'
          ? this.#iteratorStreams.get(input.ShardIterator)
          : undefined;
    const next = output.ShardIterator ?? output.NextShardIterator;
    if (stream !== undefined && typeof next === 'string') this.#iteratorStreams.set(next, stream);
  }

  /** DynamoDB and Kinesis refuse with 400 AccessDeniedException (UnrecognizedClientException for an unknown key). */
  #refuse(res: ServerResponse, service: ProxiedService, authorization: Exclude<Authorization, { outcome: 'allowed' }>): void {
    const type = authorization.outcome === 'unknown-key' ? 'UnrecognizedClientException' : 'AccessDeniedException';
    const prefix = service === 'dynamodb' ? (type === 'AccessDeniedException' ? 'com.amazonaws.dynamodb.v20120810#' : 'com.amazon.coral.service#') : '';
    res.writeHead(400, { 'content-type': service === 'dynamodb' ? 'application/x-amz-json-1.0' : 'application/x-amz-json-1.1' });
    res.end(JSON.stringify({ __type: `${prefix}${type}`, message: authorization.message }));
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

function parseJson(body: Buffer): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(body.toString('utf8') || '{}');
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
