import { setTimeout as sleep } from 'node:timers/promises';
import type { ShardReadLimiter } from './ShardReadLimiter';

/**
 * The reads of a shard's consumer that the local pipeline does not emulate: Firehose, which reads each shard of
 * its source stream about once a second. Nothing archives locally, so no GetRecords is made, but one read of the
 * shard's limit is taken every `intervalMs`, and the emulated consumers get what AWS would leave them.
 */
export class ReservedShardReads {
  /** Reads taken so far. */
  taken = 0;
  readonly #limiter: ShardReadLimiter;
  readonly #intervalMs: number;
  readonly #stopping = new AbortController();
  #loop: Promise<void> | undefined;

  constructor(limiter: ShardReadLimiter, intervalMs: number) {
    this.#limiter = limiter;
    this.#intervalMs = intervalMs;
  }

  start(): void {
    this.#loop = this.#run().catch(() => undefined);
  }

  async stop(): Promise<void> {
    this.#stopping.abort();
    await this.#loop;
  }

  async #run(): Promise<void> {
    const { signal } = this.#stopping;
    while (!signal.aborted) {
      await this.#limiter.take();
      this.taken += 1;
      await sleep(this.#intervalMs, undefined, { signal });
    }
  }
}
