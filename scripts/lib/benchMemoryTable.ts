import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import type { QuarantineEntry, QuarantineSink } from '../../functions/shared/QuarantineWriter';
import type { BucketPersistence, PutOutcome } from '../../functions/storer/BucketStore';
import { BucketWriter } from '../../functions/storer/BucketWriter';
import { Storer } from '../../functions/storer/Storer';
import type { BucketItem } from '../../functions/storer/types';

/** In-memory readings table with the same conditional semantics, to measure the storer's own code. */
class MemoryTable implements BucketPersistence {
  readonly #items = new Map<string, BucketItem>();

  async get(sensorId: string, minute: number): Promise<BucketItem | undefined> {
    return this.#items.get(`${sensorId}|${minute}`);
  }

  async put(item: BucketItem, expectedVersion: number | undefined): Promise<PutOutcome> {
    const key = `${item.sensorId}|${item.minute}`;
    const current = this.#items.get(key);
    if (current?.version !== expectedVersion) return { written: false, current, known: true };
    this.#items.set(key, item);
    return { written: true };
  }
}

class MemoryQuarantine implements QuarantineSink {
  async write(entry: QuarantineEntry): Promise<string> {
    return entry.origin.sequenceNumber;
  }
}

/** The storer's batch logic on an in-memory table: everything but the DynamoDB and S3 calls. */
export function memoryStorer(): (event: KinesisStreamEvent, context: Context) => Promise<KinesisStreamBatchResponse> {
  const quarantine = new MemoryQuarantine();
  const storer = new Storer({
    buckets: new BucketWriter({ store: new MemoryTable(), quarantine, retentionDays: 14 }),
    quarantine,
    metrics: new Metrics({ namespace: 'PlantTelemetry/bench', serviceName: 'storer' }),
    logger: new Logger({ serviceName: 'storer' }),
    breakers: [],
  });
  return async (event, context) => (await storer.handle(event, context)).response;
}
