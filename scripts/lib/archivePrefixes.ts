import type { RedriveTargets } from './redriveTargets';

const HOUR_MS = 3_600_000;

/**
 * The hourly archive prefixes (`s3://bucket/raw/year=.../hour=HH/`, UTC) that can hold records that
 * arrived in the stream between `firstArrivalMs` and `lastArrivalMs`: Firehose names an object after
 * the arrival of the oldest record it buffered, so the hour of a buffering interval earlier counts too.
 */
export function archivePrefixes(targets: RedriveTargets, firstArrivalMs: number, lastArrivalMs: number): string[] {
  const prefixes: string[] = [];
  const from = Math.floor((firstArrivalMs - targets.archiveBufferingSeconds * 1000) / HOUR_MS);
  const to = Math.floor(Math.max(firstArrivalMs, lastArrivalMs) / HOUR_MS);
  for (let hour = from; hour <= to; hour += 1) {
    const iso = new Date(hour * HOUR_MS).toISOString();
    const prefix = targets.archivePrefixExpression
      .replace('!{timestamp:yyyy}', iso.slice(0, 4))
      .replace('!{timestamp:MM}', iso.slice(5, 7))
      .replace('!{timestamp:dd}', iso.slice(8, 10))
      .replace('!{timestamp:HH}', iso.slice(11, 13));
    prefixes.push(`s3://${targets.archiveBucket}/${prefix}`);
  }
  return prefixes;
}
