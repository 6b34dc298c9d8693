import { request, type IncomingMessage, type ServerResponse } from 'node:http';
import { LOCAL_CREDENTIALS } from './constants';
import { dynamoRefusal, dynamoUnsupported } from './dynamoRefusal';
import { decideChecks, dynamoAccess } from './dynamoResources';
import { DynamoTables } from './DynamoTables';
import { LocalHttpServer } from './LocalHttpServer';
import type { Authorization } from './RequestAuthorizer';

/** Decides the operator tools' requests (LocalPolicyEnforcer). */
export interface OperatorAuthorizer {
  authorizeOperator(action: string, resources: readonly string[]): Promise<Authorization>;
  tableArn(table: string): string;
}

/**
 * One endpoint for every table, for the operator tools (`npm run query -- --local`): a request goes to the
 * dynalite that holds the table it names (`TableName`, the first of `RequestItems` or of a transaction's items;
 * the first group for a request that names none). The functions use their group's endpoint directly and never cross it.
 * Once `enforce` is on, a request signed with the harness's key, which the tools sign with, is decided as the
 * query operator before it is forwarded (the table's dynalite lets that key through), on what DynamoDB
 * authorizes it on (`dynamoAccess`); one signed with a function's key is left to that dynalite's gate.
 */
export class DynamoRouter extends LocalHttpServer {
  #operator: OperatorAuthorizer | undefined;

  constructor(private readonly tables: DynamoTables) {
    super();
  }

  enforce(operator: OperatorAuthorizer): void {
    this.#operator = operator;
  }

  protected handle(req: IncomingMessage, res: ServerResponse): void {
    this.withBody(req, (body) => {
      let input: unknown;
      try {
        input = JSON.parse(body.toString('utf8'));
      } catch {
        // Not JSON: dynalite answers it as DynamoDB would.
      }
      const target = String(req.headers['x-amz-target'] ?? '');
      const operation = target.slice(target.indexOf('.') + 1);
      const operator = this.#operator;
      const access = dynamoAccess(operation, input, operator?.tableArn('') ?? '');
      const named = input as { TableName?: unknown; RequestItems?: unknown } | null | undefined;
      const table =
        access?.table ?? (typeof named?.TableName === 'string' ? named.TableName : typeof named?.RequestItems === 'object' && named.RequestItems !== null ? Object.keys(named.RequestItems)[0] : undefined);
      const forward = (): void => this.#forward(req, res, body, table);
      const accessKey = /Credential=([^/]+)\//.exec(req.headers.authorization ?? '')?.[1];
      if (operator === undefined || access === undefined || accessKey !== LOCAL_CREDENTIALS.accessKeyId) {
        forward();
        return;
      }
      const refuse = (text: string): void => {
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(text);
      };
      decideChecks(access.checks, (action, resources) => operator.authorizeOperator(action, resources)).then(
        (authorization) => {
          if (authorization.outcome !== 'allowed') refuse(dynamoRefusal(authorization));
          else if (access.unsupported !== undefined) refuse(dynamoUnsupported(access.unsupported));
          else forward();
        },
        // Answered, not left to hang (and not an unhandled rejection that stops the pipeline).
        (error: unknown) => refuse(dynamoRefusal({ outcome: 'denied', message: `the local pipeline could not decide ${operation}: ${(error as Error).message}` })),
      );
    });
  }

  #forward(req: IncomingMessage, res: ServerResponse, body: Buffer, table: string | undefined): void {
    const target = new URL(this.tables.endpointOf(table));
    const upstream = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: forwardedHeaders(req, target.host, body.length) },
      (response) => {
        res.writeHead(response.statusCode ?? 500, response.headers);
        response.pipe(res);
      },
    );
    upstream.on('error', () => req.socket.destroy());
    upstream.end(body);
  }
}

/**
 * The request's headers for the body read whole: its length, and no `transfer-encoding` (a chunked request
 * forwarded with both would be refused by dynalite's HTTP parser).
 */
function forwardedHeaders(req: IncomingMessage, host: string, length: number): Record<string, string | string[] | undefined> {
  const { 'transfer-encoding': _chunked, ...headers } = req.headers;
  return { ...headers, host, 'content-length': String(length) };
}
