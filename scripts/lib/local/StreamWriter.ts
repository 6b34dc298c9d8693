import { KinesisClient, PutRecordsCommand, type PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { KINESIS_LIMITS, LOCAL_CREDENTIALS, LOCAL_REGION, RULE_FLUSH_MS, RULE_PUT_ATTEMPTS } from './constants';

/** A shard's writes: records and bytes of the current second, the seconds above a shard's write limit and the busiest second's records. */
export interface ShardLoad {
  second: number;
  records: number;
  bytes: number;
  overLimitSeconds: number;
  peakRecords: number;
}

interface Pending {
  readonly entry: PutRecordsRequestEntry;
  readonly bytes: number;
  attempts: number;
  resolve(shardId: string): void;
  reject(error: Error): void;
}

/**
 * The Kinesis action of the local rule engine: puts the rules' records into a kinesalite stream. IoT Core
 * makes one PutRecord call per message; locally the messages of a few milliseconds share one PutRecords call
 * (in arrival order, one call in flight, so records of one partition key keep their order), which is what lets
 * one process take thousands of messages per second. It counts records and bytes per shard and second, to
 * warn when a shard gets more than AWS would accept (1,000 records/s, 1 MiB/s) — there the real rule would be
 * throttled.
 */
export class StreamWriter {
  readonly client: KinesisClient;
  /** Per shard: records and bytes of the current second; `overLimit` the seconds a limit was exceeded. */
  readonly shardLoad = new Map<string, ShardLoad>();
  #queue: Pending[] = [];
  #flushing = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    endpoint: string,
    readonly streamName: string,
  ) {
    // kinesalite answers HTTP/1.1 only; the default handler would try HTTP/2 for some operations.
    this.client = new KinesisClient({ region: LOCAL_REGION, endpoint, credentials: LOCAL_CREDENTIALS, requestHandler: new NodeHttpHandler(), maxAttempts: 1 });
  }

  /** Resolves with the shard the record went to once kinesalite acknowledged it. */
  put(data: Buffer, partitionKey: string): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      this.#queue.push({ entry: { Data: data, PartitionKey: partitionKey }, bytes: data.length + partitionKey.length, attempts: 0, resolve, reject });
      this.#schedule();
    });
  }

  get queued(): number {
    return this.#queue.length;
  }

  #schedule(): void {
    if (this.#flushing || this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#flush();
    }, RULE_FLUSH_MS);
  }

  async #flush(): Promise<void> {
    if (this.#flushing || this.#queue.length === 0) return;
    this.#flushing = true;
    try {
      while (this.#queue.length > 0) await this.#send(this.#takeBatch());
    } finally {
      this.#flushing = false;
    }
  }

  /**
   * The queue's first PutRecords worth (count and size limits), taken in one splice: shifting record by record
   * costs the whole queue per record, quadratic in the backlog, so a broker that falls behind falls further.
   */
  #takeBatch(): Pending[] {
    let count = 0;
    let bytes = 0;
    for (const next of this.#queue) {
      if (count >= KINESIS_LIMITS.putRecordsMax || (count > 0 && bytes + next.bytes > KINESIS_LIMITS.putRecordsMaxBytes)) break;
      bytes += next.bytes;
      count += 1;
    }
    return this.#queue.splice(0, count);
  }

  async #send(batch: Pending[]): Promise<void> {
    let output;
    try {
      output = await this.client.send(new PutRecordsCommand({ StreamName: this.streamName, Records: batch.map((p) => p.entry) }));
    } catch (error) {
      this.#retryOrFail(batch, error as Error);
      return;
    }
    const failed: Pending[] = [];
    const results = output.Records ?? [];
    batch.forEach((pending, i) => {
      const result = results[i];
      if (result?.ShardId && !result.ErrorCode) {
        this.#count(result.ShardId, pending.bytes);
        pending.resolve(result.ShardId);
      } else failed.push(pending);
    });
    if (failed.length > 0) this.#retryOrFail(failed, new Error(results.find((r) => r.ErrorCode)?.ErrorMessage ?? 'PutRecords entry failed'));
  }

  #retryOrFail(batch: Pending[], error: Error): void {
    const retry: Pending[] = [];
    for (const pending of batch) {
      pending.attempts += 1;
      if (pending.attempts >= RULE_PUT_ATTEMPTS) pending.reject(error);
      else retry.push(pending);
    }
    this.#queue.unshift(...retry);
  }

  #count(shardId: string, bytes: number): void {
    const second = Math.floor(Date.now() / 1000);
    let load = this.shardLoad.get(shardId);
    if (!load) {
      load = { second, records: 0, bytes: 0, overLimitSeconds: 0, peakRecords: 0 };
      this.shardLoad.set(shardId, load);
    }
    if (load.second !== second) {
      if (load.records > KINESIS_LIMITS.shardRecordsPerSecond || load.bytes > KINESIS_LIMITS.shardBytesPerSecond) load.overLimitSeconds += 1;
      load.peakRecords = Math.max(load.peakRecords, load.records);
      load.second = second;
      load.records = 0;
      load.bytes = 0;
    }
    load.records += 1;
    load.bytes += bytes;
  }

  close(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.client.destroy();
  }
}
