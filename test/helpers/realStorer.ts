import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createBreakers } from '../../functions/shared/createBreakers';
import type { QuarantineEntry, QuarantineSink } from '../../functions/shared/QuarantineWriter';
import { BucketStore } from '../../functions/storer/BucketStore';
import { BucketWriter } from '../../functions/storer/BucketWriter';
import { Storer } from '../../functions/storer/Storer';
import { kinesisEvent, kinesisRecords, lambdaContext } from './records';

/** Quarantine in memory: the read-path tests write only valid records and assert none was quarantined. */
class CollectingQuarantine implements QuarantineSink {
  readonly entries: QuarantineEntry[] = [];

  async write(entry: QuarantineEntry): Promise<string> {
    this.entries.push(entry);
    return entry.origin.sequenceNumber;
  }
}

/**
 * The storer's own classes (Storer, BucketWriter, BucketStore) writing to a real DynamoDB endpoint with
 * the SDK, at a chosen processing (and arrival) time, so readings of any day of the last week are accepted. Each call
 * delivers its records as one Kinesis batch, after the previous batches, like one shard.
 */
export function realStorer(dynamodb: DynamoDBClient, tableName: string, now: number): { store: (payloads: readonly unknown[]) => Promise<void>; quarantined: readonly QuarantineEntry[] } {
  const quarantine = new CollectingQuarantine();
  const breakers = createBreakers(['dynamodb'] as const);
  // Silent metrics (Powertools reads the switch when the object is made): `npm run bench` prints its own lines.
  const disabled = process.env.POWERTOOLS_METRICS_DISABLED;
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  const metrics = new Metrics({ namespace: 'PlantTelemetry/test', serviceName: 'storer' });
  if (disabled === undefined) delete process.env.POWERTOOLS_METRICS_DISABLED;
  else process.env.POWERTOOLS_METRICS_DISABLED = disabled;
  const storer = new Storer({
    buckets: new BucketWriter({ store: new BucketStore({ dynamodb, tableName, breaker: breakers.dynamodb }), quarantine, retentionDays: 30, now: () => now }),
    quarantine,
    metrics,
    logger: new Logger({ serviceName: 'storer', logLevel: 'SILENT' }),
    breakers: Object.values(breakers),
    now: () => now,
  });
  let sequence = 1_000n;
  return {
    quarantined: quarantine.entries,
    store: async (payloads) => {
      if (payloads.length === 0) return;
      const records = kinesisRecords(payloads, sequence, undefined, now);
      sequence += BigInt(payloads.length);
      const outcome = await storer.handle(kinesisEvent(records), lambdaContext(120_000));
      if (outcome.response.batchItemFailures.length > 0) throw new Error(`storer reported failures: ${JSON.stringify(outcome.response.batchItemFailures)}`);
    },
  };
}
