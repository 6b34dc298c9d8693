import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { close } from './close';
import { listen } from './listen';

/** An HTTP server on 127.0.0.1 and a free port, for the fakes of AWS services the tests talk to. */
export abstract class LocalHttpServer {
  #server: Server | undefined;
  endpoint = '';

  async start(): Promise<string> {
    this.#server = createServer((req, res) => this.handle(req, res));
    this.endpoint = await listen(this.#server);
    return this.endpoint;
  }

  async stop(): Promise<void> {
    if (this.#server) await close(this.#server);
  }

  protected abstract handle(req: IncomingMessage, res: ServerResponse): void;

  /** Calls `then` with the request's whole body once it has arrived. */
  protected withBody(req: IncomingMessage, then: (body: Buffer) => void): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => then(Buffer.concat(chunks)));
  }
}
