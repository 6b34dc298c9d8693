import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { LocalHttpServer } from './LocalHttpServer';
import type { RequestAuthorizer } from './RequestAuthorizer';

/** A message of the fake queue. */
export interface FakeSqsMessage {
  readonly messageId: string;
  readonly body: string;
  receiptHandle: string | undefined;
  /** Epoch ms before which ReceiveMessage does not return it. */
  visibleAt: number;
  receiveCount: number;
}

/** One call the client made: operation (X-Amz-Target suffix) and its JSON input. */
export interface FakeSqsCall {
  readonly operation: string;
  readonly input: Record<string, unknown>;
}

/**
 * The largest body a queue takes: a queue's default MaximumMessageSize, 1,048,576 bytes (1 MiB), which the
 * SQS API reference gives as the maximum (CreateQueue, SendMessage; it was 262,144 bytes before 2025). The rendered
 * queue sets none.
 */
const MAX_MESSAGE_BYTES = 1_048_576;

/** How often a long poll looks for a message that has arrived or become visible. */
const LONG_POLL_CHECK_MS = 50;

export interface FakeSqsOptions {
  /** The queue's ReceiveMessageWaitTimeSeconds: how long a ReceiveMessage that names no WaitTimeSeconds waits (default 0, a short poll). */
  readonly receiveWaitSeconds?: number;
}

/**
 * Speaks the AWS JSON 1.0 protocol of the current @aws-sdk/client-sqs (X-Amz-Target AmazonSQS.<Operation>)
 * for ReceiveMessage, DeleteMessage and ChangeMessageVisibility, with one standard queue in memory and
 * SQS's visibility timeout semantics. A ReceiveMessage with a wait (its WaitTimeSeconds, else the queue's)
 * that finds nothing waits for a message up to then, as a long poll. Records every call.
 */
export class FakeSqsServer extends LocalHttpServer {
  readonly calls: FakeSqsCall[] = [];
  #messages: FakeSqsMessage[] = [];
  #enforcer: RequestAuthorizer | undefined;
  readonly #receiveWaitSeconds: number;

  constructor(options: FakeSqsOptions = {}) {
    super();
    this.#receiveWaitSeconds = options.receiveWaitSeconds ?? 0;
  }

  /** From now on every request is authorized against the rendered policies; a denied one gets SQS's AccessDenied. */
  enforce(enforcer: RequestAuthorizer): void {
    this.#enforcer = enforcer;
  }

  /** Enqueues a message (what the mapping's SendMessage would do) and returns its id; refuses a body SQS would, with its error. */
  send(body: string): string {
    const size = Buffer.byteLength(body);
    if (size > MAX_MESSAGE_BYTES) {
      const error = new Error(`One or more parameters are invalid. Reason: Message must be shorter than ${MAX_MESSAGE_BYTES} bytes.`);
      error.name = 'InvalidParameterValue';
      throw error;
    }
    const messageId = randomUUID();
    this.#messages.push({ messageId, body, receiptHandle: undefined, visibleAt: 0, receiveCount: 0 });
    return messageId;
  }

  /** Messages still in the queue (visible or not), in send order. */
  get messages(): readonly FakeSqsMessage[] {
    return this.#messages;
  }

  /** Ends every visibility timeout, as if time had passed. */
  expireVisibility(): void {
    for (const message of this.#messages) message.visibleAt = 0;
  }

  /** Empties the queue and the call log. */
  reset(): void {
    this.#messages = [];
    this.calls.length = 0;
  }

  callsOf(operation: string): FakeSqsCall[] {
    return this.calls.filter((call) => call.operation === operation);
  }

  protected handle(req: IncomingMessage, res: ServerResponse): void {
    this.withBody(req, (body) => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const operation = target.startsWith('AmazonSQS.') ? target.slice('AmazonSQS.'.length) : '';
      let input: Record<string, unknown>;
      try {
        input = JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>;
      } catch {
        this.#error(res, 400, 'MalformedInput', 'body is not JSON');
        return;
      }
      this.calls.push({ operation, input });
      void this.#serve(req, res, operation, target, input);
    });
  }

  async #serve(req: IncomingMessage, res: ServerResponse, operation: string, target: string, input: Record<string, unknown>): Promise<void> {
    if (this.#enforcer && typeof input.QueueUrl === 'string') {
      const authorization = await this.#enforcer.authorize({
        authorization: req.headers.authorization,
        action: `sqs:${operation}`,
        resources: [this.#enforcer.queueArn(input.QueueUrl)],
      });
      if (authorization.outcome !== 'allowed') {
        this.#refuse(res, authorization.outcome === 'unknown-key' ? 'InvalidClientTokenId' : 'AccessDenied', authorization.message);
        return;
      }
    }
    if (operation === 'ReceiveMessage') await this.#receive(input, res);
    else if (operation === 'DeleteMessage') this.#delete(input, res);
    else if (operation === 'ChangeMessageVisibility') this.#changeVisibility(input, res);
    else this.#error(res, 400, 'UnsupportedOperation', `the fake does not implement ${target}`);
  }

  #byReceipt(input: Record<string, unknown>): FakeSqsMessage | undefined {
    return this.#messages.find((message) => message.receiptHandle !== undefined && message.receiptHandle === input.ReceiptHandle);
  }

  async #receive(input: Record<string, unknown>, res: ServerResponse): Promise<void> {
    const max = typeof input.MaxNumberOfMessages === 'number' ? input.MaxNumberOfMessages : 1;
    const visibility = typeof input.VisibilityTimeout === 'number' ? input.VisibilityTimeout : 30;
    const waitSeconds = typeof input.WaitTimeSeconds === 'number' ? input.WaitTimeSeconds : this.#receiveWaitSeconds;
    const waitUntil = Date.now() + waitSeconds * 1000;
    // A client that went away (or the server stopping) ends the wait.
    let gone = false;
    res.once('close', () => {
      gone = true;
    });
    const visible = (): FakeSqsMessage[] => this.#messages.filter((message) => message.visibleAt <= Date.now()).slice(0, max);
    let picked = visible();
    while (picked.length === 0 && !gone && Date.now() < waitUntil) {
      await sleep(Math.min(LONG_POLL_CHECK_MS, waitUntil - Date.now()));
      picked = visible();
    }
    if (gone) return;
    const now = Date.now();
    for (const message of picked) {
      message.receiptHandle = randomUUID();
      message.visibleAt = now + visibility * 1000;
      message.receiveCount += 1;
    }
    this.#json(res, {
      Messages: picked.map((message) => ({
        MessageId: message.messageId,
        ReceiptHandle: message.receiptHandle,
        MD5OfBody: createHash('md5').update(message.body).digest('hex'),
        Body: message.body,
      })),
    });
  }

  #delete(input: Record<string, unknown>, res: ServerResponse): void {
    const message = this.#byReceipt(input);
    if (!message) {
      this.#error(res, 400, 'ReceiptHandleIsInvalid', 'The input receipt handle is invalid.');
      return;
    }
    this.#messages = this.#messages.filter((m) => m !== message);
    this.#json(res, {});
  }

  #changeVisibility(input: Record<string, unknown>, res: ServerResponse): void {
    const message = this.#byReceipt(input);
    if (!message || typeof input.VisibilityTimeout !== 'number') {
      this.#error(res, 400, 'ReceiptHandleIsInvalid', 'The input receipt handle is invalid.');
      return;
    }
    message.visibleAt = Date.now() + input.VisibilityTimeout * 1000;
    this.#json(res, {});
  }

  #json(res: ServerResponse, body: unknown): void {
    res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': randomUUID() });
    res.end(JSON.stringify(body));
  }

  /** SQS's refusal in the JSON protocol: 403 with the query-compatible code the SDK names its error after. */
  #refuse(res: ServerResponse, code: 'AccessDenied' | 'InvalidClientTokenId', message: string): void {
    res.writeHead(403, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-query-error': `${code};Sender` });
    res.end(JSON.stringify({ __type: `com.amazon.coral.service#${code === 'AccessDenied' ? 'AccessDeniedException' : 'UnrecognizedClientException'}`, message }));
  }

  #error(res: ServerResponse, status: number, code: string, message: string): void {
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-query-error': `AWS.SimpleQueueService.${code};Sender` });
    res.end(JSON.stringify({ __type: `com.amazonaws.sqs#${code}`, message }));
  }
}
