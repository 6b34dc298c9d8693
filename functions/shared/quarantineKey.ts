import { QUARANTINE_PREFIX } from './constants';
import type { QuarantineEntry, QuarantiningFunction } from './QuarantineWriter';

const pad = (n: number): string => String(n).padStart(2, '0');

/**
 * Key of a quarantined record: `quarantine/<function>/YYYY/MM/DD/HH/<shardId>/<sequence>[-part].json`.
 * The time is the record's arrival in the stream (UTC), not the processing time, so a redelivered
 * record overwrites its own object instead of adding a second one.
 */
export function quarantineKey(functionName: QuarantiningFunction, entry: Pick<QuarantineEntry, 'origin' | 'part'>): string {
  const at = new Date(entry.origin.arrivedAt);
  const hour = `${at.getUTCFullYear()}/${pad(at.getUTCMonth() + 1)}/${pad(at.getUTCDate())}/${pad(at.getUTCHours())}`;
  const part = entry.part === undefined ? '' : `-${entry.part.replace(/[^A-Za-z0-9_.:=-]/g, '_')}`;
  return `${QUARANTINE_PREFIX}${functionName}/${hour}/${entry.origin.shardId}/${entry.origin.sequenceNumber}${part}.json`;
}
