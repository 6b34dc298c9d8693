import { setTimeout as sleep } from 'node:timers/promises';
import type { LocalPipeline, RunningFunction } from './LocalPipeline';

/** Longest wait for an invocation to be in flight before a kill (then the worker is killed idle). */
const BUSY_WAIT_MS = 5000;

/**
 * The load test's `--chaos`: kills a function's worker in the middle of a batch (the mapping retries it in a
 * new worker, which cold-starts and restores its checkpoints), throttles DynamoDB behind the fault proxy
 * (the functions' retries, circuit breakers and partial batch responses take it), and drops a share of the
 * device connections from the broker side (the devices reconnect and resend what was not acknowledged).
 * Every action is logged with its time.
 */
export class ChaosMonkey {
  readonly log: string[] = [];
  readonly #started = Date.now();

  constructor(private readonly pipeline: LocalPipeline) {}

  #note(text: string): void {
    const line = `chaos +${((Date.now() - this.#started) / 1000).toFixed(1)} s: ${text}`;
    this.log.push(line);
    process.stderr.write(`loadtest: ${line}\n`);
  }

  /** Kills `fn`'s worker while it runs a batch (waits up to BUSY_WAIT_MS for one). */
  async killMidBatch(fn: RunningFunction): Promise<void> {
    const until = Date.now() + BUSY_WAIT_MS;
    while (!fn.host.busy && Date.now() < until) await sleep(5);
    const busy = fn.host.busy;
    await fn.host.kill('killed mid-batch (chaos)');
    this.#note(`killed ${fn.host.spec.name}'s worker ${busy ? 'mid-batch' : 'while idle (no batch in flight)'}`);
  }

  /** `share` of the DynamoDB requests (of `operation`, or any) are throttled for `durationMs`. */
  throttleDynamo(share: number, durationMs: number, operation = '*'): void {
    this.pipeline.dynamoProxy.injectShare(operation, 'throttle', share, durationMs);
    this.#note(`throttling ${Math.round(share * 100)}% of DynamoDB ${operation === '*' ? '' : `${operation} `}requests for ${durationMs / 1000} s`);
  }

  async dropConnections(fraction: number): Promise<void> {
    const dropped = await this.pipeline.gateway.dropConnections(fraction);
    this.#note(`dropped ${dropped} device connections (${Math.round(fraction * 100)}%)`);
  }
}
