import { GetRecordsCommand, GetShardIteratorCommand, type _Record, type GetRecordsCommandOutput, type KinesisClient } from '@aws-sdk/client-kinesis';
import type { KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { LAMBDA_LIMITS } from '../../../functions/shared/constants';
import { toLambdaRecord } from '../toLambdaRecord';
import { KINESIS_LIMITS, MAPPING_LIMITS } from './constants';
import type { FunctionHost } from './FunctionHost';
import type { MappingSpec } from './LocalManifests';
import type { ShardReadLimiter } from './ShardReadLimiter';
import { firstToRetry } from './firstToRetry';
import { kinesisSource } from './kinesisSource';

/** Counters of one mapping's pollers, read by the live output. */
export interface MappingCounters {
  invocations: number;
  functionErrors: number;
  partialFailures: number;
  bisections: number;
  recordsDelivered: number;
  recordsDeadLettered: number;
  dlqMessages: number;
  /** Age of the newest record of the last batch when it was invoked (Lambda's IteratorAge). */
  iteratorAgeMs: number;
}

export interface ShardPollerOptions {
  readonly mapping: MappingSpec;
  readonly host: FunctionHost;
  readonly kinesis: KinesisClient;
  readonly streamName: string;
  readonly shardId: string;
  readonly roleArn: string;
  readonly counters: MappingCounters;
  /** Sends the on-failure document to the destination queue (as the function's role: it may refuse, and the poller stops). */
  readonly deadLetter: (body: string) => unknown;
  /**
   * Asks whether the function's role may make a read (`kinesis:GetRecords` on the stream, ...); rejects with
   * AWS's refusal, which stops the poller as a mapping whose role lost its permissions stops reading.
   */
  readonly access?: (action: string, resource: string) => Promise<void>;
  /** Records a batch delivered successfully, with when the invocation that delivered it started and finished. */
  readonly onDelivered?: (records: readonly KinesisStreamRecord[], times: InvocationTimes) => void;
  /** The shard's read limit, shared with the other mappings' pollers of the shard (a consumer's mapping takes none of it). */
  readonly reads?: ShardReadLimiter;
}

/** When the invocation that delivered a batch started and when it finished (epoch ms). */
export interface InvocationTimes {
  readonly invokedAt: number;
  readonly doneAt: number;
}

/** When Kinesis took the record (epoch ms). */
export const arrivalMs = (record: KinesisStreamRecord): number => Math.round(record.kinesis.approximateArrivalTimestamp * 1000);

/**
 * One shard of one event source mapping, as Lambda polls it: reads from the rendered starting position,
 * gathers a batch up to the batch size, the 6 MB invocation payload or the batching window, invokes the
 * function and follows what the mapping says about failures — ReportBatchItemFailures (resume from the
 * lowest reported sequence number), bisection on a function error (a split is not a retry), the retry limit
 * and the record age — and sends the Kinesis batch-info document to the on-failure destination when it gives up.
 */
export class ShardPoller {
  readonly #options: ShardPollerOptions;
  #running = false;
  #loop: Promise<void> | undefined;
  #flushRequested = false;
  #buffer: KinesisStreamRecord[] = [];
  #windowStartedAt: number | undefined;
  /** How long nothing due waits for the next read: Lambda's base rate, or an enhanced fan-out consumer's push. */
  readonly #idleWaitMs: number;
  readonly #streamArn: string;
  /** The enhanced fan-out consumer's ARN when the mapping reads through one. */
  readonly #consumerArn: string | undefined;
  /** The shared read limit this poller takes its reads from: none through an enhanced fan-out consumer, which has its own pipe. */
  readonly #reads: ShardReadLimiter | undefined;
  /** Sequence number of the last record read from the shard, where a new iterator resumes. */
  #lastRead: string | undefined;
  /** Each buffered record's bytes in the invocation payload, computed once: a batching window asks again every poll. */
  readonly #sizes = new WeakMap<KinesisStreamRecord, number>();

  constructor(options: ShardPollerOptions) {
    // Lambda needs somewhere to send what it gives up on (AWS rejects the mapping without it); dropping it here would hide a loss.
    if (!options.mapping.onFailureDestination) throw new Error(`mapping ${options.mapping.objectName}: no on-failure destination; a poller does not drop the records it gives up on`);
    this.#options = options;
    const source = kinesisSource(options.mapping.eventSourceArn);
    this.#streamArn = source.streamArn;
    this.#consumerArn = source.consumer === undefined ? undefined : options.mapping.eventSourceArn;
    this.#idleWaitMs = source.consumer === undefined ? MAPPING_LIMITS.idlePollMs : KINESIS_LIMITS.fanOutPropagationMs;
    this.#reads = source.consumer === undefined ? options.reads : undefined;
  }

  start(): void {
    this.#running = true;
    this.#loop = this.#run().catch((error: Error) => {
      process.stderr.write(`local: poller ${this.#options.mapping.objectName}/${this.#options.shardId} stopped: ${error.message}\n`);
    });
  }

  /** Ends the current batching window now (the load test's drain: it need not wait a 60 s window). */
  flushWindow(): void {
    this.#flushRequested = true;
  }

  /** Records read and not yet delivered or dead-lettered. */
  get pending(): number {
    return this.#buffer.length;
  }

  async stop(): Promise<void> {
    this.#running = false;
    await this.#loop;
  }

  async #run(): Promise<void> {
    const { mapping } = this.#options;
    // kinesalite answers AT_TIMESTAMP only once the shard holds a record at or after the time (it never answers
    // on an empty shard), so the poller starts at the trim horizon and leaves out what arrived before, as
    // Kinesis's AT_TIMESTAMP iterator does.
    const readsFrom = mapping.startingPosition === 'AT_TIMESTAMP' ? (mapping.startingPositionTimestamp ?? 0) : undefined;
    let iterator = await this.#iterator(readsFrom);
    while (this.#running && iterator) {
      // Records already read go out first: a batch due now does not wait for the shard's next read.
      let batch = this.#takeBatch();
      if (batch === undefined && this.#buffer.length < mapping.batchSize) {
        await this.#reads?.take();
        const output = await this.#getRecords(iterator, readsFrom);
        iterator = output.NextShardIterator;
        this.#lastRead = output.Records?.at(-1)?.SequenceNumber ?? this.#lastRead;
        const records = (output.Records ?? [])
          .filter((record) => readsFrom === undefined || (record.ApproximateArrivalTimestamp?.getTime() ?? 0) >= readsFrom)
          .map((record) => this.#toLambdaRecord(record));
        if (records.length > 0 && this.#buffer.length === 0) this.#windowStartedAt = Date.now();
        this.#buffer.push(...records);
        batch = this.#takeBatch();
      }
      if (batch === undefined) {
        // Nothing due: an idle shard, or a batching window still filling. Either way the next read waits
        // (Lambda reads a shard about once a second, and a shard allows 5 reads/s over all its consumers);
        // reading again at once would spin on GetRecords while a 60 s window fills.
        await sleep(this.#idleWaitMs);
        continue;
      }
      await this.#deliver(batch, 0);
      this.#windowStartedAt = this.#buffer.length > 0 ? Date.now() : undefined;
    }
  }

  /** An iterator after the last record read, or at the mapping's starting position before the first read. */
  async #iterator(readsFrom: number | undefined): Promise<string | undefined> {
    const { kinesis, streamName, shardId, mapping } = this.#options;
    const position =
      this.#lastRead !== undefined
        ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER' as const, StartingSequenceNumber: this.#lastRead }
        : { ShardIteratorType: readsFrom === undefined ? mapping.startingPosition : ('TRIM_HORIZON' as const) };
    await this.#options.access?.('kinesis:GetShardIterator', this.#streamArn);
    return (await kinesis.send(new GetShardIteratorCommand({ StreamName: streamName, ShardId: shardId, ...position }))).ShardIterator;
  }

  /**
   * One read of the shard. An iterator expires 5 minutes after Kinesis hands it out, and a batch that
   * retries through an outage can take longer than that: as Lambda does, the poller then takes a new
   * iterator after the last record it read and reads on, instead of stopping the shard.
   */
  async #getRecords(iterator: string, readsFrom: number | undefined): Promise<GetRecordsCommandOutput> {
    const { kinesis } = this.#options;
    const read = async (shardIterator: string | undefined): Promise<GetRecordsCommandOutput> => {
      // Through an enhanced fan-out consumer Lambda subscribes to the shard on the consumer instead.
      await this.#options.access?.(this.#consumerArn === undefined ? 'kinesis:GetRecords' : 'kinesis:SubscribeToShard', this.#consumerArn ?? this.#streamArn);
      return kinesis.send(new GetRecordsCommand({ ShardIterator: shardIterator, Limit: KINESIS_LIMITS.getRecordsMax }));
    };
    try {
      return await read(iterator);
    } catch (error) {
      if ((error as Error).name !== 'ExpiredIteratorException') throw error;
      return read(await this.#iterator(readsFrom));
    }
  }

  /** The next batch when one is due: full, at the payload limit, window over (0 = at once) or flushed. */
  #takeBatch(): KinesisStreamRecord[] | undefined {
    const { mapping } = this.#options;
    if (this.#buffer.length === 0) return undefined;
    let bytes = 0;
    let count = 0;
    for (const record of this.#buffer) {
      const size = this.#eventBytes(record);
      if (count >= mapping.batchSize || (count > 0 && bytes + size > LAMBDA_LIMITS.maxInvokePayloadBytes)) break;
      bytes += size;
      count += 1;
    }
    const full = count < this.#buffer.length || count >= mapping.batchSize;
    const windowOver = mapping.batchingWindowSeconds === 0 || Date.now() - (this.#windowStartedAt ?? 0) >= mapping.batchingWindowSeconds * 1000;
    if (!full && !windowOver && !this.#flushRequested) return undefined;
    if (count === this.#buffer.length) this.#flushRequested = false;
    return this.#buffer.splice(0, count);
  }

  /**
   * The record's share of the invocation payload: its JSON in the event's Records array (the base64 data
   * and about 560 bytes of envelope: ids, ARNs, the sequence number twice), measured once per record.
   */
  #eventBytes(record: KinesisStreamRecord): number {
    let bytes = this.#sizes.get(record);
    if (bytes === undefined) {
      bytes = Buffer.byteLength(JSON.stringify(record)) + 1;
      this.#sizes.set(record, bytes);
    }
    return bytes;
  }

  #toLambdaRecord(record: _Record): KinesisStreamRecord {
    const { shardId, roleArn, host } = this.#options;
    return toLambdaRecord(record, { shardId, roleArn, region: host.functionArn.split(':')[3] ?? '', streamArn: this.#streamArn });
  }

  /** Delivers `records` until they succeed or the mapping gives up; `retries` already spent on them. */
  async #deliver(records: KinesisStreamRecord[], retriesSoFar: number): Promise<void> {
    const { mapping, host, counters } = this.#options;
    let remaining = records;
    let retries = retriesSoFar;
    while (remaining.length > 0 && this.#running) {
      const first = remaining[0] as KinesisStreamRecord;
      if (mapping.maximumRecordAgeSeconds >= 0 && Date.now() - arrivalMs(first) > mapping.maximumRecordAgeSeconds * 1000) {
        await this.#deadLetter(remaining, 'RecordAgeExceeded', retries + 1);
        return;
      }
      const last = remaining[remaining.length - 1] as KinesisStreamRecord;
      counters.iteratorAgeMs = Date.now() - arrivalMs(last);
      counters.invocations += 1;
      const event: KinesisStreamEvent = { Records: remaining };
      const invokedAt = Date.now();
      const result = await host.invoke(event, `${this.#options.mapping.objectName}/${this.#options.shardId}`);
      if (result.ok) {
        const failed = mapping.reportBatchItemFailures ? firstToRetry(remaining, result.response) : remaining.length;
        if (failed >= remaining.length) {
          this.#delivered(remaining, invokedAt);
          return;
        }
        counters.partialFailures += 1;
        this.#delivered(remaining.slice(0, failed), invokedAt);
        remaining = remaining.slice(failed);
      } else {
        counters.functionErrors += 1;
        if (mapping.bisectOnError && remaining.length > 1) {
          counters.bisections += 1;
          const half = Math.ceil(remaining.length / 2);
          // A split spends no retry (Lambda counts MaximumRetryAttempts without them): a poison record gets its
          // full retries once it is alone, instead of running out of them on the way down.
          await this.#deliver(remaining.slice(0, half), retries);
          await this.#deliver(remaining.slice(half), retries);
          return;
        }
      }
      retries += 1;
      if (mapping.maximumRetryAttempts >= 0 && retries > mapping.maximumRetryAttempts) {
        await this.#deadLetter(remaining, 'RetryAttemptsExhausted', retries);
        return;
      }
      await sleep(MAPPING_LIMITS.retryPauseMs);
    }
  }

  #delivered(records: readonly KinesisStreamRecord[], invokedAt: number): void {
    this.#options.counters.recordsDelivered += records.length;
    this.#options.onDelivered?.(records, { invokedAt, doneAt: Date.now() });
  }

  /** Lambda's on-failure document for a Kinesis batch: where the records are, not the records. */
  async #deadLetter(records: readonly KinesisStreamRecord[], condition: string, invokeCount: number): Promise<void> {
    const { host, counters, shardId } = this.#options;
    const first = records[0] as KinesisStreamRecord;
    const last = records[records.length - 1] as KinesisStreamRecord;
    await this.#options.deadLetter(
      JSON.stringify({
        requestContext: { requestId: randomUUID(), functionArn: host.functionArn, condition, approximateInvokeCount: invokeCount },
        responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
        version: '1.0',
        timestamp: new Date().toISOString(),
        KinesisBatchInfo: {
          shardId,
          startSequenceNumber: first.kinesis.sequenceNumber,
          endSequenceNumber: last.kinesis.sequenceNumber,
          approximateArrivalOfFirstRecord: new Date(arrivalMs(first)).toISOString(),
          approximateArrivalOfLastRecord: new Date(arrivalMs(last)).toISOString(),
          batchSize: records.length,
          streamArn: this.#streamArn,
        },
      }),
    );
    counters.recordsDeadLettered += records.length;
    counters.dlqMessages += 1;
  }
}
