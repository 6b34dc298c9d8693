import { Worker } from 'node:worker_threads';
import { LOWER_OWN_PRIORITY_SOURCE } from './threadPriority';
import { DYNAMO_SERVICE_REPORT_MS } from './constants';
import type { LoopTime } from './Emulator';

/**
 * The worker's source: dynalite, with a gate in front of its request handler in the same thread. The gate
 * throttles a share of the requests as DynamoDB throttles a partition (400
 * ProvisionedThroughputExceededException, after reading the body, as the fault proxy does), counts requests
 * per operation and reads the `:lastReadingTs` of every UpdateItem on the status table (the end of the
 * processor's path), so neither costs an HTTP hop through the pipeline's event loop.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
${LOWER_OWN_PRIORITY_SOURCE}
const dynalite = require(workerData.module);
const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
const [handle] = server.listeners('request');
server.removeAllListeners('request');
let rules = [];
let statusTable = undefined;
const counts = {};
let throttled = 0;
let latencies = [];
let changed = false;
const LAST_READING = /":lastReadingTs":\\{"N":"(\\d+)"\\}/;
const THROTTLE_BODY = JSON.stringify({
  __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
  message: 'The level of configured provisioned throughput for the table was exceeded.',
});
server.on('request', (req, res) => {
  const target = String(req.headers['x-amz-target'] || '');
  const operation = target.slice(target.indexOf('.') + 1);
  counts[operation] = (counts[operation] || 0) + 1;
  changed = true;
  const now = Date.now();
  if (rules.length > 0) {
    rules = rules.filter((rule) => now < rule.until);
    if (rules.some((rule) => (rule.operation === '*' || rule.operation === operation) && Math.random() < rule.share)) {
      throttled += 1;
      req.on('data', () => undefined);
      req.on('end', () => {
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(THROTTLE_BODY);
      });
      return;
    }
  }
  if (operation === 'UpdateItem' && statusTable !== undefined) {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      if (!text.includes(statusTable)) return;
      const match = LAST_READING.exec(text);
      if (match) latencies.push(Date.now() - Number(match[1]));
    });
  }
  handle(req, res);
});
parentPort.on('message', (message) => {
  if (message.type === 'throttle') rules.push({ operation: message.operation, share: message.share, until: Date.now() + message.durationMs });
  else if (message.type === 'clear') rules = [];
  else if (message.type === 'watch') statusTable = message.table;
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
    worker.on('message', (message: Report | { type: 'ready' }) => {
      if (message.type !== 'report') return;
      this.counts = message.counts;
      this.throttled = message.throttled;
      if (message.latencies.length > 0) this.onStatusLatencies?.(message.latencies);
    });
    this.endpoint = `http://127.0.0.1:${port}`;
    return this.endpoint;
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
