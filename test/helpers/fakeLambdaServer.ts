import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LocalHttpServer } from './LocalHttpServer';
import type { PolicyEnforcer } from './policy/PolicyEnforcer';

/** What a fake function does with an event: return the response payload, or throw (an Unhandled error). */
export type FakeFunction = (event: unknown) => Promise<unknown>;

export interface FakeInvocation {
  /** FunctionName as the client sent it in the path (name or ARN). */
  readonly functionName: string;
  readonly invocationType: string | undefined;
  readonly event: unknown;
  readonly bytes: number;
}

/**
 * Speaks Lambda's REST-JSON Invoke (POST /2015-03-31/functions/<name>/invocations) for the real
 * @aws-sdk/client-lambda, running registered functions in process. Unknown functions get Lambda's
 * 404 ResourceNotFoundException; a function that throws answers 200 with X-Amz-Function-Error.
 */
export class FakeLambdaServer extends LocalHttpServer {
  readonly invocations: FakeInvocation[] = [];
  #functions = new Map<string, FakeFunction>();
  #enforcer: PolicyEnforcer | undefined;

  /** From now on every Invoke is authorized against the rendered policies; a denied one gets Lambda's 403 AccessDeniedException. */
  enforce(enforcer: PolicyEnforcer): void {
    this.#enforcer = enforcer;
  }

  /** Registers a function under a name or ARN (both as the client would send them). */
  register(functionName: string, fn: FakeFunction): void {
    this.#functions.set(functionName, fn);
  }

  protected handle(req: IncomingMessage, res: ServerResponse): void {
    this.withBody(req, (body) => void this.#invoke(req, body, res));
  }

  async #invoke(req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
    const match = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec(new URL(req.url ?? '/', 'http://localhost').pathname);
    if (req.method !== 'POST' || !match) {
      this.#error(res, 404, 'UnknownOperationException', `the fake does not implement ${req.method} ${req.url}`);
      return;
    }
    const functionName = decodeURIComponent(match[1] ?? '');
    if (this.#enforcer) {
      const authorization = await this.#enforcer.authorize({
        authorization: req.headers.authorization,
        action: 'lambda:InvokeFunction',
        resources: [this.#enforcer.functionArn(functionName)],
      });
      if (authorization.outcome !== 'allowed') {
        this.#error(res, 403, authorization.outcome === 'unknown-key' ? 'UnrecognizedClientException' : 'AccessDeniedException', authorization.message);
        return;
      }
    }
    const fn = this.#functions.get(functionName);
    if (!fn) {
      this.#error(res, 404, 'ResourceNotFoundException', `Function not found: ${functionName}`);
      return;
    }
    const event: unknown = JSON.parse(body.toString('utf8'));
    const invocationType = req.headers['x-amz-invocation-type'] as string | undefined;
    this.invocations.push({ functionName, invocationType, event, bytes: body.length });
    const headers = { 'content-type': 'application/json', 'x-amz-executed-version': '$LATEST', 'x-amzn-requestid': randomUUID() };
    try {
      const result = await fn(event);
      res.writeHead(200, headers);
      res.end(JSON.stringify(result ?? null));
    } catch (error) {
      res.writeHead(200, { ...headers, 'x-amz-function-error': 'Unhandled' });
      res.end(JSON.stringify({ errorType: (error as Error).name, errorMessage: (error as Error).message, trace: [] }));
    }
  }

  #error(res: ServerResponse, status: number, type: string, message: string): void {
    res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': type, 'x-amzn-requestid': randomUUID() });
    res.end(JSON.stringify({ Type: 'User', message }));
  }
}
