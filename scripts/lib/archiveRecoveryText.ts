import { archivePrefixes } from './archivePrefixes';
import type { RedriveTargets } from './redriveTargets';

/** What a redrive says of records the stream no longer holds: their arrival window and the archive prefixes that hold them. */
export function archiveRecoveryText(targets: RedriveTargets, firstArrivalMs: number, lastArrivalMs: number): string {
  const prefixes = archivePrefixes(targets, firstArrivalMs, lastArrivalMs);
  return `recover the records that arrived ${new Date(firstArrivalMs).toISOString()} to ${new Date(lastArrivalMs).toISOString()} from the archive: ${prefixes.join(' ')}`;
}
