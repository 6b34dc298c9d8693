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
    // Lambda hands its caller the result's JSON (undefined becomes null), and only up to its response limit.
    const payload = JSON.stringify(response === undefined ? null : response) ?? 'null';
    const size = Buffer.byteLength(payload);
    if (size > workerData.responseLimitBytes) {
      parentPort.postMessage({ type: 'error', id: message.id, error: 'Function.ResponseSizeTooLarge: Response payload size (' + size +
        ' bytes) exceeded maximum allowed payload size (' + workerData.responseLimitBytes + ' bytes).' });
    } else parentPort.postMessage({ type: 'result', id: message.id, payload });
  } catch (error) {
    parentPort.postMessage({ type: 'error', id: message.id, error: String((error && error.stack) || error) });
  }
});
`;

/**
 * Lambda's limit on a synchronous response: its documented 6 MB is 6 MiB, and its error names 100 bytes
 * more (`Function.ResponseSizeTooLarge: ... maximum allowed payload size (6291556 bytes)`).
 */
const RESPONSE_LIMIT_BYTES = 6_291_556;

/**
 * V8's heap limits for a function's memory, as Lambda's Node.js bootstrap sizes them (a tenth for the young
 * generation, the rest for the old). Only the heap is bounded: memory outside it (Buffers) is not counted,
 * where Lambda counts the whole process.
 */
function heapLimits(memoryMb: number): { maxYoungGenerationSizeMb: number; maxOldGenerationSizeMb: number } {
  const young = Math.floor(memoryMb / 10);
  return { maxYoungGenerationSizeMb: young, maxOldGenerationSizeMb: memoryMb - young };
}

/** The result as the caller gets it: the JSON's value, null (the handler returned nothing) as undefined. */
function responseOf(payload: string | undefined): KinesisStreamBatchResponse | undefined {
  return (JSON.parse(payload ?? 'null') as KinesisStreamBatchResponse | null) ?? undefined;
}

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
 * timed-out sandbox; one that fills the heap of the rendered memory ends it too (Runtime.OutOfMemory). The
 * result comes back as Lambda returns it: its JSON, refused above Lambda's response limit.
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
      resourceLimits: heapLimits(spec.memoryMb),
      workerData: { code, filename, exportName, functionName: spec.name, functionArn, memoryMb: spec.memoryMb, nice, responseLimitBytes: RESPONSE_LIMIT_BYTES },
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
      worker.on('message', (message: { type: string; id?: number; payload?: string; error?: string }) => {
        if (message.type === 'ready') {
          onReady(Date.now() - createdAt);
          resolve();
        }
        else this.#settle(message.id ?? -1, message.type === 'result' ? { ok: true, response: responseOf(message.payload) } : { ok: false, error: message.error ?? 'error' });
      });
      worker.once('error', (error: Error & { code?: string }) => {
        reject(error);
        // Lambda ends an environment that runs out of memory, and the invocation fails with Runtime.OutOfMemory.
        this.#lost(
          error.code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? `Runtime.OutOfMemory: the environment ran out of its ${spec.memoryMb} MB (${error.message}); it is discarded`
            : `worker error: ${error.message}`,
        );
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
