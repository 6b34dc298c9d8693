import { request, type IncomingMessage, type ServerResponse } from 'node:http';
import { Worker } from 'node:worker_threads';
import { BACKGROUND_NICE, LOWER_OWN_PRIORITY_SOURCE } from './threadPriority';
import { DYNAMO_SERVICE_REPORT_MS } from './constants';
import type { LoopTime } from './Emulator';
import { LocalHttpServer } from './LocalHttpServer';

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

/**
 * DynamoDB as the running functions see it: one DynamoService per group of tables (the tables the running
 * functions name in their `*_TABLE` variables, grouped so that a function's tables share one; the others go
 * with the first), each in its own thread. DynamoDB's tables do not share capacity, so the storer's
 * read-modify-writes of minute buckets do not queue in front of the processor's status and checkpoint writes.
 */
export class DynamoTables {
  readonly groups: ReadonlyArray<{ readonly label: string; readonly tables: readonly string[]; readonly service: DynamoService }>;

  /** `background`: tables only latency-tolerant functions use; their group's dynalite runs at BACKGROUND_NICE. */
  constructor(groups: ReadonlyArray<readonly string[]>, background: ReadonlySet<string> = new Set()) {
    this.groups = groups.map((tables) => ({
      label: `dynamodb ${tables.map((t) => t.replace(/^dynamodb-/, '')).join('+')}`,
      tables,
      service: new DynamoService(tables.every((table) => background.has(table)) ? BACKGROUND_NICE : 0),
    }));
  }

  async start(): Promise<void> {
    await Promise.all(this.groups.map((group) => group.service.start()));
  }

  /** The endpoint that holds `table` (the first one for a table of no group). */
  endpointOf(table: string | undefined): string {
    return (this.groups.find((group) => table !== undefined && group.tables.includes(table)) ?? this.groups[0])?.service.endpoint ?? '';
  }

  watchStatusTable(table: string, onLatencies: (latencies: readonly number[]) => void): void {
    const group = this.groups.find((g) => g.tables.includes(table));
    if (!group) return;
    group.service.watchStatusTable(table);
    group.service.onStatusLatencies = onLatencies;
  }

  injectShare(operation: string, fault: 'throttle', share: number, durationMs: number): void {
    for (const group of this.groups) group.service.injectShare(operation, fault, share, durationMs);
  }

  clear(): void {
    for (const group of this.groups) group.service.clear();
  }

  /** Requests per operation over every table group, as of the workers' last reports. */
  get counts(): Record<string, number> {
    const total: Record<string, number> = {};
    for (const group of this.groups) for (const [operation, n] of Object.entries(group.service.counts)) total[operation] = (total[operation] ?? 0) + n;
    return total;
  }

  get throttled(): number {
    return this.groups.reduce((sum, group) => sum + group.service.throttled, 0);
  }

  async stop(): Promise<void> {
    await Promise.all(this.groups.map((group) => group.service.stop()));
  }
}

/** Groups of tables: those one running function names go together; tables no running function names join the first. */
export function tableGroups(tables: readonly string[], functionTables: ReadonlyArray<readonly string[]>): string[][] {
  const groups: string[][] = [];
  for (const named of functionTables) {
    const known = named.filter((table) => tables.includes(table));
    if (known.length === 0) continue;
    const overlapping = groups.filter((group) => group.some((table) => known.includes(table)));
    const merged = [...new Set([...overlapping.flat(), ...known])];
    for (const group of overlapping) groups.splice(groups.indexOf(group), 1);
    groups.push(merged);
  }
  const rest = tables.filter((table) => !groups.some((group) => group.includes(table)));
  if (groups.length === 0) groups.push([]);
  (groups[0] as string[]).push(...rest);
  return groups.filter((group) => group.length > 0);
}

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
