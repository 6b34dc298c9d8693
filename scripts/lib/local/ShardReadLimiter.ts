import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Kinesis's read limit of one shard: at most `readsPerSecond` GetRecords calls in any second, shared by every
 * standard (not enhanced fan-out) consumer of the shard. Kinesis answers a read over the limit with
 * ReadProvisionedThroughputExceeded and Lambda's poller reads again a little later; here the poller waits for
 * its turn, which is the same delay without the failed call.
 */
export class ShardReadLimiter {
  readonly #readsPerSecond: number;
  /** Start times of the reads in the last second, oldest first. */
  readonly #recent: number[] = [];
  /** Reads granted so far (for tests and the pipeline's totals). */
  granted = 0;
  /** Reads that had to wait for their turn. */
  delayed = 0;

  constructor(readsPerSecond: number) {
    this.#readsPerSecond = readsPerSecond;
  }

  /** Resolves when a read of the shard is allowed, and counts it. */
  async take(now: () => number = Date.now): Promise<void> {
    let waited = false;
    for (;;) {
      const at = now();
      while (this.#recent.length > 0 && at - (this.#recent[0] as number) >= 1000) this.#recent.shift();
      if (this.#recent.length < this.#readsPerSecond) {
        this.#recent.push(at);
        this.granted += 1;
        if (waited) this.delayed += 1;
        return;
      }
      waited = true;
      await sleep(1000 - (at - (this.#recent[0] as number)) + 1);
    }
  }
}
