import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { AckedMessage } from '../fleet/types';
import { LatencySeries } from './LatencySeries';
import { recordKey } from './recordKey';

export interface PublishLatencies {
  /** Milliseconds from each acknowledged message's publish to the end of the processor batch that first took it, by publish time. */
  readonly series: LatencySeries;
  /** Acknowledged contract messages whose record the processor never finished (or finished before the acknowledged publish: a resend). */
  readonly unmatched: number;
}

/**
 * The processor path's end-to-end latency per acknowledged message, from the device's publish (the ledger's
 * `publishedAt`, the publish that was acknowledged) to the end of the processor batch that first held its
 * record. The newest reading's ts, which live output uses, also counts the time a message waited on a device
 * whose connection was down (chaos drops 10% of them), which is the device's, not the pipeline's.
 */
export async function publishLatencies(ledgerFile: string, doneAt: ReadonlyMap<string, number>): Promise<PublishLatencies> {
  const series = new LatencySeries(true);
  let unmatched = 0;
  if (!existsSync(ledgerFile)) return { series, unmatched };
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
    const done = doneAt.get(key);
    if (done === undefined || done < publishedAt) unmatched += 1;
    else series.add(done - publishedAt, publishedAt);
  }
  return { series, unmatched };
}
