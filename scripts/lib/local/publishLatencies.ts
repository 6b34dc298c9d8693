import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { AckedMessage } from '../fleet/types';
import { LatencySeries } from './LatencySeries';
import type { RecordDelivery } from './LocalPipeline';
import { recordKey } from './recordKey';

/** Where one acknowledged message's end-to-end time went (ms; they add up to its e2e). */
export interface MessageStages {
  readonly publishedAt: number;
  /** From the device's publish until the stream took the record: broker, rule engine, PutRecords. */
  readonly toStream: number;
  /** In the stream until the invocation that first delivered it: the shard's reads and the batches before it. */
  readonly inStream: number;
  /** That invocation, a cold start included. */
  readonly inInvocation: number;
}

export interface PublishLatencies {
  /** Milliseconds from each acknowledged message's publish to the end of the processor batch that first took it, by publish time. */
  readonly series: LatencySeries;
  /** Acknowledged contract messages whose record the processor never finished (or finished before the acknowledged publish: a resend). */
  readonly unmatched: number;
  /** The stages of each message in `series`, in no particular order. */
  readonly stages: readonly MessageStages[];
}

/**
 * The processor path's end-to-end latency per acknowledged message, from the device's publish (the ledger's
 * `publishedAt`, the publish that was acknowledged) to the end of the processor batch that first held its
 * record, and where that time went. The newest reading's ts, which live output uses, also counts the time a
 * message waited on a device whose connection was down (chaos drops 10% of them), which is the device's, not
 * the pipeline's.
 */
export async function publishLatencies(ledgerFile: string, deliveries: ReadonlyMap<string, RecordDelivery>): Promise<PublishLatencies> {
  const series = new LatencySeries(true);
  const stages: MessageStages[] = [];
  let unmatched = 0;
  if (!existsSync(ledgerFile)) return { series, unmatched, stages };
  // A message resent after a lost PUBACK is in the ledger twice: its first acknowledged publish counts.
  const firstPublish = new Map<string, number>();
  const lines = createInterface({ input: createReadStream(ledgerFile), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line === '') continue;
    const message = JSON.parse(line) as AckedMessage;
    if (message.kind !== 'contract' || message.ts.length === 0) continue;
    const key = recordKey(message.assetId, Math.max(...message.ts));
    const known = firstPublish.get(key);
    if (known === undefined || message.publishedAt < known) firstPublish.set(key, message.publishedAt);
  }
  for (const [key, publishedAt] of firstPublish) {
    const delivery = deliveries.get(key);
    if (delivery === undefined || delivery.doneAt < publishedAt) {
      unmatched += 1;
      continue;
    }
    series.add(delivery.doneAt - publishedAt, publishedAt);
    // A record the stream took from an earlier publish of the message (its PUBACK lost) starts at this publish.
    const arrivedAt = Math.max(publishedAt, delivery.arrivedAt);
    const invokedAt = Math.max(arrivedAt, delivery.invokedAt);
    stages.push({ publishedAt, toStream: arrivedAt - publishedAt, inStream: invokedAt - arrivedAt, inInvocation: delivery.doneAt - invokedAt });
  }
  return { series, unmatched, stages };
}
