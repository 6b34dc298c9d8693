import type { WriteStream } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import type { LoopTime } from './Emulator';
import type { FunctionSpec } from './LocalManifests';
import { LOWER_OWN_PRIORITY_SOURCE } from './threadPriority';

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
${LOWER_OWN_PRIORITY_SOURCE}
const { createRequire } = require('node:module');
const path = require('node:path');
const module_ = { exports: {} };
new Function('exports', 'require', 'module', '__filename', '__dirname', workerData.code)(
  module_.exports, createRequire(workerData.filename), module_, workerData.filename, path.dirname(workerData.filename));
const handler = module_.exports[workerData.exportName];
if (typeof handler !== 'function') throw new Error(workerData.filename + ' exports no function ' + workerData.exportName);
parentPort.postMessage({ type: 'ready' });
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

/** What every environment of one function is started with. */
export interface EnvironmentSetup {
  readonly code: string;
  readonly filename: string;
  readonly exportName: string;
  readonly env: Record<string, string>;
  readonly log: WriteStream;
  readonly spec: FunctionSpec;
  readonly functionArn: string;
  readonly nice: number;
}

/**
 * One execution environment: the function's bundle in a worker thread, so that it has its own
 * process.env, module state and event loop (as a Lambda sandbox has) and can be killed. It runs one
 * invocation at a time. An invocation that outlives the rendered timeout kills it, as Lambda ends a
 * timed-out sandbox.
 */
export class ExecutionEnvironment {
  readonly #setup: EnvironmentSetup;
  #worker: Worker | undefined;
  readonly #ready: Promise<void>;
  #nextId = 0;
  readonly #waiting = new Map<number, Waiting>();
  /** Event loop time of the worker (its last reading, kept after it went away). */
  loop: LoopTime = { active: 0, idle: 0 };

  /** `onReady` gets the init duration: from the worker's creation to its module loaded (Lambda's Init phase). */
  constructor(setup: EnvironmentSetup, onReady: (initMs: number) => void) {
    this.#setup = setup;
    const createdAt = Date.now();
    const { code, filename, exportName, env, log, spec, functionArn, nice } = setup;
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      env,
      stdout: true,
      stderr: true,
      workerData: { code, filename, exportName, functionName: spec.name, functionArn, memoryMb: spec.memoryMb, nice },
    });
    // Written, not piped: each pipe adds four listeners to the function's one log stream, and a
    // function may run a dozen environments over a run.
    const append = (chunk: Buffer): void => {
      if (!log.writableEnded) log.write(chunk);
    };
    worker.stdout.on('data', append);
    worker.stderr.on('data', append);
    this.#worker = worker;
    this.#ready = new Promise<void>((resolve, reject) => {
      worker.on('message', (message: { type: string; id?: number; response?: KinesisStreamBatchResponse; error?: string }) => {
        if (message.type === 'ready') {
          onReady(Date.now() - createdAt);
          resolve();
        }
        else this.#settle(message.id ?? -1, message.type === 'result' ? { ok: true, response: message.response } : { ok: false, error: message.error ?? 'error' });
      });
      worker.once('error', (error) => {
        reject(error);
        this.#lost(`worker error: ${error.message}`);
      });
      worker.once('exit', (code) => {
        reject(new Error(`worker exited with code ${code} during init`));
        this.#lost(`worker exited (code ${code})`);
      });
    });
    // A failed init is reported by invoke; the rejection must not go unhandled meanwhile.
    this.#ready.catch(() => undefined);
  }

  get alive(): boolean {
    return this.#worker !== undefined;
  }

  get busy(): boolean {
    return this.#waiting.size > 0;
  }

  utilization(): LoopTime {
    if (this.#worker) this.loop = this.#worker.performance.eventLoopUtilization();
    return this.loop;
  }

  #settle(id: number, result: { ok: true; response: KinesisStreamBatchResponse | undefined } | { ok: false; error: string }): void {
    const waiting = this.#waiting.get(id);
    if (!waiting) return;
    this.#waiting.delete(id);
    clearTimeout(waiting.timer);
    this.utilization();
    waiting.resolve({ ...result, durationMs: Date.now() - waiting.started });
  }

  /** Every invocation in flight fails when the worker goes away (killed, crashed, timed out). */
  #lost(error: string): void {
    if (!this.#worker) return;
    this.utilization();
    this.#worker = undefined;
    for (const id of [...this.#waiting.keys()]) this.#settle(id, { ok: false, error });
  }

  async invoke(event: KinesisStreamEvent, started: number): Promise<InvokeResult> {
    try {
      await this.#ready;
    } catch (error) {
      return { ok: false, error: `init failed: ${(error as Error).message}`, durationMs: Date.now() - started };
    }
    const worker = this.#worker;
    if (!worker) return { ok: false, error: 'worker lost during init', durationMs: Date.now() - started };
    const id = (this.#nextId += 1);
    const { timeoutSeconds } = this.#setup.spec;
    const timeoutMs = timeoutSeconds * 1000;
    return new Promise<InvokeResult>((resolve) => {
      const timer = setTimeout(() => {
        this.#lost(`Task timed out after ${timeoutSeconds} seconds`);
        void worker.terminate();
      }, timeoutMs);
      this.#waiting.set(id, { resolve, timer, started });
      worker.postMessage({ id, event, deadline: Date.now() + timeoutMs });
    });
  }

  async kill(reason: string): Promise<void> {
    const worker = this.#worker;
    if (!worker) return;
    this.#lost(reason);
    await worker.terminate();
  }
}
