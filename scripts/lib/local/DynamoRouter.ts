import { request, type IncomingMessage, type ServerResponse } from 'node:http';
import { DynamoTables } from './DynamoTables';
import { LocalHttpServer } from './LocalHttpServer';

/**
 * One endpoint for every table, for the operator tools (`npm run query -- --local`): a request goes to the
 * dynalite that holds the table it names (`TableName`, or the first of `RequestItems`; the first group for
 * a request that names none). The functions use their group's endpoint directly and never cross it.
 */
export class DynamoRouter extends LocalHttpServer {
  constructor(private readonly tables: DynamoTables) {
    super();
  }

  protected handle(req: IncomingMessage, res: ServerResponse): void {
    this.withBody(req, (body) => {
      let table: string | undefined;
      try {
        const input = JSON.parse(body.toString('utf8')) as { TableName?: unknown; RequestItems?: Record<string, unknown> };
        table = typeof input.TableName === 'string' ? input.TableName : Object.keys(input.RequestItems ?? {})[0];
      } catch {
        // Not JSON: dynalite answers it as DynamoDB would.
      }
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
    });
  }
}
