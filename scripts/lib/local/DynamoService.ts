import { Worker } from 'node:worker_threads';
import { LOWER_OWN_PRIORITY_SOURCE } from './threadPriority';
import { DYNAMO_SERVICE_REPORT_MS, LOCAL_CREDENTIALS } from './constants';
import type { LoopTime } from './Emulator';
import type { RequestAuthorizer } from './RequestAuthorizer';
import { dynamoRefusal, UNSUPPORTED_OPERATION_TYPE } from './dynamoRefusal';
import { decideChecks, DYNAMO_ACCESS_SOURCE, type DynamoCheck } from './dynamoResources';

/**
 * The worker's source: dynalite, with a gate in front of its request handler in the same thread. The gate
 * decides a function's request against the rendered policies once `enforce` is on (below), throttles a share of
 * the requests as DynamoDB throttles a partition (400 ProvisionedThroughputExceededException, after reading the
 * body, as the fault proxy does), counts requests per operation and reads the `:lastReadingTs` of every
 * UpdateItem on the status table (the end of the processor's path), so none of it costs an HTTP hop through the
 * pipeline's event loop.
 *
 * Enforcement: a request signed with the harness's key goes straight to dynalite (table creation, the load
 * test's audit, the router's requests, which it decided). Any other signed request is read whole, what DynamoDB
 * authorizes it on taken from the body (`dynamoAccess`: the action on its table, the index's ARN for a Query or
 * Scan of an index, every table of a batch, each item's action on its table in a transaction, `*` for ListTables),
 * and decided by the pipeline's thread, which holds the simulator; the answer is kept per key and checks, so
 * after the first request of each a decision is a map lookup in this thread. A refused request gets DynamoDB's
 * error without reaching dynalite; an allowed one is handed to dynalite's handler with the body it read (the
 * headers, method and URL are the request's; dynalite reads nothing else of it), or, for an operation dynalite
 * does not run or the gate cannot decide (transactions, PartiQL), refused with a message that says so. A body
 * that names no table, an unsigned or an unparsable one goes to dynalite, which refuses it as DynamoDB does.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { EventEmitter } = require('node:events');
${LOWER_OWN_PRIORITY_SOURCE}
const dynalite = require(workerData.module);
const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
const [handle] = server.listeners('request');
server.removeAllListeners('request');
let rules = [];
let statusTable = undefined;
let gate = undefined;
const counts = {};
let throttled = 0;
let latencies = [];
let changed = false;
const decided = new Map();
const pending = new Map();
const asked = new Map();
let nextId = 1;
const LAST_READING = /":lastReadingTs":\\{"N":"(\\d+)"\\}/;
const ACCESS_KEY = /Credential=([^/]+)\\//;
const UNSUPPORTED_TYPE = ${JSON.stringify(UNSUPPORTED_OPERATION_TYPE)};
const THROTTLE_BODY = JSON.stringify({
  __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
  message: 'The level of configured provisioned throughput for the table was exceeded.',
});
function refuse(res, body) {
  res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
  res.end(body);
}
function throttles(operation) {
  if (rules.length === 0) return false;
  const now = Date.now();
  rules = rules.filter((rule) => now < rule.until);
  return rules.some((rule) => (rule.operation === '*' || rule.operation === operation) && Math.random() < rule.share);
}
function watch(operation, textOf) {
  if (operation !== 'UpdateItem' || statusTable === undefined) return;
  const text = textOf();
  if (!text.includes(statusTable)) return;
  const match = LAST_READING.exec(text);
  if (match) latencies.push(Date.now() - Number(match[1]));
}
${DYNAMO_ACCESS_SOURCE}
function accessOf(operation, text) {
  let input;
  try {
    input = JSON.parse(text);
  } catch {
    return undefined;
  }
  return dynamoAccess(operation, input, gate.tableArnPrefix);
}
function decide(authorization, key, operation, checks) {
  // The decision depends on the identity (the key: role, and the endpoint policy of a function in the VPC) and
  // the checks, nothing else: a document conditioning on DynamoDB's own keys is refused at start.
  const cacheKey = key + ' ' + JSON.stringify(checks);
  if (decided.has(cacheKey)) return decided.get(cacheKey);
  let waiting = pending.get(cacheKey);
  if (waiting === undefined) {
    const id = nextId++;
    waiting = new Promise((resolve) => asked.set(id, resolve)).then((refusal) => {
      decided.set(cacheKey, refusal);
      pending.delete(cacheKey);
      return refusal;
    });
    pending.set(cacheKey, waiting);
    parentPort.postMessage({ type: 'authorize', id, authorization, operation, checks });
  }
  return waiting;
}
function serve(req, res, operation, body, textOf) {
  if (throttles(operation)) {
    throttled += 1;
    refuse(res, THROTTLE_BODY);
    return;
  }
  watch(operation, textOf);
  const replay = new EventEmitter();
  replay.headers = req.headers;
  replay.method = req.method;
  replay.url = req.url;
  handle(replay, res);
  if (body.length > 0) replay.emit('data', body);
  replay.emit('end');
}
server.on('request', (req, res) => {
  const target = String(req.headers['x-amz-target'] || '');
  const operation = target.slice(target.indexOf('.') + 1);
  counts[operation] = (counts[operation] || 0) + 1;
  changed = true;
  const authorization = req.headers.authorization;
  const key = gate === undefined || authorization === undefined ? undefined : ACCESS_KEY.exec(authorization)?.[1];
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
    // The body as text at most once per request, and only when the gate or the watch reads it.
    let text;
    const textOf = () => (text ??= body.toString('utf8'));
    const access = key === undefined || key === gate.harnessKey ? undefined : accessOf(operation, textOf());
    if (access === undefined) {
      serve(req, res, operation, body, textOf);
      return;
    }
    const answer = (refusal) => {
      if (refusal !== null) refuse(res, refusal);
      else if (access.unsupported !== undefined) refuse(res, JSON.stringify({ __type: UNSUPPORTED_TYPE, message: access.unsupported }));
      else serve(req, res, operation, body, textOf);
    };
    const decision = decide(authorization, key, operation, access.checks);
    if (decision === null || typeof decision === 'string') answer(decision);
    else decision.then(answer);
  });
});
parentPort.on('message', (message) => {
  if (message.type === 'throttle') rules.push({ operation: message.operation, share: message.share, until: Date.now() + message.durationMs });
  else if (message.type === 'clear') rules = [];
  else if (message.type === 'watch') statusTable = message.table;
  else if (message.type === 'enforce') gate = { harnessKey: message.harnessKey, tableArnPrefix: message.tableArnPrefix };
  else if (message.type === 'decision') {
    const resolve = asked.get(message.id);
    asked.delete(message.id);
    if (resolve) resolve(message.refusal);
  }
});
setInterval(() => {
  if (!changed) return;
  parentPort.postMessage({ type: 'report', latencies, counts, throttled });
  latencies = [];
  changed = false;
}, workerData.reportMs).unref();
server.listen(0, '127.0.0.1', () => parentPort.postMessage({ type: 'ready', port: server.address().port }));
`;

interface Report {
  readonly type: 'report';
  readonly latencies: number[];
  readonly counts: Record<string, number>;
  readonly throttled: number;
}

/** The worker asks for the decision of a request it has no answer for yet. */
interface AuthorizeRequest {
  readonly type: 'authorize';
  readonly id: number;
  readonly authorization: string;
  /** The request's operation, for a request with no check (whose key still has to be known). */
  readonly operation: string;
  readonly checks: readonly DynamoCheck[];
}

/**
 * DynamoDB on this machine: dynalite in a worker thread, with the load test's faults (a share of requests
 * throttled for a while) and the watch of asset status writes done in that thread, in front of dynalite's
 * handler. (The `FaultProxy` did the same as an HTTP proxy on the pipeline's event loop: every request of
 * the functions crossed the broker's thread twice, which at 2,000 messages/s was a quarter of its time.)
 */
export class DynamoService {
  endpoint = '';
  /** Requests per operation and requests throttled, as of the worker's last report. */
  counts: Record<string, number> = {};
  throttled = 0;
  /** Called with the latencies (device reading -> status UpdateItem received) of the status table's writes. */
  onStatusLatencies: ((latencies: readonly number[]) => void) | undefined;
  #worker: Worker | undefined;
  #authorizer: RequestAuthorizer | undefined;
  readonly #nice: number;

  /** `nice`: the worker thread's nice value (BACKGROUND_NICE for tables only latency-tolerant functions use). */
  constructor(nice = 0) {
    this.#nice = nice;
  }

  async start(): Promise<string> {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { module: require.resolve('dynalite'), reportMs: DYNAMO_SERVICE_REPORT_MS, nice: this.#nice } });
    this.#worker = worker;
    const port = await new Promise<number>((resolve, reject) => {
      const onReady = (message: { type: string; port?: number }): void => {
        if (message.type !== 'ready') return;
        worker.off('message', onReady);
        resolve(Number(message.port));
      };
      worker.on('message', onReady);
      worker.once('error', reject);
    });
    worker.on('message', (message: Report | AuthorizeRequest | { type: 'ready' }) => {
      if (message.type === 'authorize') {
        void this.#authorize(message);
        return;
      }
      if (message.type !== 'report') return;
      this.counts = message.counts;
      this.throttled = message.throttled;
      if (message.latencies.length > 0) this.onStatusLatencies?.(message.latencies);
    });
    this.endpoint = `http://127.0.0.1:${port}`;
    return this.endpoint;
  }

  /**
   * From now on every request signed with another key than the harness's (LOCAL_CREDENTIALS) is decided by
   * `authorizer` before dynalite sees it; a refused one gets DynamoDB's 400 AccessDeniedException.
   */
  enforce(authorizer: RequestAuthorizer): void {
    this.#authorizer = authorizer;
    this.#worker?.postMessage({ type: 'enforce', harnessKey: LOCAL_CREDENTIALS.accessKeyId, tableArnPrefix: authorizer.tableArn('') });
  }

  async #authorize(request: AuthorizeRequest): Promise<void> {
    let refusal: string | null = null;
    const authorizer = this.#authorizer;
    try {
      if (authorizer !== undefined) {
        // A request without checks (a body that names no resource) still needs a known key.
        const authorization =
          request.checks.length === 0
            ? await authorizer.authorize({ authorization: request.authorization, action: `dynamodb:${request.operation}`, resources: [] })
            : await decideChecks(request.checks, (action, resources) => authorizer.authorize({ authorization: request.authorization, action, resources }));
        if (authorization.outcome !== 'allowed') refusal = dynamoRefusal(authorization);
      }
    } catch (error) {
      // Answered, or the worker would hold this request, and every later one of the same key and checks, forever.
      refusal = dynamoRefusal({ outcome: 'denied', message: `the local pipeline could not decide ${request.operation}: ${(error as Error).message}` });
    }
    this.#worker?.postMessage({ type: 'decision', id: request.id, refusal });
  }

  /** The status table whose UpdateItems carry `:lastReadingTs`. */
  watchStatusTable(table: string): void {
    this.#worker?.postMessage({ type: 'watch', table });
  }

  /** `share` (0..1) of the requests of `operation` ('*': any) throttled for `durationMs`. */
  injectShare(operation: string, fault: 'throttle', share: number, durationMs: number): void {
    this.#worker?.postMessage({ type: fault, operation, share, durationMs });
  }

  clear(): void {
    this.#worker?.postMessage({ type: 'clear' });
  }

  /** Busy and idle time of the worker's event loop so far. */
  utilization(): LoopTime {
    return this.#worker?.performance.eventLoopUtilization() ?? { active: 0, idle: 0 };
  }

  async stop(): Promise<void> {
    const worker = this.#worker;
    this.#worker = undefined;
    if (worker) await worker.terminate();
  }
}
