import { Worker } from 'node:worker_threads';
import type { LoopTime } from './Emulator';
import type { LocalManifests } from './LocalManifests';
import { GATEWAY_COUNTER_NAMES } from './constants';
import type { ErrorActionSink, GatewayCounters } from './MqttGateway';
import { sharedCounters } from './sharedCounters';
import type { ShardLoad } from './StreamWriter';

/** What the broker's thread starts from (structured-cloned into it). */
export interface GatewayWorkerData {
  readonly manifests: LocalManifests;
  readonly kinesisEndpoint: string;
  readonly tls: { readonly key: string; readonly cert: string; readonly ca: string };
  readonly port: number;
  /** The gateway's counters (`sharedCounters` over GATEWAY_COUNTER_NAMES). */
  readonly counters: SharedArrayBuffer;
  readonly refusedPuts: Readonly<Record<string, string>>;
}

/** Requests to the broker's thread; each answered with the same id. */
export type ToGateway =
  | { readonly type: 'drop'; readonly id: number; readonly fraction: number }
  | { readonly type: 'close'; readonly id: number }
  | { readonly type: 'stored'; readonly id: number };

/** A request before #request numbers it (distributes over the union, so each variant keeps its fields). */
type WithoutId<Request> = Request extends unknown ? Omit<Request, 'id'> : never;

/** Messages of the broker's thread. */
export type FromGateway =
  | { readonly type: 'ready'; readonly port: number }
  | { readonly type: 'failed'; readonly message: string }
  | { readonly type: 'errorAction'; readonly id: number; readonly bucket: string; readonly key: string; readonly body: string }
  | { readonly type: 'dropped'; readonly id: number; readonly count: number }
  | { readonly type: 'closed'; readonly id: number }
  | { readonly type: 'shardLoads'; readonly loads: ReadonlyArray<readonly [string, ShardLoad]> };

export interface GatewayThreadOptions {
  readonly manifests: LocalManifests;
  readonly kinesisEndpoint: string;
  readonly tls: GatewayWorkerData['tls'];
  /** Takes the rules' error actions; the broker's thread waits until each is stored before it acknowledges the publish. */
  readonly s3: ErrorActionSink;
  /** By rule name, why its role may not put to its stream (MqttGateway). */
  readonly refusedPuts?: Readonly<Record<string, string>>;
}

/**
 * IoT Core's broker and rule engine (`MqttGateway`, with the rules' stream writers) in a worker thread of its
 * own: TLS, MQTT and the rules take most of a core at 2,000 messages/s, and on the pipeline's thread they
 * delayed the pollers, whose reads and invocations are the processor's latency. In AWS the two do not share
 * a CPU either. The counters are shared memory, read as they change; the error actions are stored by this
 * thread's S3 before the publish is acknowledged; the shards' write loads arrive once a second.
 */
export class GatewayThread {
  readonly counters: GatewayCounters;
  /** Per shard, the rules' writes as of the thread's last report. */
  shardLoads: ReadonlyArray<readonly [string, ShardLoad]> = [];
  readonly #options: GatewayThreadOptions;
  readonly #buffer: SharedArrayBuffer;
  /** Requests awaiting their answer, by id. */
  readonly #pending = new Map<number, { resolve(message: FromGateway): void; reject(error: Error): void }>();
  #nextId = 1;
  #worker: Worker | undefined;
  #closing = false;

  constructor(options: GatewayThreadOptions) {
    this.#options = options;
    this.#buffer = new SharedArrayBuffer(GATEWAY_COUNTER_NAMES.length * BigInt64Array.BYTES_PER_ELEMENT);
    this.counters = sharedCounters(GATEWAY_COUNTER_NAMES, this.#buffer);
  }

  /** Starts the thread; resolves with the port it listens on (0: a free one). */
  async start(port = 0): Promise<number> {
    const workerData: GatewayWorkerData = { manifests: this.#options.manifests, kinesisEndpoint: this.#options.kinesisEndpoint, tls: this.#options.tls, port, counters: this.#buffer, refusedPuts: this.#options.refusedPuts ?? {} };
    // The thread runs TypeScript through tsx's require hook, which a worker does not inherit from this thread.
    const source = `require(${JSON.stringify(require.resolve('tsx/cjs/api'))}).register();\nrequire(${JSON.stringify(require.resolve('./gatewayWorker'))});`;
    const worker = new Worker(source, { eval: true, workerData });
    this.#worker = worker;
    const listening = new Promise<number>((resolve, reject) => {
      worker.once('error', reject);
      worker.on('message', (message: FromGateway) => {
        if (message.type === 'ready') resolve(message.port);
        else if (message.type === 'failed') reject(new Error(message.message));
        else this.#received(message);
      });
    });
    const listeningPort = await listening;
    worker.on('error', (error) => {
      process.stderr.write(`local: the broker's thread failed: ${error.stack ?? error.message}\n`);
    });
    // A thread that is gone answers nothing: its pending requests fail rather than wait forever.
    worker.once('exit', (code) => {
      for (const { reject } of this.#pending.values()) reject(new Error(`the broker's thread exited (code ${code})`));
      this.#pending.clear();
    });
    return listeningPort;
  }

  /** Drops a share of the connections from the server side (chaos); resolves with how many. */
  async dropConnections(fraction: number): Promise<number> {
    const reply = await this.#request({ type: 'drop', fraction });
    return reply.type === 'dropped' ? reply.count : 0;
  }

  /** Closes the listener and the connections, flushes nothing further, and ends the thread. */
  async close(): Promise<void> {
    const worker = this.#worker;
    if (!worker || this.#closing) return;
    this.#closing = true;
    // The thread stays reachable until it has answered: error actions in flight still get their "stored".
    await this.#request({ type: 'close' }).catch(() => undefined);
    await worker.terminate();
    this.#worker = undefined;
  }

  /** Busy and idle time of the thread's event loop so far. */
  utilization(): LoopTime {
    return this.#worker?.performance.eventLoopUtilization() ?? { active: 0, idle: 0 };
  }

  #received(message: FromGateway): void {
    if (message.type === 'shardLoads') this.shardLoads = message.loads;
    else if (message.type === 'errorAction') void this.#storeErrorAction(message);
    else if (message.type === 'dropped' || message.type === 'closed') {
      this.#pending.get(message.id)?.resolve(message);
      this.#pending.delete(message.id);
    }
  }

  async #storeErrorAction(message: Extract<FromGateway, { type: 'errorAction' }>): Promise<void> {
    // A refused or failed write loses the message, as a failed error action does in AWS; the publish is still answered.
    await Promise.resolve(this.#options.s3.putObject(message.bucket, message.key, message.body)).catch((error: Error) => {
      process.stderr.write(`local: error action to s3://${message.bucket}/${message.key} failed: ${error.message}\n`);
    });
    this.#worker?.postMessage({ type: 'stored', id: message.id } satisfies ToGateway);
  }

  #request(request: WithoutId<Extract<ToGateway, { type: 'drop' | 'close' }>>): Promise<FromGateway> {
    const worker = this.#worker;
    if (!worker) return Promise.reject(new Error('the broker\'s thread is not running'));
    const id = this.#nextId;
    this.#nextId += 1;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      worker.postMessage({ ...request, id } satisfies ToGateway);
    });
  }
}
