import { request, type IncomingMessage, type ServerResponse } from 'node:http';
import { LOCAL_CREDENTIALS } from './constants';
import { dynamoRefusal } from './dynamoRefusal';
import { dynamoResources } from './dynamoResources';
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
 * dynalite that holds the table it names (`TableName`, or the first of `RequestItems`; the first group for
 * a request that names none). The functions use their group's endpoint directly and never cross it.
 * Once `enforce` is on, a request signed with the harness's key, which the tools sign with, is decided as the
 * query operator before it is forwarded (the table's dynalite lets that key through); one signed with a
 * function's key is left to that dynalite's gate.
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
      let input: Record<string, unknown> | undefined;
      try {
        const parsed: unknown = JSON.parse(body.toString('utf8'));
        if (typeof parsed === 'object' && parsed !== null) input = parsed as Record<string, unknown>;
      } catch {
        // Not JSON: dynalite answers it as DynamoDB would.
      }
      const table = typeof input?.TableName === 'string' ? input.TableName : Object.keys((input?.RequestItems ?? {}) as Record<string, unknown>)[0];
      const forward = (): void => this.#forward(req, res, body, table);
      const operator = this.#operator;
      const accessKey = /Credential=([^/]+)\//.exec(req.headers.authorization ?? '')?.[1];
      if (operator === undefined || input === undefined || accessKey !== LOCAL_CREDENTIALS.accessKeyId) {
        forward();
        return;
      }
      const target = String(req.headers['x-amz-target'] ?? '');
      const operation = target.slice(target.indexOf('.') + 1);
      void operator.authorizeOperator(`dynamodb:${operation}`, dynamoResources(operation, input, (name) => operator.tableArn(name))).then((authorization) => {
        if (authorization.outcome === 'allowed') {
          forward();
          return;
        }
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(dynamoRefusal(authorization));
      });
    });
  }

  #forward(req: IncomingMessage, res: ServerResponse, body: Buffer, table: string | undefined): void {
    const target = new URL(this.tables.endpointOf(table));
    const upstream = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host, 'content-length': String(body.length) } },
      (response) => {
        res.writeHead(response.statusCode ?? 500, response.headers);
        response.pipe(res);
      },
    );
    upstream.on('error', () => req.socket.destroy());
    upstream.end(body);
  }
}
