import type { KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { LoopTime } from './Emulator';
import type { FunctionSpec } from './LocalManifests';
import { unzipSingleEntry } from './unzipSingleEntry';

export type InvokeResult =
  | { readonly ok: true; readonly response: KinesisStreamBatchResponse | undefined; readonly durationMs: number }
  | { readonly ok: false; readonly error: string; readonly durationMs: number };

/**
 * The "runtime" inside the worker: loads the bundle with a require rooted in the repository (the bundles
 * leave @aws-sdk/* and @smithy/* external, as the Lambda runtime ships them), then answers invocations with
 * a Lambda-like context whose remaining time runs down to the rendered timeout.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createRequire } = require('node:module');
const path = require('node:path');
const module_ = { exports: {} };
const started = Date.now();
new Function('exports', 'require', 'module', '__filename', '__dirname', workerData.code)(
  module_.exports, createRequire(workerData.filename), module_, workerData.filename, path.dirname(workerData.filename));
const handler = module_.exports[workerData.exportName];
if (typeof handler !== 'function') throw new Error(workerData.filename + ' exports no function ' + workerData.exportName);
parentPort.postMessage({ type: 'ready', initMs: Date.now() - started });
let count = 0;
parentPort.on('message', async (message) => {
  count += 1;
  const deadline = message.deadline;
  const context = {
    callbackWaitsForEmptyEventLoop: false, functionName: workerData.functionName, functionVersion: '$LATEST',
    invokedFunctionArn: workerData.functionArn, memoryLimitInMB: String(workerData.memoryMb), awsRequestId: workerData.functionName + '-' + count,
    logGroupName: '/aws/lambda/' + workerData.functionName, logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()), done() {}, fail() {}, succeed() {},
  };
  try {
    const response = await handler(message.event, context);
    parentPort.postMessage({ type: 'result', id: message.id, response });
  } catch (error) {
    parentPort.postMessage({ type: 'error', id: message.id, error: String((error && error.stack) || error) });
  }
});
`;

interface Waiting {
  resolve(result: InvokeResult): void;
  timer: NodeJS.Timeout;
  started: number;
}

/**
 * One function's execution environment: its zip from the manifest (index.js unzipped with node:zlib), its
 * rendered environment plus the emulators' endpoints, run in a worker thread so that it has its own
 * process.env, module state and event loop (as a Lambda container has) and can be killed. An invocation that
 * outlives the rendered timeout kills the worker, as Lambda ends a timed-out sandbox; the next invocation
 * starts a new one (a cold start, which the functions answer by restoring their checkpoints).
 */
export class FunctionHost {
  readonly spec: FunctionSpec;
  readonly functionArn: string;
  coldStarts = 0;
  kills = 0;
  #worker: Worker | undefined;
  /** Event loop time of the workers that went away (killed, timed out), and the current one's last reading. */
  #pastLoops: LoopTime = { active: 0, idle: 0 };
  #currentLoop: LoopTime = { active: 0, idle: 0 };
  #ready: Promise<void> | undefined;
  #nextId = 0;
  readonly #waiting = new Map<number, Waiting>();
  readonly #code: string;
  readonly #env: Record<string, string>;
  readonly #log: WriteStream;

  constructor(spec: FunctionSpec, options: { accountId: string; region: string; environment: Record<string, string>; logDirectory: string; repositoryRoot: string }) {
    this.spec = spec;
    this.functionArn = `arn:aws:lambda:${options.region}:${options.accountId}:function:${spec.name}`;
    const [file = 'index', exportName = 'handler'] = spec.handler.split('.');
    this.#code = unzipSingleEntry(spec.zip, `${file}.js`).toString('utf8');
    this.#exportName = exportName;
    this.#filename = join(options.repositoryRoot, '.local', 'functions', spec.name, `${file}.js`);
    this.#env = {
      ...Object.fromEntries(Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined && !entry[0].startsWith('AWS_'))),
      ...spec.variables,
      ...options.environment,
      AWS_LAMBDA_FUNCTION_NAME: spec.name,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(spec.memoryMb),
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_REGION: options.region,
      AWS_DEFAULT_REGION: options.region,
    };
    this.#log = createWriteStream(join(options.logDirectory, `${spec.name}.log`), { flags: 'a' });
    this.#memoryMb = spec.memoryMb;
  }

  readonly #exportName: string;
  readonly #filename: string;
  readonly #memoryMb: number;

  get running(): boolean {
    return this.#worker !== undefined;
  }

  /** An invocation is in flight (chaos waits for one to kill the worker mid-batch). */
  get busy(): boolean {
    return this.#waiting.size > 0;
  }

  #start(): Promise<void> {
    this.coldStarts += 1;
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      env: this.#env,
      stdout: true,
      stderr: true,
      workerData: { code: this.#code, filename: this.#filename, exportName: this.#exportName, functionName: this.spec.name, functionArn: this.functionArn, memoryMb: this.#memoryMb },
    });
    worker.stdout.pipe(this.#log, { end: false });
    worker.stderr.pipe(this.#log, { end: false });
    this.#worker = worker;
    const ready = new Promise<void>((resolve, reject) => {
      const onMessage = (message: { type: string; id?: number; response?: KinesisStreamBatchResponse; error?: string }): void => {
        if (message.type === 'ready') resolve();
        else this.#settle(message.id ?? -1, message.type === 'result' ? { ok: true, response: message.response } : { ok: false, error: message.error ?? 'error' });
      };
      worker.on('message', onMessage);
      worker.once('error', (error) => {
        reject(error);
        this.#lost(worker, `worker error: ${error.message}`);
      });
      worker.once('exit', (code) => {
        reject(new Error(`worker exited with code ${code} during init`));
        this.#lost(worker, `worker exited (code ${code})`);
      });
    });
    this.#ready = ready;
    return ready;
  }

  /** Busy and idle time of this function's workers so far (read after each invocation; a killed worker's last one counts). */
  utilization(): LoopTime {
    if (this.#worker) this.#currentLoop = this.#worker.performance.eventLoopUtilization();
    return { active: this.#pastLoops.active + this.#currentLoop.active, idle: this.#pastLoops.idle + this.#currentLoop.idle };
  }

  #settle(id: number, result: { ok: true; response: KinesisStreamBatchResponse | undefined } | { ok: false; error: string }): void {
    const waiting = this.#waiting.get(id);
    if (!waiting) return;
    this.#waiting.delete(id);
    clearTimeout(waiting.timer);
    if (this.#worker) this.#currentLoop = this.#worker.performance.eventLoopUtilization();
    waiting.resolve({ ...result, durationMs: Date.now() - waiting.started });
  }

  /** Every invocation in flight fails when its worker goes away (killed, crashed, timed out). */
  #lost(worker: Worker, error: string): void {
    if (this.#worker !== worker) return;
    this.#pastLoops = { active: this.#pastLoops.active + this.#currentLoop.active, idle: this.#pastLoops.idle + this.#currentLoop.idle };
    this.#currentLoop = { active: 0, idle: 0 };
    this.#worker = undefined;
    this.#ready = undefined;
    for (const id of [...this.#waiting.keys()]) this.#settle(id, { ok: false, error });
  }

  async invoke(event: KinesisStreamEvent): Promise<InvokeResult> {
    const started = Date.now();
    try {
      if (!this.#worker || !this.#ready) await this.#start();
      else await this.#ready;
    } catch (error) {
      return { ok: false, error: `init failed: ${(error as Error).message}`, durationMs: Date.now() - started };
    }
    const worker = this.#worker;
    if (!worker) return { ok: false, error: 'worker lost during init', durationMs: Date.now() - started };
    const id = (this.#nextId += 1);
    const timeoutMs = this.spec.timeoutSeconds * 1000;
    return new Promise<InvokeResult>((resolve) => {
      const timer = setTimeout(() => {
        this.#lost(worker, `Task timed out after ${this.spec.timeoutSeconds} seconds`);
        void worker.terminate();
      }, timeoutMs);
      this.#waiting.set(id, { resolve, timer, started });
      worker.postMessage({ id, event, deadline: Date.now() + timeoutMs });
    });
  }

  /** Kills the worker now, mid-batch if one runs (chaos); the next invocation cold-starts. */
  async kill(reason = 'killed (chaos)'): Promise<void> {
    const worker = this.#worker;
    if (!worker) return;
    this.kills += 1;
    this.#lost(worker, reason);
    await worker.terminate();
  }

  async stop(): Promise<void> {
    const worker = this.#worker;
    this.#worker = undefined;
    if (worker) await worker.terminate();
    await new Promise<void>((resolve) => this.#log.end(() => resolve()));
  }
}

